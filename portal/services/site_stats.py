"""Figures about sites: the staff season page (per team, per province) and the public statistics
and per-commune map. The public figures are aggregated here, server-side, and never carry a
position, a village or anything finer than a commune's code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.models.site import SearchTeam, Site, SiteStatus
from portal.services.content import PORTAL_FIGURE_PROVIDERS, PortalFigure

S = SiteStatus
SURVEYED = (S.SURVEYED, S.EXCAVATION, S.REMAINS_RECOVERED, S.NOTHING_FOUND, S.REPATRIATED)
EXCAVATED = (S.EXCAVATION, S.REMAINS_RECOVERED, S.REPATRIATED)
RECOVERED = (S.REMAINS_RECOVERED, S.REPATRIATED)


@dataclass(frozen=True)
class SeasonLine:
    key: str  # a team's code or a province's code ("" when not given)
    planned: int
    surveyed: int
    excavated: int
    remains: int


def _columns() -> tuple[Any, ...]:
    return (func.count(Site.id),
            func.sum(case((Site.status.in_(SURVEYED), 1), else_=0)),
            func.sum(case((Site.status.in_(EXCAVATED), 1), else_=0)),
            func.sum(case((Site.status.in_(RECOVERED), Site.remains_count), else_=0)))


def season_by_team(session: Session, season: str) -> list[SeasonLine]:
    query = (select(SearchTeam.code, *_columns()).join(SearchTeam, SearchTeam.id == Site.team_id)
             .where(Site.season == season).group_by(SearchTeam.code).order_by(SearchTeam.code))
    return [SeasonLine(str(r[0]), int(r[1] or 0), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0))
            for r in session.execute(query)]


def season_by_province(session: Session, season: str) -> list[SeasonLine]:
    query = (select(Site.province_code, *_columns()).where(Site.season == season)
             .group_by(Site.province_code).order_by(Site.province_code))
    return [SeasonLine(str(r[0] or ""), int(r[1] or 0), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0))
            for r in session.execute(query)]


def seasons(session: Session) -> list[str]:
    return [s for s in session.scalars(select(Site.season).where(Site.season.is_not(None)).distinct()
                                       .order_by(Site.season.desc())) if s]


@dataclass(frozen=True)
class PublicSeasonFigure:
    season: str
    province_code: str
    sites: int
    remains: int


def public_by_season_province(session: Session) -> list[PublicSeasonFigure]:
    """Sites told about through this portal and remains recovered there, by season and province."""
    query = (select(Site.season, Site.province_code, func.count(Site.id),
                    func.sum(case((Site.status.in_(RECOVERED), Site.remains_count), else_=0)))
             .where(Site.season.is_not(None), Site.province_code.is_not(None))
             .group_by(Site.season, Site.province_code).order_by(Site.season.desc(), Site.province_code))
    return [PublicSeasonFigure(str(r[0]), str(r[1]), int(r[2]), int(r[3] or 0)) for r in session.execute(query)]


@dataclass(frozen=True)
class CommuneCount:
    """One commune on the public map: its code and counts, nothing finer."""

    commune_code: str
    sites: int
    remains: int


def public_commune_counts(session: Session) -> list[CommuneCount]:
    """Sites per commune, once a search team has surveyed them: a report still waiting would tell the
    village that someone there spoke, and the place's neighbours that something lies near them."""
    query = (select(Site.commune_code, func.count(Site.id),
                    func.sum(case((Site.status.in_(RECOVERED), Site.remains_count), else_=0)))
             .where(Site.commune_code.is_not(None), Site.status.in_(SURVEYED))
             .group_by(Site.commune_code).order_by(Site.commune_code))
    return [CommuneCount(str(r[0])[:6], int(r[1]), int(r[2] or 0)) for r in session.execute(query)]


SITES_LABEL = _l("Sites told about through this portal")
SITE_REMAINS_LABEL = _l("Sets of remains recovered at those sites")


def site_figures(session: Session) -> list[PortalFigure]:
    """The statistics page's rows for sites (registered with ``PORTAL_FIGURE_PROVIDERS``)."""
    figures: list[PortalFigure] = []
    for line in public_by_season_province(session):
        figures.append(PortalFigure(season=line.season, province_code=line.province_code, label=str(SITES_LABEL),
                                    value=line.sites))
        if line.remains:
            figures.append(PortalFigure(season=line.season, province_code=line.province_code,
                                        label=str(SITE_REMAINS_LABEL), value=line.remains))
    return figures


if site_figures not in PORTAL_FIGURE_PROVIDERS:
    PORTAL_FIGURE_PROVIDERS.append(site_figures)
