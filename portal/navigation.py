"""The public pages, declared once: the menu, the sitemap and the staff's page editor read them.

A fixed public page is one :class:`SitePage` in :data:`PAGES` (its view lives in its blueprint);
the order of :data:`PAGES` is the menu's and the sitemap's. Monuments and news items are added to
the sitemap from the database (``portal.public.views.sitemap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l

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


def init_app(app: Flask) -> None:
    from portal import geo

    app.jinja_env.globals.update(nav_links=nav_links, geo_data_year=geo.DATA_YEAR)
