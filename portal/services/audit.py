"""Writing to the audit log. Callers add the entry inside their own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models.audit import AuditEntry


def record(session: Session, action: str, *, actor_id: int | None = None, actor_name: str = "",
           tip_id: int | None = None, subject: str = "", **detail: Any) -> AuditEntry:
    """Add one audit entry to the session; it is written when the caller commits."""
    entry = AuditEntry(action=action, actor_id=actor_id, actor_name=actor_name, tip_id=tip_id,
                       subject=subject, detail=detail)
    session.add(entry)
    return entry
