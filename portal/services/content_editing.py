"""Public content, write side: what editors (and the demo loader) change.

Rich text is cleaned by :func:`portal.sanitize.clean_rich_text` here, whoever calls; every change
refreshes the monument's folded search text, marks cached public pages stale and is audited.
Staff pages call the functions at the end (``edit_*``, ``remove_*``, ``upload_photo``), each of
which opens its own ``portal.db.write_transaction``; the steps they are made of (``save_*``,
``delete_*``, ``add_photo``, ``update_photo``) run inside a transaction their caller opened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import geo
from portal.config import LANGUAGES
from portal.db import write_transaction
from portal.models.content import (
    Figure,
    FigureText,
    Monument,
    MonumentPhoto,
    MonumentText,
    NewsItem,
    NewsText,
    Page,
    PageText,
)
from portal.models.staff import StaffUser
from portal.sanitize import clean_rich_text
from portal.services import audit
from portal.services.content import is_valid_season, is_valid_slug, refresh_search_text

HTML_TAG = re.compile(r"<[a-zA-Z/!]")
# Per kind of text row: its fields, and which of them hold rich text.
MONUMENT_FIELDS = ("name", "history", "visiting", "ceremonies")
MONUMENT_RICH = frozenset({"history", "visiting", "ceremonies"})
PAGE_FIELDS = ("title", "body")
PAGE_RICH = frozenset({"body"})
FIGURE_FIELDS = ("label", "source_title")
NEWS_FIELDS = ("title", "summary", "body", "source_title")
NEWS_RICH = frozenset({"body"})

Texts = Mapping[str, Mapping[str, str]]  # lang → field → value


class ContentError(ValueError):
    """The content cannot be saved as given (the message names the problem, in English, for logs)."""


@dataclass(frozen=True)
class Actor:
    id: int | None = None
    name: str = ""

    @classmethod
    def of(cls, user: StaffUser) -> Actor:
        """The staff member as the audit log names them."""
        return cls(user.id, user.username)


def _record(session: Session, actor: Actor | None, action: str, subject: str, **detail: Any) -> None:
    """Audit a change made by a person; the demo loader (no actor) is not audited."""
    if actor is not None:
        audit.record(session, action, actor_id=actor.id, actor_name=actor.name, subject=subject, **detail)


def content_changed(session: Session) -> None:
    """Cached public pages must be rendered again (see ``portal.page_cache``)."""
    try:
        from portal.page_cache import bump_content_version
    except ImportError:  # pragma: no cover - the cache is optional
        return
    bump_content_version(session)


def rich_html(value: str) -> str:
    """Editors may type HTML or plain text; plain text becomes paragraphs. Cleaned either way."""
    value = value.strip()
    if not value:
        return ""
    if not HTML_TAG.search(value):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
        value = "".join(f"<p>{escape(p)}</p>".replace("\n", "<br>") for p in paragraphs)
    return clean_rich_text(value).strip()


def _apply_texts(rows: list[Any], make_row: Any, texts: Texts, fields: tuple[str, ...],
                 rich: frozenset[str]) -> None:
    """Update the text rows of one item: one per language, a language with no text at all removed."""
    by_lang = {row.lang: row for row in rows}
    for lang in LANGUAGES:
        if lang not in texts:
            continue
        values = {f: str(texts[lang].get(f) or "").strip() for f in fields}
        for name in rich & values.keys():
            values[name] = rich_html(values[name])
        row = by_lang.get(lang)
        if not any(values.values()):
            if row is not None:
                rows.remove(row)
            continue
        if row is None:
            row = make_row(lang=lang)
            rows.append(row)
        for name, value in values.items():
            setattr(row, name, value)


def _check_slug(session: Session, model: Any, slug: str, current_id: int | None) -> None:
    if not is_valid_slug(slug):
        raise ContentError("slug must be lower-case ASCII letters, digits and single hyphens")
    other = session.scalar(select(model.id).where(model.slug == slug))
    if other is not None and other != current_id:
        raise ContentError("slug already used")


def save_monument(session: Session, monument: Monument | None, *, slug: str, province_code: str,
                  district_code: str | None = None, address: str = "", latitude: float | None = None,
                  longitude: float | None = None, built_year: int | None = None,
                  restored_year: int | None = None, is_sample: bool = False, published: bool = True,
                  position_approximate: bool | None = None, texts: Texts,
                  actor: Actor | None = None) -> Monument:
    """Create (``monument=None``) or update a monument and its text in each language given.

    ``position_approximate=None`` leaves the flag as it is (False for a new monument).
    """
    _check_slug(session, Monument, slug, monument.id if monument else None)
    if geo.province(province_code) is None:
        raise ContentError("unknown province code")
    if district_code and (geo.district(district_code) is None or not district_code.startswith(province_code)):
        raise ContentError("district is not in the province")
    if (latitude is None) != (longitude is None):
        raise ContentError("give both coordinates or neither")
    created = monument is None
    if monument is None:
        monument = Monument(slug=slug, province_code=province_code)
        session.add(monument)
    monument.slug = slug
    monument.province_code = province_code
    monument.district_code = district_code or None
    monument.address = address
    monument.latitude, monument.longitude = latitude, longitude
    monument.built_year, monument.restored_year = built_year, restored_year
    monument.is_sample, monument.published = is_sample, published
    if position_approximate is not None:
        monument.position_approximate = position_approximate
    elif created:
        monument.position_approximate = False
    _apply_texts(monument.texts, MonumentText, texts, MONUMENT_FIELDS, MONUMENT_RICH)
    refresh_search_text(monument)
    session.flush()
    _record(session, actor, "content.monument_created" if created else "content.monument_updated", f"monument {slug}")
    content_changed(session)
    return monument


def delete_monument(session: Session, monument: Monument, actor: Actor | None = None) -> None:
    _record(session, actor, "content.monument_deleted", f"monument {monument.slug}")
    session.delete(monument)
    content_changed(session)


def add_photo(session: Session, monument: Monument, *, data: bytes, content_type: str, width: int,
              height: int, alts: Mapping[str, str], credit: str = "", is_sample: bool = False,
              actor: Actor | None = None) -> MonumentPhoto:
    """Attach an already checked and re-encoded image (see ``portal.uploads``)."""
    position = max((p.position for p in monument.photos), default=-1) + 1
    photo = MonumentPhoto(data=data, content_type=content_type, width=width, height=height,
                          position=position, credit=credit, is_sample=is_sample,
                          **{f"alt_{lang}": str(alts.get(lang) or "").strip() for lang in LANGUAGES})
    monument.photos.append(photo)
    session.flush()
    _record(session, actor, "content.photo_added", f"monument {monument.slug}", photo_id=photo.id)
    content_changed(session)
    return photo


def update_photo(session: Session, photo: MonumentPhoto, *, alts: Mapping[str, str], credit: str,
                 actor: Actor | None = None) -> None:
    for lang in LANGUAGES:
        setattr(photo, f"alt_{lang}", str(alts.get(lang) or "").strip())
    photo.credit = credit
    _record(session, actor, "content.photo_updated", f"monument {photo.monument.slug}", photo_id=photo.id)
    content_changed(session)


def delete_photo(session: Session, photo: MonumentPhoto, actor: Actor | None = None) -> None:
    _record(session, actor, "content.photo_deleted", f"monument {photo.monument.slug}", photo_id=photo.id)
    session.delete(photo)
    content_changed(session)


def save_page(session: Session, page: Page | None, *, slug: str, texts: Texts,
              actor: Actor | None = None) -> Page:
    _check_slug(session, Page, slug, page.id if page else None)
    created = page is None
    if page is None:
        page = Page(slug=slug)
        session.add(page)
    page.slug = slug
    _apply_texts(page.texts, PageText, texts, PAGE_FIELDS, PAGE_RICH)
    session.flush()
    _record(session, actor, "content.page_created" if created else "content.page_updated", f"page {slug}")
    content_changed(session)
    return page


def save_figure(session: Session, figure: Figure | None, *, season: str | None, province_code: str | None,
                metric: str, unit: str, value: int, source_publisher: str, source_title: str,
                source_year: int | None, texts: Texts, actor: Actor | None = None) -> Figure:
    """An official figure; its source (publisher and title) is required."""
    if not source_publisher.strip() or not source_title.strip():
        raise ContentError("an official figure needs its source")
    if season is not None and not is_valid_season(season):
        raise ContentError("season must look like 2024-2025")
    if province_code and geo.province(province_code) is None:
        raise ContentError("unknown province code")
    if value < 0:
        raise ContentError("a count cannot be negative")
    created = figure is None
    if figure is None:
        figure = Figure(metric=metric, value=value, source_publisher=source_publisher, source_title=source_title)
        session.add(figure)
    figure.season, figure.province_code = season or None, province_code or None
    figure.metric, figure.unit, figure.value = metric, unit, value
    figure.source_publisher, figure.source_title = source_publisher.strip(), source_title.strip()
    figure.source_year, figure.is_official = source_year, True
    _apply_texts(figure.texts, FigureText, texts, FIGURE_FIELDS, frozenset())
    session.flush()
    _record(session, actor, "content.figure_created" if created else "content.figure_updated", f"figure {figure.id}",
                 metric=metric, value=value, season=season, province=province_code)
    content_changed(session)
    return figure


def delete_figure(session: Session, figure: Figure, actor: Actor | None = None) -> None:
    _record(session, actor, "content.figure_deleted", f"figure {figure.id}", metric=figure.metric, value=figure.value)
    session.delete(figure)
    content_changed(session)


def save_news(session: Session, item: NewsItem | None, *, slug: str, published_on: date,
              source_publisher: str = "", source_title: str = "", source_year: int | None = None,
              is_sample: bool = False, published: bool = True, texts: Texts,
              actor: Actor | None = None) -> NewsItem:
    _check_slug(session, NewsItem, slug, item.id if item else None)
    created = item is None
    if item is None:
        item = NewsItem(slug=slug, published_on=published_on)
        session.add(item)
    item.slug, item.published_on = slug, published_on
    item.source_publisher, item.source_title = source_publisher.strip(), source_title.strip()
    item.source_year, item.is_sample, item.published = source_year, is_sample, published
    _apply_texts(item.texts, NewsText, texts, NEWS_FIELDS, NEWS_RICH)
    session.flush()
    _record(session, actor, "content.news_created" if created else "content.news_updated", f"news {slug}")
    content_changed(session)
    return item


def delete_news(session: Session, item: NewsItem, actor: Actor | None = None) -> None:
    _record(session, actor, "content.news_deleted", f"news {item.slug}")
    session.delete(item)
    content_changed(session)


# --- What a staff page does: one write transaction each ---------------------------------------------
# Each loads what it changes by id, checks, writes and audits in one ``write_transaction``; the
# functions above are their steps, for callers (the demo loader, tests) that opened one themselves.


class ContentNotFound(LookupError):
    """The item to change does not exist (any more)."""


def _get(session: Session, model: Any, item_id: int) -> Any:
    item = session.get(model, item_id)
    if item is None:
        raise ContentNotFound(f"{model.__name__} {item_id}")
    return item


def edit_monument(session: Session, monument_id: int | None, *, actor: Actor, **values: Any) -> Monument:
    """Create (``monument_id=None``) or update a monument: :func:`save_monument` in its own transaction."""
    with write_transaction(session):
        monument = _get(session, Monument, monument_id) if monument_id is not None else None
        return save_monument(session, monument, actor=actor, **values)


def remove_monument(session: Session, monument_id: int, *, actor: Actor) -> None:
    with write_transaction(session):
        delete_monument(session, _get(session, Monument, monument_id), actor=actor)


def upload_photo(session: Session, monument_id: int, *, actor: Actor, **photo: Any) -> MonumentPhoto:
    """:func:`add_photo` to the monument ``monument_id``, in its own transaction."""
    with write_transaction(session):
        return add_photo(session, _get(session, Monument, monument_id), actor=actor, **photo)


def edit_photo(session: Session, photo_id: int, *, alts: Mapping[str, str], credit: str,
               actor: Actor) -> MonumentPhoto:
    with write_transaction(session):
        photo: MonumentPhoto = _get(session, MonumentPhoto, photo_id)
        update_photo(session, photo, alts=alts, credit=credit, actor=actor)
        return photo


def remove_photo(session: Session, photo_id: int, *, actor: Actor) -> int:
    """Delete a monument's photo; returns the monument's id."""
    with write_transaction(session):
        photo: MonumentPhoto = _get(session, MonumentPhoto, photo_id)
        monument_id = photo.monument_id
        delete_photo(session, photo, actor=actor)
        return monument_id


def edit_page(session: Session, slug: str, *, texts: Texts, actor: Actor) -> Page:
    """Create or update the page ``slug``: :func:`save_page` in its own transaction."""
    with write_transaction(session):
        page = session.scalars(select(Page).where(Page.slug == slug)).first()
        return save_page(session, page, slug=slug, texts=texts, actor=actor)


def edit_figure(session: Session, figure_id: int | None, *, actor: Actor, **values: Any) -> Figure:
    """Create (``figure_id=None``) or update an official figure: :func:`save_figure` in its own transaction."""
    with write_transaction(session):
        figure = _get(session, Figure, figure_id) if figure_id is not None else None
        return save_figure(session, figure, actor=actor, **values)


def remove_figure(session: Session, figure_id: int, *, actor: Actor) -> None:
    with write_transaction(session):
        delete_figure(session, _get(session, Figure, figure_id), actor=actor)


def edit_news(session: Session, news_id: int | None, *, actor: Actor, **values: Any) -> NewsItem:
    """Create (``news_id=None``) or update a news item: :func:`save_news` in its own transaction."""
    with write_transaction(session):
        item = _get(session, NewsItem, news_id) if news_id is not None else None
        return save_news(session, item, actor=actor, **values)


def remove_news(session: Session, news_id: int, *, actor: Actor) -> None:
    with write_transaction(session):
        delete_news(session, _get(session, NewsItem, news_id), actor=actor)
