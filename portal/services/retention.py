"""Retention: contact details and photos of finished tips are removed after ``RETENTION_DAYS``.

A tip is finished when it is closed, rejected or a duplicate; its age is counted from its last
status change (``Tip.status_changed_at``, set by the workflow). What a tip *says* — the place, the
report, the field outcome — stays: it is what the search teams and the statistics need. The
contact details (``contact_*``) become empty and the photos are deleted; the ``anonymous`` flag
stays, so the tip still shows that the tipster asked not to be named. Each purged tip gets a
``tip.purged`` audit entry that counts what went, never what it was. A family's contact details
go the same way once their inquiry has been closed for as long (``portal.services.inquiries.purge``).

Run by ``flask purge`` (see the README's "Retention" section for cron).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Exists, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.models.tip import Tip, TipPhoto
from portal.models.types import utcnow
from portal.services import inquiries
from portal.services.audit import record
from portal.services.workflow import FINISHED_STATUSES

FINISHED = FINISHED_STATUSES  # the workflow's states that are not open
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "contact_messaging", "contact_language")
BATCH = 200  # tips per write transaction, so a first large purge never holds the lock for long
ACTOR_NAME = "flask purge"


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove): counts and tip numbers only."""

    cutoff: datetime
    dry_run: bool
    contact_tip_ids: list[int] = field(default_factory=list)
    photo_tip_ids: list[int] = field(default_factory=list)
    photos: int = 0
    inquiry_ids: list[int] = field(default_factory=list)  # closed inquiries whose family contact went

    @property
    def tip_ids(self) -> list[int]:
        return sorted(set(self.contact_tip_ids) | set(self.photo_tip_ids))


def cutoff_for(retention_days: int, now: datetime | None = None) -> datetime:
    if retention_days < 0:
        raise ValueError("RETENTION_DAYS must not be negative")
    return (now or utcnow()) - timedelta(days=retention_days)


def _has_contact() -> ColumnElement[bool]:
    return or_(*(getattr(Tip, name).is_not(None) for name in CONTACT_FIELDS))


def _has_photos() -> Exists:
    return select(TipPhoto.id).where(TipPhoto.tip_id == Tip.id).exists()


def due(session: Session, cutoff: datetime) -> list[int]:
    """Finished tips whose status last changed before ``cutoff`` and that still hold contact details
    or photos (walks ``ix_tips_status_changed``)."""
    return list(session.scalars(
        select(Tip.id)
        .where(and_(Tip.status.in_(FINISHED), Tip.status_changed_at < cutoff, or_(_has_contact(), _has_photos())))
        .order_by(Tip.id)))


def _photo_counts(session: Session, tip_ids: Sequence[int]) -> dict[int, int]:
    return {tip_id: count for tip_id, count in session.execute(
        select(TipPhoto.tip_id, func.count(TipPhoto.id)).where(TipPhoto.tip_id.in_(tip_ids))
        .group_by(TipPhoto.tip_id))}


def _contact_ids(session: Session, tip_ids: Sequence[int]) -> set[int]:
    return set(session.scalars(select(Tip.id).where(Tip.id.in_(tip_ids), _has_contact())))


def purge(session: Session, retention_days: int, *, dry_run: bool = False,
          now: datetime | None = None) -> PurgeReport:
    """Remove contact details and photos of finished tips older than the retention period."""
    cutoff = cutoff_for(retention_days, now)
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)
    tip_ids = due(session, cutoff)
    for start in range(0, len(tip_ids), BATCH):
        batch = tip_ids[start:start + BATCH]
        if dry_run:
            _tally(report, _contact_ids(session, batch), _photo_counts(session, batch))
            continue
        with write_transaction(session):
            # Checked again inside the write lock: a tip reopened meanwhile is left alone.
            still_due = list(session.scalars(select(Tip.id).where(
                Tip.id.in_(batch), Tip.status.in_(FINISHED), Tip.status_changed_at < cutoff)))
            contact_ids, photo_counts = _contact_ids(session, still_due), _photo_counts(session, still_due)
            for tip in session.scalars(select(Tip).where(Tip.id.in_(contact_ids))):
                for name in CONTACT_FIELDS:
                    setattr(tip, name, None)
            if photo_counts:
                session.execute(delete(TipPhoto).where(TipPhoto.tip_id.in_(list(photo_counts))))
            for tip_id in sorted(contact_ids | set(photo_counts)):
                record(session, "tip.purged", actor_name=ACTOR_NAME, tip_id=tip_id, subject=f"tip:{tip_id}",
                       contact_removed=tip_id in contact_ids, photos_removed=photo_counts.get(tip_id, 0),
                       retention_days=retention_days)
        _tally(report, contact_ids, photo_counts)
    report.inquiry_ids = inquiries.purge(session, cutoff, dry_run=dry_run)
    return report


def _tally(report: PurgeReport, contact_ids: set[int], photo_counts: dict[int, int]) -> None:
    report.contact_tip_ids.extend(sorted(contact_ids))
    report.photo_tip_ids.extend(sorted(photo_counts))
    report.photos += sum(photo_counts.values())
