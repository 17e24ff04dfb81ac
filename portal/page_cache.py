"""A cache of rendered public pages for anonymous visitors, with ETags and 304s.

A page is stored only when nothing in it belongs to one visitor: the request carried no session
cookie, the response sets no cookie but the language choice, and rendering neither wrote to the
session nor made a CSRF token. A stored page is served again while the public content version is
unchanged; editors' changes bump that version (``bump_content_version``), which every worker reads
at most once a second, so no worker serves an old page for longer than that.

Stored pages are served by a small WSGI middleware in front of Flask, so a visitor arriving
after a news story costs little more than a hello-world response. The only thing added to a
stored page on the way out is the language cookie, for a visitor who does not have it yet.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.http import dump_cookie, is_entity_header, parse_cookie, parse_etags

from portal.i18n import LANGUAGE_COOKIE, language_cookie_options
from portal.models.site_state import SiteState

CONTENT_VERSION = "content_version"
VERSION_TTL_SECONDS = 1.0
MAX_PAGES = 2000
MAX_BODY_BYTES = 512 * 1024
CACHEABLE_BLUEPRINTS = frozenset({"public"})
# Headers that must come from the live response, never from the stored page.
LIVE_HEADERS = frozenset({"Set-Cookie", "Date"})

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class StoredPage:
    version: int
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str = ""
    lang: str | None = None  # the page's language (its visitor gets the language cookie)
    origin: str = ""  # scheme and host the page was rendered for (its absolute links use them)


class PageCache:
    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self._pages: OrderedDict[str, StoredPage] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_pages
        self._version: tuple[float, int] | None = None

    def get(self, key: str, version: int) -> StoredPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.version != version:
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: StoredPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self._max:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._version = None

    def version(self, read: Callable[[], int]) -> int:
        now = time.monotonic()
        cached = self._version
        if cached is not None and now - cached[0] < VERSION_TTL_SECONDS:
            return cached[1]
        value = int(read())
        self._version = (now, value)
        return value


def init_app(app: Flask) -> None:
    cache = PageCache()
    app.extensions["portal.page_cache"] = cache
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


def page_key(environ: dict[str, Any]) -> str:
    """``gz /vi/monuments/?q=…``: the compression the client accepts, the path and the query.

    Built from the WSGI environment the same way for storing and for serving.
    """
    gzip = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    query = environ.get("QUERY_STRING", "").encode("latin-1").decode("utf-8", "replace")
    return f"{'gz' if gzip else 'id'} /{path.lstrip('/')}?{query}"


def _origin(environ: dict[str, Any]) -> str:
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


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
    body = response.get_data()
    if len(body) > MAX_BODY_BYTES:
        return response
    response.add_etag()
    headers = tuple((k, v) for k, v in response.headers.items() if k not in LIVE_HEADERS)
    lang = g.get("lang")
    _cache().put(page_key(request.environ), StoredPage(
        g.page_cache_version, response.status_code, headers, body, etag=response.headers.get("ETag", ""),
        lang=lang if isinstance(lang, str) else None, origin=_origin(request.environ)))
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
        if environ.get("REQUEST_METHOD") != "GET" or config.get("PAGE_CACHE_DISABLED", False):
            return None, {}
        cookie_header = environ.get("HTTP_COOKIE", "")
        cookies = parse_cookie(cookie_header).to_dict() if cookie_header else {}
        if config["SESSION_COOKIE_NAME"] in cookies:
            return None, cookies
        engine: Engine = self.app.extensions["portal.engine"]
        version = self.cache.version(lambda: _read_version(engine))
        page = self.cache.get(page_key(environ), version)
        if page is None or page.origin != _origin(environ):
            return None, cookies
        return page, cookies

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
