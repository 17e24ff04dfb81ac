"""A cache of rendered public pages for anonymous visitors, with ETags and 304s.

A page is stored only when nothing in it belongs to one visitor: the request carried no session
cookie, the response sets no cookie but the language choice, and rendering neither wrote to the
session nor made a CSRF token. A stored page is served again while the public content version is
unchanged; editors' changes bump that version (``bump_content_version``), which every worker reads
at most once a second, so no worker serves an old page for longer than that. A worker that sees a
new version drops every page it holds.

Stored pages are served by a small WSGI middleware in front of Flask, so a visitor arriving
after a news story costs little more than a hello-world response. The only thing added to a
stored page on the way out is the language cookie, for a visitor who does not have it yet.

**The key covers everything a page's links are made of.** ``url_for`` builds links from the
scheme, the host (with its port) and ``SCRIPT_NAME``, so all three are in the key with the
compression and the path: a page rendered for ``Host: attacker.example`` or for
``SCRIPT_NAME: //evil.example`` (which gunicorn takes from a header sent by a trusted address)
can only be served to a request that says the same. Pages rendered for any ``SCRIPT_NAME`` but
the app's own root (``APPLICATION_ROOT``, ``/`` by default) are not stored at all.

**Bounded by bytes.** The cache holds at most ``PAGE_CACHE_MAX_BYTES`` (``PORTAL_PAGE_CACHE_MAX_BYTES``,
32 MB by default) counted as key + body + headers + a fixed overhead per page, and drops the least
recently used pages beyond that; a single page over ``MAX_BODY_BYTES`` is never stored.

**Query parameters a page does not read make no new entry.** ``request.args`` records the names a
page looks up while it renders (``get``, ``getlist``, ``[]``, ``in``). The page is stored under
its path plus the *sorted names it read* plus *their values*, and the names (its "shape") are
remembered for the path. The middleware, which runs before Flask and so knows only the path and the
query, builds the key again from each shape remembered for the path and takes a page stored under
one of them. This is safe because rendering depends on the query only through what it reads: a
request that agrees with a stored page's request on every parameter that page read renders the same
page. A page that reads some names only for some values (``extra`` only when ``mode=x``) simply has
more than one shape (at most ``MAX_SHAPES_PER_PATH``). Reading the query as a whole (iterating
``request.args``, ``request.query_string``, ``request.url``) makes the page depend on every
parameter: such a page is stored only for a request without a query. Links to the same page in
another language keep only the parameters the page read (``link_query``), so ``?fbclid=…`` or
``?utm_source=…`` from a shared link is served the stored page and is not copied into it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Request, Response, current_app, g, request, session
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.http import dump_cookie, is_entity_header, parse_cookie, parse_etags
from werkzeug.utils import cached_property
from werkzeug.wsgi import get_host

from portal.i18n import LANGUAGE_COOKIE, language_cookie_options
from portal.models.site_state import SiteState

CONTENT_VERSION = "content_version"
VERSION_TTL_SECONDS = 1.0
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
MAX_BODY_BYTES = 512 * 1024
# What a stored page costs beyond its key, body and headers (the objects holding them).
ENTRY_OVERHEAD_BYTES = 512
MAX_SHAPES_PER_PATH = 8
MAX_PATHS = 20_000
CACHEABLE_BLUEPRINTS = frozenset({"public"})
# Headers that must come from the live response, never from the stored page.
LIVE_HEADERS = frozenset({"Set-Cookie", "Date"})

StartResponse = Callable[..., Any]
# The sorted names of the query parameters a page read; None: it read the whole query.
Shape = tuple[str, ...] | None


@dataclass(frozen=True)
class StoredPage:
    version: int
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str = ""
    lang: str | None = None  # the page's language (its visitor gets the language cookie)
    origin: str = ""  # scheme, host and SCRIPT_NAME the page was rendered for (its links use them)


# --- What a page reads of its query ------------------------------------------------------------


@dataclass
class QueryRecord:
    names: set[str] = field(default_factory=set)
    whole: bool = False

    def shape(self) -> Shape:
        return None if self.whole else tuple(sorted(self.names))


def parse_query(query_string: str) -> list[tuple[str, str]]:
    """The WSGI ``QUERY_STRING`` as ``request.args`` sees it (the middleware parses it the same way)."""
    text = query_string.encode("latin-1", "replace").decode("utf-8", "replace")
    return parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")


class RecordingArgs(ImmutableMultiDict[str, str]):
    """``request.args`` that notes which names are looked up, and whether it was read as a whole."""

    def __init__(self, pairs: list[tuple[str, str]], record: QueryRecord) -> None:
        super().__init__(pairs)
        self.record = record

    def __getitem__(self, key: str) -> str:
        self.record.names.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.record.names.add(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]  # noqa: A002
        self.record.names.add(key)
        return super().get(key, default, type)

    def getlist(self, key: str, type: Any = None) -> Any:  # noqa: A002
        self.record.names.add(key)
        return super().getlist(key, type)

    def _whole(self) -> None:
        self.record.whole = True

    def keys(self) -> Any:
        self._whole()
        return super().keys()

    def values(self) -> Any:
        self._whole()
        return super().values()

    def items(self, multi: bool = False) -> Any:
        self._whole()
        return super().items(multi)

    def lists(self) -> Any:
        self._whole()
        return super().lists()

    def listvalues(self) -> Any:
        self._whole()
        return super().listvalues()

    def to_dict(self, flat: bool = True) -> Any:
        self._whole()
        return super().to_dict(flat)  # type: ignore[call-overload]

    def copy(self) -> Any:
        self._whole()
        return super().copy()

    def __iter__(self) -> Any:
        self._whole()
        return super().__iter__()

    def __len__(self) -> int:
        self._whole()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self._whole()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def read_pairs(self) -> MultiDict[str, str]:
        """The parameters read so far, by name, without recording anything."""
        names = sorted(self.record.names)
        return MultiDict([(name, value) for name in names for value in MultiDict.getlist(self, name)])


class RecordingRequest(Request):
    """Flask's request, with ``args`` recording what the page reads (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.query_record = QueryRecord()
        super().__init__(*args, **kwargs)

    @property
    def query_string(self) -> bytes:
        self.query_record.whole = True
        return self._query_string

    @query_string.setter
    def query_string(self, value: bytes) -> None:
        self._query_string = value

    @cached_property
    def args(self) -> RecordingArgs:
        return RecordingArgs(parse_query(self._query_string.decode("latin-1")), self.query_record)


def link_query() -> Any:
    """The query a link to this page in another language keeps: on pages the cache may store,
    only the parameters the page read (so the stored page is right for every request it is
    served to); elsewhere the query as it came."""
    args = request.args
    if request.blueprint in CACHEABLE_BLUEPRINTS and isinstance(args, RecordingArgs):
        return args.read_pairs()
    return args


# --- The cache ---------------------------------------------------------------------------------


class PageCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._pages: OrderedDict[str, StoredPage] = OrderedDict()
        self._shapes: dict[str, tuple[Shape, ...]] = {}
        self._lock = threading.Lock()
        self.max_bytes = max_bytes
        self.size_bytes = 0
        self._version: tuple[float, int] | None = None

    @staticmethod
    def entry_size(key: str, page: StoredPage) -> int:
        headers = sum(len(name) + len(value) for name, value in page.headers)
        return ENTRY_OVERHEAD_BYTES + len(key) + len(page.body) + headers + len(page.etag) + len(page.origin)

    def shapes(self, path: str) -> tuple[Shape, ...]:
        return self._shapes.get(path, ())

    def get(self, key: str, version: int) -> StoredPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.version != version:
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, path: str, shape: Shape, key: str, page: StoredPage) -> bool:
        """Store a page (dropping the least recently used beyond the byte limit); False when it
        does not fit or its path has too many shapes."""
        size = self.entry_size(key, page)
        if size > self.max_bytes:
            return False
        with self._lock:
            shapes = self._shapes.get(path, ())
            if shape not in shapes:
                if len(shapes) >= MAX_SHAPES_PER_PATH or (not shapes and len(self._shapes) >= MAX_PATHS):
                    return False
                self._shapes[path] = (*shapes, shape)
            old = self._pages.pop(key, None)
            if old is not None:
                self.size_bytes -= self.entry_size(key, old)
            self._pages[key] = page
            self.size_bytes += size
            while self.size_bytes > self.max_bytes:
                old_key, old_page = self._pages.popitem(last=False)
                self.size_bytes -= self.entry_size(old_key, old_page)
            return True

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._shapes.clear()
            self.size_bytes = 0
            self._version = None

    def version(self, read: Callable[[], int]) -> int:
        now = time.monotonic()
        cached = self._version
        if cached is not None and now - cached[0] < VERSION_TTL_SECONDS:
            return cached[1]
        value = int(read())
        if cached is not None and cached[1] != value:
            with self._lock:  # every stored page is stale: free the memory now
                self._pages.clear()
                self._shapes.clear()
                self.size_bytes = 0
        self._version = (now, value)
        return value


def init_app(app: Flask) -> None:
    cache = PageCache(int(app.config.get("PAGE_CACHE_MAX_BYTES") or DEFAULT_MAX_BYTES))
    app.extensions["portal.page_cache"] = cache
    app.request_class = RecordingRequest
    app.before_request(_note_version)
    app.after_request(_store_page)
    app.wsgi_app = PageCacheMiddleware(app, app.wsgi_app)  # type: ignore[method-assign]


def _cache() -> PageCache:
    cache: PageCache = current_app.extensions["portal.page_cache"]
    return cache


def read_content_version(db: Session) -> int:
    return db.scalar(select(SiteState.value).where(SiteState.key == CONTENT_VERSION)) or 0


def bump_content_version(db: Session) -> None:
    """Call inside the transaction that changes public content: cached pages become stale."""
    result = db.execute(update(SiteState).where(SiteState.key == CONTENT_VERSION)
                        .values(value=SiteState.value + 1))
    if not getattr(result, "rowcount", 0):  # the row is seeded by migration 0005; recreate it if gone
        db.add(SiteState(key=CONTENT_VERSION, value=1))


def _read_version(engine: Engine) -> int:
    with Session(engine) as db:
        return read_content_version(db)


def _path(environ: dict[str, Any]) -> str:
    return str(environ.get("PATH_INFO", "")).encode("latin-1", "replace").decode("utf-8", "replace")


def _origin(environ: dict[str, Any]) -> str:
    """What ``url_for`` makes links of: scheme, host with port, and SCRIPT_NAME."""
    return f"{environ.get('wsgi.url_scheme', 'http')}://{get_host(environ)}{environ.get('SCRIPT_NAME', '')}"


def _own_root(app: Flask) -> str:
    """The only SCRIPT_NAME whose pages are stored: the app's ``APPLICATION_ROOT`` (``""`` for ``/``)."""
    return str(app.config.get("APPLICATION_ROOT") or "/").rstrip("/")


def page_key(environ: dict[str, Any], shape: Shape, query: MultiDict[str, str] | None = None) -> str:
    """``gz http://host/vi/monuments/ (q,) q=…``: the compression the client accepts, the origin,
    the path, the names the page read and their values (the whole query for a page that read it
    as a whole). Built from the WSGI environment the same way for storing and for serving."""
    gzip = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
    if shape is None:
        values = str(environ.get("QUERY_STRING", ""))
    elif not shape:
        values = ""
    else:
        query = query if query is not None else MultiDict(parse_query(environ.get("QUERY_STRING", "")))
        values = urlencode([(name, value) for name in shape for value in query.getlist(name)])
    return f"{'gz' if gzip else 'id'} {_origin(environ)}{_path(environ)} {shape!r} {values}"


def _eligible_request() -> bool:
    return (
        request.method == "GET"
        and request.blueprint in CACHEABLE_BLUEPRINTS
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        and not current_app.config.get("PAGE_CACHE_DISABLED", False)
    )


def _current_version() -> int:
    engine: Engine = current_app.extensions["portal.engine"]
    return _cache().version(lambda: _read_version(engine))


def _note_version() -> None:
    """Remember the content version a page is rendered from (read before rendering, so that a
    page rendered while an editor saves is stored as stale, never as fresh)."""
    if _eligible_request():
        g.page_cache_version = _current_version()


def _only_language_cookie(response: Response) -> bool:
    return all(value.startswith(f"{LANGUAGE_COOKIE}=") for value in response.headers.getlist("Set-Cookie"))


def _store_page(response: Response) -> Response:
    if "page_cache_version" not in g:
        return response
    if (response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or not _only_language_cookie(response) or session.modified or dict(session)
            or g.get("csrf_token") or "no-store" in response.headers.get("Cache-Control", "")
            or "private" in response.headers.get("Cache-Control", "")):
        return response
    environ = request.environ
    record = getattr(request, "query_record", None)
    if environ.get("SCRIPT_NAME", "") != _own_root(current_app) or not isinstance(record, QueryRecord):
        return response
    shape = record.shape()
    if shape is None and environ.get("QUERY_STRING"):
        return response  # the page depends on every parameter: it would be one entry per query
    body = response.get_data()
    if len(body) > MAX_BODY_BYTES:
        return response
    response.add_etag()
    headers = tuple((k, v) for k, v in response.headers.items() if k not in LIVE_HEADERS)
    lang = g.get("lang")
    _cache().put(_path(environ), shape, page_key(environ, shape), StoredPage(
        g.page_cache_version, response.status_code, headers, body, etag=response.headers.get("ETag", ""),
        lang=lang if isinstance(lang, str) else None, origin=_origin(environ)))
    response.make_conditional(request)
    return response


class PageCacheMiddleware:
    """Serves stored pages before Flask is involved; everything else goes to the app."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cache: PageCache = app.extensions["portal.page_cache"]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        page, cookies = self._stored(environ)
        if page is None:
            return self.wsgi_app(environ, start_response)
        return self._serve(page, cookies, environ, start_response)

    def _stored(self, environ: dict[str, Any]) -> tuple[StoredPage | None, dict[str, str]]:
        config = self.app.config
        if environ.get("REQUEST_METHOD") != "GET" or config.get("PAGE_CACHE_DISABLED", False) \
                or environ.get("SCRIPT_NAME", "") != _own_root(self.app):
            return None, {}
        shapes = self.cache.shapes(_path(environ))
        if not shapes:
            return None, {}
        cookie_header = environ.get("HTTP_COOKIE", "")
        cookies = parse_cookie(cookie_header).to_dict() if cookie_header else {}
        if config["SESSION_COOKIE_NAME"] in cookies:
            return None, cookies
        engine: Engine = self.app.extensions["portal.engine"]
        version = self.cache.version(lambda: _read_version(engine))
        origin = _origin(environ)
        query = MultiDict(parse_query(environ.get("QUERY_STRING", ""))) if any(shapes) else None
        for shape in shapes:
            page = self.cache.get(page_key(environ, shape, query), version)
            if page is not None and page.origin == origin:
                return page, cookies
        return None, cookies

    def _serve(self, page: StoredPage, cookies: dict[str, str], environ: dict[str, Any],
               start_response: StartResponse) -> Iterable[bytes]:
        headers = list(page.headers)
        if page.lang and cookies.get(LANGUAGE_COOKIE) != page.lang:
            headers.append(("Set-Cookie", dump_cookie(
                LANGUAGE_COOKIE, page.lang, **language_cookie_options(bool(self.app.config["PRODUCTION"])))))
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and page.etag and parse_etags(if_none_match).contains_raw(page.etag):
            start_response("304 Not Modified", [(k, v) for k, v in headers if not is_entity_header(k)])
            return [b""]
        start_response(f"{page.status} OK", headers)
        return [page.body]
