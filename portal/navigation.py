"""The public pages, declared once: the menu, the sitemap and the staff's page editor read them.

A fixed public page is one :class:`SitePage` in :data:`PAGES` (its view lives in its blueprint);
the order of :data:`PAGES` is the menu's and the sitemap's. Monuments and news items are added to
the sitemap from the database (``portal.public.views.sitemap``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.i18n import current_locale
from portal.page_cache import CACHEABLE_BLUEPRINTS, link_query
from portal.services.content import HELP_PAGE, REPATRIATION_PAGE


@dataclass(frozen=True)
class SitePage:
    """A fixed public page.

    ``slug`` names the page's editable text (the content ``Page`` row that editors change at
    ``/staff/content/pages/<slug>`` and the view shows); None for a page whose words are all in
    its template. ``staff_label`` is its name in the staff content list (default: ``label``).
    A page appears once its blueprint registers the endpoint.
    """

    endpoint: str
    label: Any  # lazy_gettext: its name in the menu
    in_menu: bool = True
    in_sitemap: bool = True
    slug: str | None = None
    staff_label: Any = None

    @property
    def editable(self) -> bool:
        return self.slug is not None

    @property
    def editor_label(self) -> Any:
        return self.staff_label if self.staff_label is not None else self.label


PAGES = (
    SitePage("public.home", _l("Home")),
    SitePage("tips.new", _l("Report a burial site")),
    SitePage("public.monuments", _l("Monuments")),
    SitePage("public.repatriation", _l("Search and repatriation"), slug=REPATRIATION_PAGE),
    SitePage("public.statistics", _l("Figures")),
    SitePage("public.site_map", _l("Sites per commune"), in_menu=False),
    SitePage("public.news", _l("News")),
    SitePage("public.help", _l("Help for families"), slug=HELP_PAGE,
             staff_label=_l("Asking about a relative (help for families)")),
    SitePage("families.new", _l("Ask about a relative")),
    SitePage("tips.status", _l("Follow up a report"), in_sitemap=False),
    SitePage("families.status", _l("Follow an inquiry"), in_menu=False, in_sitemap=False),
    SitePage("public.privacy", _l("Privacy and safety"), in_menu=False),
)
MENU = tuple(page for page in PAGES if page.in_menu)
SITEMAP_ENDPOINTS = tuple(page.endpoint for page in PAGES if page.in_sitemap)
EDITABLE_PAGES: dict[str, SitePage] = {page.slug: page for page in PAGES if page.slug is not None}


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


def nav_links() -> list[NavLink]:
    """The menu for this page. Built once per language and page kind, then reused: every page
    shows it, and building it (eight ``url_for`` and translations) was a measurable share of a page."""
    from portal.i18n import current_locale

    cache: dict[tuple[str, str | None, str], list[NavLink]] = current_app.extensions.setdefault(
        "portal.nav_links", {})
    key = (current_locale(), request.endpoint, request.script_root)
    links = cache.get(key)
    if links is None:
        links = [
            NavLink(url=url_for(page.endpoint), label=str(page.label), current=request.endpoint == page.endpoint)
            for page in MENU
            if page.endpoint in current_app.view_functions
        ]
        if len(cache) < 1000:
            cache[key] = links
    return list(links)


CHROME_KEPT = 512
_KEPT_LOCK = threading.Lock()
T = TypeVar("T")
_MISSING = object()


def chrome_key(name: str, extra: tuple[Any, ...]) -> tuple[Any, ...]:
    """Everything a piece of the layout may depend on: the language (the page's, and the catalogs'
    under ``force_locale``), the app's root and host, the page (endpoint, path arguments, the query
    its links in other languages keep, the method) and what the template passes (``extra``, e.g.
    a staff member's role)."""
    return (name, extra, str(get_locale()), *_request_key())


def _request_key() -> tuple[Any, ...]:
    """The part of every :func:`chrome_key` that a request fixes, worked out once per request (a page
    asks for up to a dozen pieces). The catalogs' language stays out: ``force_locale`` may change it,
    and so does the query of a page the cache may store (its links keep what it has read so far)."""
    req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup, not eight
    # Kept with the request it belongs to: under one app context (a script, a test) ``g`` outlives
    # the request contexts pushed inside it.
    kept: tuple[Any, tuple[Any, ...]] | None = g.get("chrome_request_key")
    if kept is not None and kept[0] is req and req.blueprint not in CACHEABLE_BLUEPRINTS:
        return kept[1]
    query = link_query()
    pairs = () if not query else tuple(query.items(multi=True)) if hasattr(query, "getlist") else tuple(
        (arg, value) for arg, listed in query.items() for value in listed)
    view_args = tuple(sorted(req.view_args.items())) if req.view_args else ()
    key = (current_locale(), req.script_root, req.host, req.scheme, req.method, req.endpoint, view_args, pairs)
    g.chrome_request_key = (req, key)
    return key


def chrome(name: str, *extra: Any, caller: Callable[[], str]) -> Markup:
    """A piece of the layout, rendered once per :func:`chrome_key` and then reused::

        {% call chrome("site-header") %}…{% endcall %}
        {% call chrome("staff-links", staff_user.role.value) %}…{% endcall %}

    Only for markup that depends on nothing but the key (menus, language links, fixed words):
    never a person's name or words, a flashed message or a CSRF token, which stay outside the
    block. A page of the layout cost as much as its content (a ``url_for`` and a translation for
    every link). Kept per app, the least recently used dropped beyond ``CHROME_KEPT``."""
    # The block's own output: an autoescaped template's, every value in it escaped already.
    return kept("portal.chrome", chrome_key(name, extra), lambda: Markup(caller()), CHROME_KEPT)  # noqa: S704


def kept(store: str, key: Hashable, make: Callable[[], T], limit: int) -> T:
    """What ``make()`` gives for ``key``, made once and kept in the app's ``store`` (the layout's
    pieces, whole pages, the queue's filters form), the least recently used dropped beyond
    ``limit``. ``make`` runs outside the lock: two requests may both make a missing value, and
    either is right."""
    values: OrderedDict[Hashable, Any] = current_app.extensions.setdefault(store, OrderedDict())
    with _KEPT_LOCK:
        value = values.get(key, _MISSING)
        if value is not _MISSING:
            values.move_to_end(key)
            return cast(T, value)
    value = make()
    with _KEPT_LOCK:
        values[key] = value
        while len(values) > limit:
            values.popitem(last=False)
    return value


def init_app(app: Flask) -> None:
    from portal import geo

    app.jinja_env.globals.update(nav_links=nav_links, chrome=chrome, geo_data_year=geo.DATA_YEAR)
