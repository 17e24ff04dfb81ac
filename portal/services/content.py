"""Public content, read side: monument search, text in the visitor's language, figures and news.

Text is stored per language and a language may be missing. :func:`pick` returns the best text
for a visitor together with the language it is actually in, so a page can mark a block written
in another language with its own ``lang`` and tell the visitor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any, Protocol
from urllib.parse import urlsplit

from markupsafe import Markup
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from portal import geo
from portal.config import LANGUAGES
from portal.i18n import KHMER_DIGITS, fold
from portal.models.content import Figure, Monument, MonumentPhoto, MonumentSource, NewsItem, Page

# After the visitor's own language: Vietnamese (most content is written in it first), English, Khmer.
FALLBACK_ORDER = ("vi", "en", "km")
PAGE_SIZE = 12
NEWS_PAGE_SIZE = 10
QUERY_MAX = 100
SEASON_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REPATRIATION_PAGE = "repatriation"
HELP_PAGE = "help"


class HasLang(Protocol):
    lang: str


@dataclass(frozen=True)
class Localized:
    """A piece of text and the language it is in (which may differ from the one asked for)."""

    value: str
    lang: str
    requested: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.value) and self.lang != self.requested

    @property
    def html(self) -> Markup:
        """Rich text, already cleaned by ``portal.sanitize.clean_rich_text`` when it was saved."""
        return Markup(self.value)  # noqa: S704

    @property
    def plain(self) -> str:
        return Markup(self.value).striptags()  # noqa: S704

    def __bool__(self) -> bool:
        return bool(self.value)

    def __str__(self) -> str:
        return self.value


def language_order(lang: str) -> tuple[str, ...]:
    return (lang, *(code for code in FALLBACK_ORDER if code != lang))


def pick(rows: Iterable[Any], lang: str, field_name: str) -> Localized:
    """The text of ``field_name`` in ``lang``, else in the first language of the fallback order."""
    by_lang = {row.lang: row for row in rows}
    for code in language_order(lang):
        row = by_lang.get(code)
        value = str(getattr(row, field_name, "") or "") if row is not None else ""
        if value.strip():
            return Localized(value, code, lang)
    return Localized("", lang, lang)


def is_valid_slug(slug: str) -> bool:
    return len(slug) <= 80 and bool(SLUG_PATTERN.match(slug))


def season_label(season: str | None) -> str:
    """``2024-2025`` → ``2024–2025`` (an en dash, as written in the sources)."""
    return season.replace("-", "\u2013") if season else ""


def is_valid_season(season: str | None) -> bool:
    match = SEASON_PATTERN.match(season or "")
    return bool(match) and int(match.group(2)) == int(match.group(1)) + 1  # type: ignore[union-attr]


# --- Monuments -------------------------------------------------------------------------------


def monument_search_text(monument: Monument) -> str:
    """Everything a visitor might type to find this monument, folded."""
    parts: list[str] = [monument.slug.replace("-", " "), monument.address]
    for text in monument.texts:
        parts.append(text.name)
        for rich in (text.history, text.visiting, text.ceremonies):
            parts.append(Markup(rich or "").striptags())  # noqa: S704
    parts.extend(geo.province_names(monument.province_code))
    district = geo.district(monument.district_code)
    if district is not None:
        parts.extend((district.name_en, district.name_kh))
    return " | ".join(folded for folded in (fold(part) for part in parts) if folded)


def refresh_search_text(monument: Monument) -> None:
    monument.search_text = monument_search_text(monument)


@dataclass(frozen=True)
class MonumentCard:
    slug: str
    name: Localized
    province: geo.Place | None
    district: geo.Place | None
    is_sample: bool
    photo: MonumentPhoto | None
    photo_alt: Localized | None


@dataclass(frozen=True)
class MonumentPage:
    items: list[MonumentCard]
    total: int
    page: int
    pages: int
    q: str
    province: str | None
    matched_province: geo.Place | None = None


def normalise_query(q: str | None) -> str:
    return " ".join((q or "").split())[:QUERY_MAX]


def _monument_filter(q: str, province: str | None) -> tuple[list[Any], geo.Place | None]:
    conditions: list[Any] = [Monument.published.is_(True)]
    if province and geo.province(province) is not None:
        conditions.append(Monument.province_code == province)
    matched = None
    folded = fold(q)
    if folded:
        terms = folded.split()
        text_match = and_(*(Monument.search_text.contains(term, autoescape=True) for term in terms))
        code = geo.find_province(q)
        matched = geo.province(code)
        conditions.append(or_(text_match, Monument.province_code == code) if code else text_match)
    return conditions, matched


def card(monument: Monument, lang: str) -> MonumentCard:
    photo = monument.photos[0] if monument.photos else None
    return MonumentCard(
        slug=monument.slug,
        name=pick(monument.texts, lang, "name"),
        province=geo.province(monument.province_code),
        district=geo.district(monument.district_code),
        is_sample=monument.is_sample,
        photo=photo,
        photo_alt=photo_alt(photo, lang) if photo else None,
    )


def search_monuments(session: Session, lang: str, q: str | None = "", province: str | None = None,
                     page: int = 1, per_page: int = PAGE_SIZE) -> MonumentPage:
    """Published monuments matching a folded search and a province, a page at a time.

    ``q`` matches any name or text in any language typed with or without Vietnamese diacritics
    or Khmer zero-width spaces; a query that is a province's name in any form also matches every
    monument in that province.
    """
    q = normalise_query(q)
    province = province if geo.province(province) is not None else None
    conditions, matched = _monument_filter(q, province)
    total = session.scalar(select(func.count(Monument.id)).where(*conditions)) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    monuments = session.scalars(
        select(Monument).where(*conditions).order_by(Monument.province_code, Monument.slug)
        .limit(per_page).offset((page - 1) * per_page)
        .options(selectinload(Monument.texts), selectinload(Monument.photos))
    ).all()
    return MonumentPage(items=[card(m, lang) for m in monuments], total=total, page=page, pages=pages,
                        q=q, province=province, matched_province=matched)


def featured_monuments(session: Session, lang: str, limit: int = 4) -> list[MonumentCard]:
    """A few recently updated monuments, those written in the visitor's language first."""
    monuments = session.scalars(
        select(Monument).where(Monument.published.is_(True))
        .order_by(Monument.updated_at.desc(), Monument.slug).limit(limit * 5)
        .options(selectinload(Monument.texts), selectinload(Monument.photos))
    ).all()
    cards = sorted((card(m, lang) for m in monuments), key=lambda c: c.name.is_fallback)
    return cards[:limit]


def province_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Monument.province_code, func.count(Monument.id))
        .where(Monument.published.is_(True)).group_by(Monument.province_code)
    ).all()
    return {code: count for code, count in rows}


def get_monument(session: Session, slug: str, *, published_only: bool = True) -> Monument | None:
    if not is_valid_slug(slug):
        return None
    stmt = select(Monument).where(Monument.slug == slug).options(
        selectinload(Monument.texts), selectinload(Monument.photos), selectinload(Monument.sources))
    if published_only:
        stmt = stmt.where(Monument.published.is_(True))
    return session.scalars(stmt).first()


def photo_alt(photo: MonumentPhoto, lang: str) -> Localized:
    for code in language_order(lang):
        value = photo.alt(code).strip()
        if value:
            return Localized(value, code, lang)
    return Localized("", lang, lang)


@dataclass(frozen=True)
class PhotoView:
    photo: MonumentPhoto
    alt: Localized


# Month names as the dates in each language are written ("ngày 6 tháng 10 năm 2025", "ថ្ងៃទី៦ ខែតុលា ឆ្នាំ២០២៥").
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")
KHMER_MONTHS = ("មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា",
                "វិច្ឆិកា", "ធ្នូ")
SOURCE_DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def source_date_label(published: str, lang: str) -> str:
    """A report's date as precise as it is stored (``2017-02-15``, ``2017-02``, ``2017``); "" if none."""
    match = SOURCE_DATE_PATTERN.match(published or "")
    if not match:
        return ""
    year, month, day = match.group(1), match.group(2), match.group(3)
    m = int(month) if month else 0
    if not 0 <= m <= 12:
        return ""
    if lang == "vi":
        parts = ([f"ngày {int(day)}"] if day and m else []) + ([f"tháng {m}"] if m else []) + [f"năm {year}"]
        return " ".join(parts)
    if lang == "km":
        parts = ([f"ថ្ងៃទី{int(day)}"] if day and m else []) + ([f"ខែ{KHMER_MONTHS[m - 1]}"] if m else []) + \
            [f"ឆ្នាំ{year}"]
        return " ".join(parts).translate(KHMER_DIGITS)
    parts = ([str(int(day))] if day and m else []) + ([ENGLISH_MONTHS[m - 1]] if m else []) + [year]
    return " ".join(parts)


@dataclass(frozen=True)
class SourceView:
    """A cited report as the monument page lists it: ``number`` is the one the facts link to."""

    number: int
    source: MonumentSource
    date: str  # formatted for the page's language; "" when the report gives none
    host: str

    @property
    def iso_date(self) -> str:
        return self.source.published if SOURCE_DATE_PATTERN.match(self.source.published or "") else ""


def source_views(monument: Monument, lang: str) -> list[SourceView]:
    return [SourceView(number=index, source=source, date=source_date_label(source.published, lang),
                       host=urlsplit(source.url).hostname or "")
            for index, source in enumerate(monument.sources, start=1)]


@dataclass(frozen=True)
class MonumentView:
    monument: Monument
    name: Localized
    history: Localized
    visiting: Localized
    ceremonies: Localized
    province: geo.Place | None
    district: geo.Place | None
    photos: list[PhotoView]
    sources: list[SourceView] = field(default_factory=list)


def monument_view(monument: Monument, lang: str) -> MonumentView:
    return MonumentView(
        monument=monument,
        name=pick(monument.texts, lang, "name"),
        history=pick(monument.texts, lang, "history"),
        visiting=pick(monument.texts, lang, "visiting"),
        ceremonies=pick(monument.texts, lang, "ceremonies"),
        province=geo.province(monument.province_code),
        district=geo.district(monument.district_code),
        photos=[PhotoView(p, photo_alt(p, lang)) for p in monument.photos],
        sources=source_views(monument, lang),
    )


def public_photo(session: Session, photo_id: int) -> MonumentPhoto | None:
    """A photo of a published monument (with its bytes); tip photos are never served here."""
    return session.scalars(
        select(MonumentPhoto).join(Monument)
        .where(MonumentPhoto.id == photo_id, Monument.published.is_(True))
        .options(undefer(MonumentPhoto.data))
    ).first()


def all_monument_slugs(session: Session) -> list[tuple[str, Any]]:
    return [(slug, updated) for slug, updated in session.execute(
        select(Monument.slug, Monument.updated_at).where(Monument.published.is_(True))
        .order_by(Monument.slug))]


# --- Pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageView:
    slug: str
    title: Localized
    body: Localized


def page_view(session: Session, slug: str, lang: str) -> PageView | None:
    page = session.scalars(select(Page).where(Page.slug == slug)
                           .options(selectinload(Page.texts))).first()
    if page is None:
        return None
    return PageView(slug=slug, title=pick(page.texts, lang, "title"), body=pick(page.texts, lang, "body"))


# --- Figures ---------------------------------------------------------------------------------


def source_line(cited: Figure | NewsItem, texts: Iterable[Any], lang: str) -> Localized:
    """"Publisher, the report as described, year", in ``lang`` when the source is described in it
    (``source_title`` of the texts), else the description entered with the publisher — in English,
    as the figures and news have been entered so far."""
    described = next((t.source_title for t in texts if t.lang == lang and (t.source_title or "").strip()), "")
    line = ", ".join(part for part in (cited.source_publisher, described or cited.source_title,
                                       str(cited.source_year or "")) if part)
    return Localized(line, lang if described else "en", lang)


@dataclass(frozen=True)
class FigureRow:
    figure: Figure
    label: Localized
    province: geo.Place | None

    @property
    def source(self) -> Localized:
        return source_line(self.figure, self.figure.texts, self.label.requested)


@dataclass(frozen=True)
class SeasonGroup:
    season: str | None  # None: all dry seasons together
    rows: list[FigureRow]

    def by_unit(self, unit: str) -> list[FigureRow]:
        return [row for row in self.rows if row.figure.unit == unit]


def official_figures(session: Session, lang: str, season: str | None = None,
                     province: str | None = None) -> list[SeasonGroup]:
    """Official figures (each with its source), newest dry season first, all-time figures last."""
    # One joined query, whatever the number of figures (selectinload splits long IN lists).
    stmt = select(Figure).where(Figure.is_official.is_(True)).options(joinedload(Figure.texts))
    if season == "all":
        stmt = stmt.where(Figure.season.is_(None))
    elif is_valid_season(season):
        stmt = stmt.where(Figure.season == season)
    if geo.province(province) is not None:
        stmt = stmt.where(Figure.province_code == province)
    figures = session.scalars(stmt.order_by(Figure.province_code.is_not(None), Figure.province_code,
                                            Figure.id)).unique().all()
    groups: dict[str | None, list[FigureRow]] = {}
    for figure in figures:
        groups.setdefault(figure.season, []).append(
            FigureRow(figure, pick(figure.texts, lang, "label"), geo.province(figure.province_code)))
    order = sorted((s for s in groups if s is not None), reverse=True) + ([None] if None in groups else [])
    return [SeasonGroup(s, groups[s]) for s in order]


def figure_seasons(session: Session) -> list[str]:
    seasons = session.scalars(select(Figure.season).where(Figure.season.is_not(None)).distinct()).all()
    return sorted((s for s in seasons if s), reverse=True)


def figure_provinces(session: Session) -> list[str]:
    codes = session.scalars(select(Figure.province_code).where(Figure.province_code.is_not(None))
                            .distinct()).all()
    return sorted(c for c in codes if c)


@dataclass(frozen=True)
class PortalFigure:
    """A number recorded through this portal (field outcomes), never mixed with official figures."""

    season: str | None
    province_code: str | None
    label: str
    value: int


PortalFigureProvider = Callable[[Session], Sequence[PortalFigure]]
# The hand-off feature registers a provider here; the statistics page shows its figures separately.
PORTAL_FIGURE_PROVIDERS: list[PortalFigureProvider] = []


def portal_figures(session: Session, season: str | None = None,
                   province: str | None = None) -> list[PortalFigure]:
    found: list[PortalFigure] = []
    for provider in PORTAL_FIGURE_PROVIDERS:
        found.extend(provider(session))
    if season == "all":
        found = [f for f in found if f.season is None]
    elif is_valid_season(season):
        found = [f for f in found if f.season == season]
    if geo.province(province) is not None:
        found = [f for f in found if f.province_code == province]
    return found


# --- News ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewsCard:
    item: NewsItem
    title: Localized
    summary: Localized
    body: Localized = field(default_factory=lambda: Localized("", "", ""))

    @property
    def source(self) -> Localized:
        return source_line(self.item, self.item.texts, self.title.requested)


@dataclass(frozen=True)
class NewsPage:
    items: list[NewsCard]
    page: int
    pages: int
    total: int


def news_card(item: NewsItem, lang: str, *, with_body: bool = False) -> NewsCard:
    return NewsCard(item=item, title=pick(item.texts, lang, "title"), summary=pick(item.texts, lang, "summary"),
                    body=pick(item.texts, lang, "body") if with_body else Localized("", lang, lang))


def _news_query() -> Any:
    return (select(NewsItem).where(NewsItem.published.is_(True))
            .order_by(NewsItem.published_on.desc(), NewsItem.id.desc())
            .options(selectinload(NewsItem.texts)))


def latest_news(session: Session, lang: str, limit: int = 3, *, with_body: bool = False) -> list[NewsCard]:
    return [news_card(item, lang, with_body=with_body)
            for item in session.scalars(_news_query().limit(limit)).all()]


def news_page(session: Session, lang: str, page: int = 1, per_page: int = NEWS_PAGE_SIZE) -> NewsPage:
    total = session.scalar(select(func.count(NewsItem.id)).where(NewsItem.published.is_(True))) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    items = session.scalars(_news_query().limit(per_page).offset((page - 1) * per_page)).all()
    return NewsPage(items=[news_card(i, lang) for i in items], page=page, pages=pages, total=total)


def get_news(session: Session, slug: str) -> NewsItem | None:
    if not is_valid_slug(slug):
        return None
    return session.scalars(select(NewsItem).where(NewsItem.slug == slug, NewsItem.published.is_(True))
                           .options(selectinload(NewsItem.texts))).first()


def all_news_slugs(session: Session) -> list[tuple[str, Any]]:
    return [(slug, updated) for slug, updated in session.execute(
        select(NewsItem.slug, NewsItem.updated_at).where(NewsItem.published.is_(True))
        .order_by(NewsItem.published_on.desc(), NewsItem.id.desc()))]


# --- What lacks a translation ----------------------------------------------------------------

# The fields every language should have, per kind of content.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "monument": ("name", "history"),
    "page": ("title", "body"),
    "figure": ("label",),
    "news": ("title", "summary", "body"),
}


@dataclass(frozen=True)
class MissingTranslation:
    kind: str  # monument, page, figure, news
    id: int
    slug: str
    title: Localized
    missing: tuple[str, ...]  # language codes


def _missing(rows: Sequence[Any], fields: tuple[str, ...]) -> tuple[str, ...]:
    by_lang = {row.lang: row for row in rows}
    return tuple(code for code in LANGUAGES
                 if code not in by_lang or any(not str(getattr(by_lang[code], f) or "").strip() for f in fields))


def missing_translations(session: Session, lang: str) -> list[MissingTranslation]:
    """Every monument, page, figure and news item lacking text in at least one language."""
    found: list[MissingTranslation] = []
    for monument in session.scalars(select(Monument).options(selectinload(Monument.texts))
                                    .order_by(Monument.slug)):
        missing = _missing(monument.texts, REQUIRED_FIELDS["monument"])
        if missing:
            found.append(MissingTranslation("monument", monument.id, monument.slug,
                                            pick(monument.texts, lang, "name"), missing))
    for page in session.scalars(select(Page).options(selectinload(Page.texts)).order_by(Page.slug)):
        missing = _missing(page.texts, REQUIRED_FIELDS["page"])
        if missing:
            found.append(MissingTranslation("page", page.id, page.slug, pick(page.texts, lang, "title"), missing))
    for figure in session.scalars(select(Figure).options(selectinload(Figure.texts)).order_by(Figure.id)):
        missing = _missing(figure.texts, REQUIRED_FIELDS["figure"])
        if missing:
            found.append(MissingTranslation("figure", figure.id, figure.metric,
                                            pick(figure.texts, lang, "label"), missing))
    for item in session.scalars(select(NewsItem).options(selectinload(NewsItem.texts))
                                .order_by(NewsItem.published_on.desc())):
        missing = _missing(item.texts, REQUIRED_FIELDS["news"])
        if missing:
            found.append(MissingTranslation("news", item.id, item.slug, pick(item.texts, lang, "title"), missing))
    return found
