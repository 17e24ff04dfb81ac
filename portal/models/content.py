"""Public content: Friendship Monuments, pages, official figures and news, each in three languages.

Text lives in one row per language (``*_text`` tables); a language may be missing, and the
public pages then show another one with a notice (see ``portal.services.content``). Rich text
columns hold HTML already cleaned by :func:`portal.sanitize.clean_rich_text`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.types import UTCDateTime, utcnow

SLUG_MAX = 80
NAME_MAX = 200
TITLE_MAX = 200
SUMMARY_MAX = 600
ADDRESS_MAX = 300
ALT_MAX = 300
SOURCE_PUBLISHER_MAX = 200
SOURCE_TITLE_MAX = 300
LABEL_MAX = 300
SOURCE_URL_MAX = 500
SOURCE_DATE_MAX = 10  # 2017-02-15, 2017-02 or 2017: as precise as the report itself


class Monument(Base):
    """A Việt Nam–Cambodia Friendship Monument; its slug is ASCII and the same in every language."""

    __tablename__ = "monument"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4))
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    built_year: Mapped[int | None] = mapped_column(Integer)
    restored_year: Mapped[int | None] = mapped_column(Integer)
    # True when no report gives the monument's own position: the place (and any coordinates) is
    # only the town or province it stands in.
    position_approximate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    # fold() of every name and text of the monument and every name of its province and district.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    texts: Mapped[list[MonumentText]] = relationship(
        back_populates="monument", cascade="all, delete-orphan", order_by="MonumentText.lang")
    photos: Mapped[list[MonumentPhoto]] = relationship(
        back_populates="monument", cascade="all, delete-orphan",
        order_by="[MonumentPhoto.position, MonumentPhoto.id]")
    sources: Mapped[list[MonumentSource]] = relationship(
        back_populates="monument", cascade="all, delete-orphan",
        order_by="[MonumentSource.position, MonumentSource.id]")

    __table_args__ = (
        UniqueConstraint("slug", name="uq_monument_slug"),
        Index("ix_monument_published_province", "published", "province_code"),
    )

    def text(self, lang: str) -> MonumentText | None:
        return next((t for t in self.texts if t.lang == lang), None)


class MonumentText(Base):
    """A monument's words in one language."""

    __tablename__ = "monument_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    monument_id: Mapped[int] = mapped_column(ForeignKey("monument.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    history: Mapped[str] = mapped_column(Text, default="")  # cleaned rich text
    visiting: Mapped[str] = mapped_column(Text, default="")  # cleaned rich text
    ceremonies: Mapped[str] = mapped_column(Text, default="")  # cleaned rich text

    monument: Mapped[Monument] = relationship(back_populates="texts")

    __table_args__ = (UniqueConstraint("monument_id", "lang", name="uq_monument_text_monument_id"),)


class MonumentSource(Base):
    """A public report that a monument's facts are taken from, cited on its page as [position].

    ``language`` is the language the report is written in; the monument's text in the other
    languages is a translation of what it says. ``published`` is as precise as the report's date.
    """

    __tablename__ = "monument_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    monument_id: Mapped[int] = mapped_column(ForeignKey("monument.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    publisher: Mapped[str] = mapped_column(String(SOURCE_PUBLISHER_MAX))
    title: Mapped[str] = mapped_column(String(SOURCE_TITLE_MAX))
    published: Mapped[str] = mapped_column(String(SOURCE_DATE_MAX), default="")
    url: Mapped[str] = mapped_column(String(SOURCE_URL_MAX))
    language: Mapped[str] = mapped_column(String(8))

    monument: Mapped[Monument] = relationship(back_populates="sources")


class MonumentPhoto(Base):
    """A public photo of a monument (never a tip photo), re-encoded, with alt text per language."""

    __tablename__ = "monument_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    monument_id: Mapped[int] = mapped_column(ForeignKey("monument.id", ondelete="CASCADE"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    alt_vi: Mapped[str] = mapped_column(String(ALT_MAX), default="")
    alt_km: Mapped[str] = mapped_column(String(ALT_MAX), default="")
    alt_en: Mapped[str] = mapped_column(String(ALT_MAX), default="")
    credit: Mapped[str] = mapped_column(String(SOURCE_PUBLISHER_MAX), default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    monument: Mapped[Monument] = relationship(back_populates="photos")

    def alt(self, lang: str) -> str:
        return str(getattr(self, f"alt_{lang}", "") or "")


class Page(Base):
    """A page of the site written by editors (the repatriation story, the help page)."""

    __tablename__ = "page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    texts: Mapped[list[PageText]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="PageText.lang")

    __table_args__ = (UniqueConstraint("slug", name="uq_page_slug"),)


class PageText(Base):
    __tablename__ = "page_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # cleaned rich text

    page: Mapped[Page] = relationship(back_populates="texts")

    __table_args__ = (UniqueConstraint("page_id", "lang", name="uq_page_text_page_id"),)


class Figure(Base):
    """An official statistic, always with its source. ``season`` is ``2024-2025``; None means all time."""

    __tablename__ = "figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    season: Mapped[str | None] = mapped_column(String(9))
    province_code: Mapped[str | None] = mapped_column(String(2))
    metric: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(20), default="sets")  # sets (of remains), teams
    value: Mapped[int] = mapped_column(Integer)
    source_publisher: Mapped[str] = mapped_column(String(SOURCE_PUBLISHER_MAX))
    source_title: Mapped[str] = mapped_column(String(SOURCE_TITLE_MAX))
    source_year: Mapped[int | None] = mapped_column(Integer)
    is_official: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    texts: Mapped[list[FigureText]] = relationship(
        back_populates="figure", cascade="all, delete-orphan", order_by="FigureText.lang")

    __table_args__ = (Index("ix_figure_season_province", "season", "province_code"),)


class FigureText(Base):
    """What a figure counts, in one language."""

    __tablename__ = "figure_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    figure_id: Mapped[int] = mapped_column(ForeignKey("figure.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    label: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    # The source as described in this language (publisher and year stay on the figure).
    source_title: Mapped[str] = mapped_column(String(SOURCE_TITLE_MAX), default="")

    figure: Mapped[Figure] = relationship(back_populates="texts")

    __table_args__ = (UniqueConstraint("figure_id", "lang", name="uq_figure_text_figure_id"),)


class NewsItem(Base):
    """An announcement (committee meetings, signing ceremonies); newest first."""

    __tablename__ = "news_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    published_on: Mapped[date] = mapped_column(Date, index=True)
    source_publisher: Mapped[str] = mapped_column(String(SOURCE_PUBLISHER_MAX), default="")
    source_title: Mapped[str] = mapped_column(String(SOURCE_TITLE_MAX), default="")
    source_year: Mapped[int | None] = mapped_column(Integer)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    texts: Mapped[list[NewsText]] = relationship(
        back_populates="news_item", cascade="all, delete-orphan", order_by="NewsText.lang")

    __table_args__ = (UniqueConstraint("slug", name="uq_news_item_slug"),)


class NewsText(Base):
    __tablename__ = "news_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    news_item_id: Mapped[int] = mapped_column(ForeignKey("news_item.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # cleaned rich text
    # The source as described in this language (publisher and year stay on the item).
    source_title: Mapped[str] = mapped_column(String(SOURCE_TITLE_MAX), default="")

    news_item: Mapped[NewsItem] = relationship(back_populates="texts")

    __table_args__ = (UniqueConstraint("news_item_id", "lang", name="uq_news_text_news_item_id"),)
