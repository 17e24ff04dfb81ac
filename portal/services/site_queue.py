"""The site queue: sites filtered by status, province and corroboration, keyset-paginated like the
tip queue (``portal.services.queue``): each page continues after the last row's sort key and id,
so page 400 costs what page 1 costs."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.models.site import SearchTeam, Site, SiteStatus

PAGE_SIZE = 50


class SiteSort(enum.StrEnum):
    NEWEST = "newest"
    CORROBORATION = "corroboration"  # most independent accounts first


@dataclass(frozen=True)
class SiteFilter:
    statuses: tuple[SiteStatus, ...] = ()
    province_code: str | None = None
    min_accounts: int = 0
    team_id: int | None = None
    sort: SiteSort = SiteSort.NEWEST


@dataclass(frozen=True)
class SiteRow:
    id: int
    name: str
    status: SiteStatus
    province_code: str | None
    district_code: str | None
    corroboration: int
    tip_count: int
    team_code: str | None
    planned_month: date | None
    remains_count: int


@dataclass(frozen=True)
class SitePage:
    rows: list[SiteRow]
    next_cursor: str | None


def _cursor(sort: SiteSort, cursor: str | None) -> tuple[int, int] | None:
    """``"<accounts>.<id>"`` (by corroboration) or ``"<id>"``; anything else starts from the top."""
    parts = (cursor or "").split(".")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        return None
    if sort == SiteSort.CORROBORATION and len(numbers) == 2:
        return numbers[0], numbers[1]
    if sort == SiteSort.NEWEST and len(numbers) == 1:
        return 0, numbers[0]
    return None


def site_page(session: Session, filters: SiteFilter, cursor: str | None = None,
              size: int | None = None) -> SitePage:
    size = size or PAGE_SIZE
    query = (select(Site.id, Site.name, Site.status, Site.province_code, Site.district_code, Site.corroboration,
                    Site.tip_count, SearchTeam.code, Site.planned_month, Site.remains_count)
             .outerjoin(SearchTeam, SearchTeam.id == Site.team_id))
    if filters.statuses:
        query = query.where(Site.status.in_(filters.statuses))
    if filters.province_code:
        query = query.where(Site.province_code == filters.province_code)
    if filters.min_accounts > 0:
        query = query.where(Site.corroboration >= filters.min_accounts)
    if filters.team_id:
        query = query.where(Site.team_id == filters.team_id)
    after = _cursor(filters.sort, cursor)
    if filters.sort == SiteSort.CORROBORATION:
        if after:
            query = query.where(or_(Site.corroboration < after[0],
                                    and_(Site.corroboration == after[0], Site.id < after[1])))
        query = query.order_by(Site.corroboration.desc(), Site.id.desc())
    else:
        if after:
            query = query.where(Site.id < after[1])
        query = query.order_by(Site.id.desc())
    rows = [SiteRow(id=r[0], name=r[1], status=r[2], province_code=r[3], district_code=r[4], corroboration=r[5],
                    tip_count=r[6], team_code=r[7], planned_month=r[8], remains_count=r[9])
            for r in session.execute(query.limit(size + 1))]
    next_cursor = None
    if len(rows) > size:
        rows, last = rows[:size], rows[size - 1]
        next_cursor = f"{last.corroboration}.{last.id}" if filters.sort == SiteSort.CORROBORATION else str(last.id)
    return SitePage(rows, next_cursor)
