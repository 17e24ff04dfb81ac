"""Reading the audit log: one tip's history, and the admins' search."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.models.audit import AuditEntry
from portal.models.types import MAX_ID, parse_id

PAGE = 100


def tip_audit(session: Session, tip_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.tip_id == tip_id)
                                .order_by(AuditEntry.id.desc())))  # a tipster's entries are to the hour


def search_audit(session: Session, text: str, before: int | None = None) -> list[AuditEntry]:
    """Newest first, 100 at a time; matches an action, a person, a tip number or a subject."""
    query = select(AuditEntry)
    text = text.strip()
    if text:
        pattern = text.lstrip("#")
        conditions = [AuditEntry.action.contains(text, autoescape=True),
                      AuditEntry.actor_name.contains(text, autoescape=True),
                      AuditEntry.subject.contains(text, autoescape=True)]
        number = parse_id(pattern)
        if number is not None:
            conditions.append(AuditEntry.tip_id == number)
            conditions.append(AuditEntry.id == number)
        query = query.where(or_(*conditions))
    if before and before <= MAX_ID:
        query = query.where(AuditEntry.id < before)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE)))
