"""The site's menu and the pages listed in the sitemap, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l

# (endpoint, label). Pages appear once their blueprint registers the endpoint.
NAV_LINKS = (
    ("public.home", _l("Home")),
    ("tips.new", _l("Report a burial site")),
    ("public.monuments", _l("Monuments")),
    ("public.repatriation", _l("Search and repatriation")),
    ("public.statistics", _l("Figures")),
    ("public.news", _l("News")),
    ("public.help", _l("Help for families")),
    ("tips.status", _l("Follow up a report")),
)
SITEMAP_ENDPOINTS = (
    "public.home", "public.monuments", "public.repatriation", "public.statistics", "public.help",
    "public.news", "public.privacy", "tips.new",
)


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
            NavLink(url=url_for(endpoint), label=str(label), current=request.endpoint == endpoint)
            for endpoint, label in NAV_LINKS
            if endpoint in current_app.view_functions
        ]
        if len(cache) < 1000:
            cache[key] = links
    return list(links)


def init_app(app: Flask) -> None:
    from portal import geo

    app.jinja_env.globals.update(nav_links=nav_links, geo_data_year=geo.DATA_YEAR)
