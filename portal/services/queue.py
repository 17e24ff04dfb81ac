"""The review queue: filters, search and keyset pagination, and the dashboard's counts.

Pages follow a cursor (the last row's creation time and id) instead of an offset, so the
database walks an index from the cursor: page 500 costs what page 1 costs. A tip's creation time
is stored to the hour (``portal.models.tip.tipster_time``), so within an hour the id orders the
tips: the key (hour, id) is the order they arrived in, and the existing indexes still serve it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from portal.i18n import fold
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipPhoto, TipStatus
from portal.models.types import MAX_ID
from portal.services.workflow import OPEN_STATUSES  # the tips still being worked on

PAGE_SIZE = 50


class Sort(enum.StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[TipStatus, ...] = ()
    province_code: str | None = None
    district_code: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    assignee_id: int | None = None
    has_photos: bool = False
    has_contact: bool = False
    text: str = ""
    sort: Sort = Sort.NEWEST


@dataclass(frozen=True)
class QueueRow:
    id: int
    status: TipStatus
    province_code: str | None
    district_code: str | None
    created_at: datetime
    photo_count: int
    assignee: str | None
    channel: str
    summary: str


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    first: bool


@dataclass(frozen=True)
class Dashboard:
    by_status: dict[TipStatus, int] = field(default_factory=dict)
    by_province: list[tuple[str | None, int]] = field(default_factory=list)
    total: int = 0


def encode_cursor(created_at: datetime, tip_id: int) -> str:
    micros = int(created_at.astimezone(UTC).timestamp() * 1_000_000)
    return f"{micros}-{tip_id}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The position a cursor names, or None for a missing or malformed one (the first page)."""
    if not cursor or len(cursor) > 40:
        return None
    micros, _, tip_id = cursor.partition("-")
    if not (micros.isascii() and micros.isdigit() and tip_id.isascii() and tip_id.isdigit()) \
            or int(tip_id) > MAX_ID:
        return None
    try:
        return datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC), int(tip_id)
    except (OverflowError, OSError, ValueError):
        return None


def has_contact_clause() -> ColumnElement[bool]:
    columns = (Tip.contact_name, Tip.contact_phone, Tip.contact_email, Tip.contact_messaging)
    return or_(*(func.coalesce(column, "") != "" for column in columns))


def _conditions(filters: QueueFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.statuses:
        conditions.append(Tip.status.in_(filters.statuses))
    if filters.district_code:
        conditions.append(Tip.district_code == filters.district_code)
    elif filters.province_code:
        conditions.append(Tip.province_code == filters.province_code)
    if filters.created_from:
        conditions.append(Tip.created_at >= datetime.combine(filters.created_from, time.min, UTC))
    if filters.created_to:
        conditions.append(Tip.created_at < datetime.combine(filters.created_to + timedelta(days=1),
                                                            time.min, UTC))
    if filters.assignee_id is not None:
        conditions.append(Tip.assignee_id == filters.assignee_id)
    if filters.has_photos:
        conditions.append(exists().where(TipPhoto.tip_id == Tip.id))
    if filters.has_contact:
        conditions.append(has_contact_clause())
    text = fold(filters.text)
    if text:
        conditions.extend(Tip.search_text.contains(word, autoescape=True) for word in text.split()[:8])
    return conditions


def queue_statement(filters: QueueFilter, position: tuple[datetime, int] | ColumnElement[Any] | None = None,
                    limit: int = PAGE_SIZE) -> Select[Any]:
    """The keyset query of one queue page: ``limit + 1`` rows after ``position`` (a cursor's
    values, or bound parameters standing for them), to know whether a next page exists; each row
    the columns :class:`QueueRow` is made of."""
    conditions = _conditions(filters)
    key = tuple_(Tip.created_at, Tip.id)
    if position is not None:
        conditions.append(key < position if filters.sort == Sort.NEWEST else key > position)
    order = ((Tip.created_at.desc(), Tip.id.desc()) if filters.sort == Sort.NEWEST
             else (Tip.created_at.asc(), Tip.id.asc()))
    photo_count = (select(func.count(TipPhoto.id)).where(TipPhoto.tip_id == Tip.id)
                   .correlate(Tip).scalar_subquery())
    assignee = aliased(StaffUser)
    return (
        select(Tip.id, Tip.status, Tip.province_code, Tip.district_code, Tip.created_at, photo_count,
               assignee.username, Tip.channel, func.substr(Tip.place_description, 1, 120),
               func.substr(Tip.what_seen, 1, 120))
        .outerjoin(assignee, assignee.id == Tip.assignee_id)
        .where(and_(True, *conditions))
        .order_by(*order)
        .limit(limit + 1)
    )


AFTER_CREATED, AFTER_ID = "after_created", "after_id"


@lru_cache(maxsize=256)
def _page_statement(filters: QueueFilter, after: bool, limit: int) -> Select[Any]:
    """:func:`queue_statement` built once per filters (the cursor is a parameter): building the
    select and its cache key anew for every page cost more than running it."""
    position = tuple_(bindparam(AFTER_CREATED, type_=Tip.created_at.type), bindparam(AFTER_ID, type_=Integer())) \
        if after else None
    return queue_statement(filters, position, limit)


def queue_page(session: Session, filters: QueueFilter, cursor: str | None = None,
               limit: int = PAGE_SIZE) -> QueuePage:
    position = decode_cursor(cursor)
    statement = _page_statement(filters, position is not None, limit)
    parameters = {AFTER_CREATED: position[0], AFTER_ID: position[1]} if position is not None else {}
    # Run as Core on the session's connection: the columns need none of the ORM's loading, whose
    # per-execution set-up cost a fifth of the query.
    results = session.connection().execute(statement, parameters).all()
    rows = [
        QueueRow(id=r[0], status=r[1], province_code=r[2], district_code=r[3], created_at=r[4],
                 photo_count=r[5], assignee=r[6], channel=str(r[7]),
                 summary=(r[8] or r[9] or "").replace("\n", " "))
        for r in results[:limit]
    ]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if len(results) > limit else None
    return QueuePage(rows=rows, next_cursor=next_cursor, first=position is None)


def dashboard(session: Session) -> Dashboard:
    by_status = {TipStatus(s): n for s, n in session.execute(
        select(Tip.status, func.count()).group_by(Tip.status)).all()}
    by_province = [(code, count) for code, count in session.execute(
        select(Tip.province_code, func.count()).where(Tip.status.in_(OPEN_STATUSES))
        .group_by(Tip.province_code).order_by(func.count().desc()))]
    return Dashboard(by_status=by_status, by_province=by_province, total=sum(by_status.values()))
