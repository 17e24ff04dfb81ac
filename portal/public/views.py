"""Public pages. Views stay thin: they read settings or call services and render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal import geo
from portal.config import SETTINGS
from portal.db import get_session
from portal.i18n import (
    LANGUAGE_NAMES_IN_SENTENCES,
    LOCALES,
    current_locale,
    fold,
    format_number,
    locale_dependent,
    localise_digits,
    preferred_locale,
    url_in_language,
)
from portal.navigation import SITEMAP_ENDPOINTS
from portal.public import bp
from portal.services import charts, field_outcomes, site_stats  # noqa: F401  (field_outcomes, site_stats: figures recorded through this portal)
from portal.services import content as content_service

LANGUAGE_LABELS = LANGUAGE_NAMES_IN_SENTENCES
OG_LOCALES = {"vi": "vi_VN", "km": "km_KH", "en": "en_US"}
UNIT_TITLES = {"sets": _l("Sets of remains"), "teams": _l("Search teams")}
CONTACT_SETTINGS = ("CONTACT_PHONE", "CONTACT_ZALO", "CONTACT_ADDRESS")
PHOTO_MAX_AGE = 7 * 24 * 3600


# --- Template helpers (used by base.html and the content templates) ----------------------------


@bp.app_template_test("endpoint")
def is_endpoint(name: str) -> bool:
    """``{% if "tips.new" is endpoint %}``: true once some blueprint has registered the page."""
    return name in current_app.view_functions


@bp.app_template_global()
def canonical_url() -> str:
    """This page's one address in its language (query kept: a filtered list is its own page)."""
    return url_in_language(current_locale(), external=True)


@bp.app_template_global()
def language_label(code: str) -> str:
    return str(LANGUAGE_LABELS.get(code, code))


@bp.app_template_global()
def og_locale(code: str) -> str:
    return OG_LOCALES.get(code, code)


@bp.app_template_global()
def province_name(code: str | None) -> str:
    place = geo.province(code)
    return place.name(current_locale()) if place else ""


@bp.app_template_filter("season")
@locale_dependent
def season_filter(season: str | None) -> str:
    return content_service.season_label(season)


def _page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


# --- Pages -----------------------------------------------------------------------------------


@bp.get("/")
def root() -> Response:
    response = redirect(url_for("public.home", lang=preferred_locale()), code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response  # type: ignore[return-value]


@bp.get("/<lang:lang>/")
def home() -> str:
    lang = current_locale()
    session = get_session()
    return render_template(
        "public/home.html",
        news=content_service.latest_news(session, lang, limit=3),
        monuments=content_service.featured_monuments(session, lang, limit=4),
    )


@bp.get("/<lang:lang>/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.get("/<lang:lang>/monuments/")
def monuments() -> str:
    lang = current_locale()
    session = get_session()
    listing = content_service.search_monuments(
        session, lang, q=request.args.get("q", ""), province=request.args.get("province") or None,
        page=_page_arg())
    counts = content_service.province_counts(session)
    provinces = sorted((p for p in geo.provinces() if p.code in counts or p.code == listing.province),
                       key=lambda p: p.name(lang).casefold())
    return render_template("public/monuments.html", listing=listing, provinces=provinces, counts=counts)


@bp.get("/<lang:lang>/monuments/<slug>")
def monument(slug: str) -> str:
    lang = current_locale()
    found = content_service.get_monument(get_session(), slug)
    if found is None:
        abort(404)
    view = content_service.monument_view(found, lang)
    return render_template("public/monument.html", view=view, m=found,
                           tile_url=current_app.config["TILE_URL"])


@bp.get("/monuments/photos/<int:photo_id>")
def monument_photo(photo_id: int) -> Response:
    """A photo of a published monument. Tip photos live elsewhere and are never served here."""
    photo = content_service.public_photo(get_session(), photo_id)
    if photo is None:
        abort(404)
    response = Response(photo.data, mimetype=photo.content_type)
    response.headers["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}"
    response.headers["Content-Disposition"] = "inline"
    response.add_etag()
    return response.make_conditional(request)  # type: ignore[return-value]


@bp.get("/<lang:lang>/repatriation/")
def repatriation() -> str:
    lang = current_locale()
    session = get_session()
    page = content_service.page_view(session, content_service.REPATRIATION_PAGE, lang)
    return render_template("public/repatriation.html", page=page)


@bp.get("/<lang:lang>/statistics/")
def statistics() -> str:
    lang = current_locale()
    session = get_session()
    season = request.args.get("season") or None
    if season != "all" and not content_service.is_valid_season(season):
        season = None
    province = request.args.get("province") or None
    if geo.province(province) is None:
        province = None
    groups = content_service.official_figures(session, lang, season=season, province=province)
    charts_by_group = {}
    for index, group in enumerate(groups):
        rows = group.by_unit("sets")
        if not rows:
            continue
        bars = [charts.Bar(_bar_label(row), row.figure.value,
                           row.label.lang if row.label.is_fallback else None) for row in rows]
        title = _("Sets of remains, %(season)s", season=_season_title(group.season))
        charts_by_group[index] = charts.bar_chart(
            bars, chart_id=f"chart-{index}", title=title, locale=lang,
            description=charts.describe(bars, format_number), format_value=format_number)
    return render_template(
        "public/statistics.html", groups=groups, charts=charts_by_group,
        season=season, province=province,
        seasons=content_service.figure_seasons(session),
        provinces=[p for p in (geo.province(c) for c in content_service.figure_provinces(session)) if p],
        portal_figures=content_service.portal_figures(session, season=season, province=province),
        has_portal_figures=bool(content_service.PORTAL_FIGURE_PROVIDERS),
    )


@bp.get("/<lang:lang>/statistics/communes")
def site_map() -> str:
    """Sites told about through this portal, counted per commune: aggregated in
    ``portal.services.site_stats``; never a position, a village or a site's name (issue #18)."""
    lang = current_locale()
    by_province: dict[str, list[tuple[str, int, int]]] = {}
    for count in site_stats.public_commune_counts(get_session()):
        commune = geo.commune(count.commune_code)
        if commune is None:
            continue
        by_province.setdefault(count.commune_code[:2], []).append((commune.name(lang), count.sites, count.remains))
    provinces = [(p.name(lang), by_province[code]) for code in sorted(by_province) if (p := geo.province(code))]
    bars = [charts.Bar(name, sum(sites for _n, sites, _r in communes)) for name, communes in provinces]
    chart = charts.bar_chart(bars, chart_id="communes-chart", title=_("Sites per province"), locale=lang,
                             description=charts.describe(bars, format_number), format_value=format_number) \
        if bars else None
    return render_template("public/site_map.html", provinces=provinces, chart=chart)


def _season_title(season: str | None) -> str:
    if season is None:
        return _("all dry seasons")
    return _("dry season %(season)s", season=localise_digits(content_service.season_label(season)))


def _bar_label(row: content_service.FigureRow) -> str:
    """The figure's label, with its province unless the label already names it."""
    folded = fold(row.label.value)
    if row.province is None or any(fold(name) in folded for name in geo.province_names(row.province.code)):
        return row.label.value
    return _("%(label)s (%(province)s)", label=row.label.value, province=row.province.name(current_locale()))


@dataclass(frozen=True)
class Source:
    """A public source the help page cites: publisher and title as published (in Vietnamese), when, where."""

    cited: str
    published: Any  # lazy_gettext: the date as the reader's language writes it ("" when undated)
    url: str
    quoted_by: str = ""  # the page that quotes a document we could not read ourselves


# The families' help page, on DNA samples from relatives (issue #19).
DNA_SOURCES = (
    Source("Báo Dân tộc và Phát triển, “Thủ tướng Phạm Minh Chính dự Hội nghị trực tuyến sơ kết 1 năm triển khai "
           "kế hoạch thu nhận mẫu ADN cho thân nhân liệt sĩ”", _l("25 July 2025"),
           "https://cacchuongtrinhmuctieuquocgia.baodantoc.vn/thu-tuong-pham-minh-chinh-du-hoi-nghi-truc-tuyen-so-"
           "ket-1-nam-trien-khai-ke-hoach-thu-nhan-mau-adn-cho-than-nhan-liet-si-1753444077479.htm"),
    Source("Cục Người có công, Công văn số 600/NCC-TBLS ngày 21/6/2012", "",
           "https://genlab.vn/xet-nghiem-hai-cot-liet-sy/", quoted_by="GENLAB, “Xét nghiệm ADN hài cốt liệt sỹ”"),
    Source("Dân trí, “Đột phá giám định ADN, nâng tỷ lệ xác định hài cốt liệt sỹ lên 93%”", _l("26 December 2025"),
           "https://dantri.com.vn/noi-vu/dot-pha-giam-dinh-adn-nang-ty-le-xac-dinh-hai-cot-liet-sy-len-93-"
           "20251226095102161.htm"),
)


@bp.get("/<lang:lang>/help")
def help() -> str:
    lang = current_locale()
    page = content_service.page_view(get_session(), content_service.HELP_PAGE, lang)
    defaults = {s.key: s.default for s in SETTINGS}
    contacts = {key: current_app.config.get(key, "") for key in CONTACT_SETTINGS}
    samples = {key: not value or value == defaults.get(key) or "(sample)" in str(value)
               for key, value in contacts.items()}
    phone_digits = "".join(c for c in str(contacts["CONTACT_PHONE"]) if c.isdigit() or c == "+")
    return render_template("public/help.html", page=page, contacts=contacts, samples=samples,
                           phone_digits=phone_digits, dna_sources=DNA_SOURCES)


@bp.get("/<lang:lang>/news/")
def news() -> str:
    listing = content_service.news_page(get_session(), current_locale(), page=_page_arg())
    return render_template("public/news.html", listing=listing)


@bp.get("/<lang:lang>/news/<slug>")
def news_item(slug: str) -> str:
    item = content_service.get_news(get_session(), slug)
    if item is None:
        abort(404)
    return render_template("public/news_item.html",
                           item=content_service.news_card(item, current_locale(), with_body=True))


@bp.get("/<lang:lang>/news/feed.xml")
def news_feed() -> tuple[str, int, dict[str, str]]:
    lang = current_locale()
    items = content_service.latest_news(get_session(), lang, limit=20, with_body=True)
    updated = max((_moment(card.item) for card in items), default=datetime(2025, 1, 1, tzinfo=UTC))
    body = render_template("public/feed.xml", items=items, updated=updated, moment=_moment)
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


def _moment(item: Any) -> datetime:
    """When a news item last changed, for Atom: its date, or its last edit if later."""
    published = datetime.combine(item.published_on, time(0, 0), tzinfo=UTC)
    edited = item.updated_at or published
    return max(published, edited)


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """200 ``ok`` when the database answers, 503 when it does not (for load balancers)."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("Health check: the database is unavailable")
        return "unavailable", 503, headers
    return "ok", 200, headers


@bp.get("/robots.txt")
def robots() -> tuple[str, int, dict[str, str]]:
    lines = ["User-agent: *", *(f"Disallow: /{lang}/staff/" for lang in LOCALES),
             *(f"Disallow: /{lang}/tips/status" for lang in LOCALES),
             f"Sitemap: {url_for('public.sitemap', _external=True)}"]
    return "\n".join(lines) + "\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/sitemap.xml")
def sitemap() -> tuple[str, int, dict[str, str]]:
    """Every public page in every language, each with its alternates: fixed pages, monuments, news."""
    session = get_session()
    entries: list[tuple[str, dict[str, str], Any]] = [
        (endpoint, {}, None) for endpoint in SITEMAP_ENDPOINTS if endpoint in current_app.view_functions]
    entries += [("public.monument", {"slug": slug}, updated)
                for slug, updated in content_service.all_monument_slugs(session)]
    entries += [("public.news_item", {"slug": slug}, updated)
                for slug, updated in content_service.all_news_slugs(session)]
    body = render_template("public/sitemap.xml", entries=entries)
    return body, 200, {"Content-Type": "application/xml; charset=utf-8"}
