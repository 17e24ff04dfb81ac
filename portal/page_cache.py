"""A cache of rendered public pages for anonymous visitors, with ETags and 304s.

A page is stored only when nothing in it belongs to one visitor: the request carried no session
cookie, the response sets no cookie, and rendering neither wrote to the session nor made a CSRF
token. A stored page is served again while the public content version is unchanged; editors'
changes bump that version (``bump_content_version``), which every worker reads at most once a
second, so no worker serves an old page for longer than that.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.db import get_session
from portal.models.site_state import SiteState

CONTENT_VERSION = "content_version"
VERSION_TTL_SECONDS = 1.0
MAX_PAGES = 2000
CACHEABLE_BLUEPRINTS = frozenset({"public"})
# Headers that must come from the live request, never from the stored page.
LIVE_HEADERS = frozenset({"Set-Cookie", "Content-Security-Policy", "Date"})


@dataclass(frozen=True)
class StoredPage:
    version: int
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


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
    app.extensions["portal.page_cache"] = PageCache()
    app.before_request(_serve_stored_page)
    app.after_request(_store_page)


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


def _key() -> str:
    gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    return f"{'gz' if gzip else 'id'} {request.full_path}"


def _eligible_request() -> bool:
    return (
        request.method == "GET"
        and request.blueprint in CACHEABLE_BLUEPRINTS
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        and not current_app.config.get("PAGE_CACHE_DISABLED", False)
    )


def _current_version() -> int:
    return _cache().version(lambda: read_content_version(get_session()))


def _serve_stored_page() -> Response | None:
    if not _eligible_request():
        return None
    version = _current_version()
    stored = _cache().get(_key(), version)
    if stored is None:
        g.page_cache_version = version
        return None
    g.page_cache_hit = True
    response = Response(stored.body, status=stored.status)
    response.headers.clear()
    for name, value in stored.headers:
        response.headers.add(name, value)
    response.make_conditional(request)
    return response


def _store_page(response: Response) -> Response:
    if g.get("page_cache_hit") or "page_cache_version" not in g:
        return response
    if (response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or "Set-Cookie" in response.headers or session.modified or dict(session)
            or g.get("csrf_token") or "no-store" in response.headers.get("Cache-Control", "")):
        return response
    response.add_etag()
    headers = tuple((k, v) for k, v in response.headers.items() if k not in LIVE_HEADERS)
    _cache().put(_key(), StoredPage(g.page_cache_version, response.status_code, headers, response.get_data()))
    response.make_conditional(request)
    return response
