"""Writing to the audit log. Callers add the entry inside their own transaction.

An entry about a staff action keeps its time to the microsecond. An entry about a tipster's action
(a tip received, a reply, a photo added) is given the tip's own coarse time (``created_at``, see
``portal.models.tip.tipster_time``), so that the log cannot be matched to an access-log line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from portal.models.audit import AuditEntry


def record(session: Session, action: str, *, actor_id: int | None = None, actor_name: str = "",
           tip_id: int | None = None, subject: str = "", created_at: datetime | None = None,
           **detail: Any) -> AuditEntry:
    """Add one audit entry to the session; it is written when the caller commits."""
    entry = AuditEntry(action=action, actor_id=actor_id, actor_name=actor_name, tip_id=tip_id,
                       subject=subject, detail=detail)
    if created_at is not None:
        entry.created_at = created_at
    session.add(entry)
    return entry


def write(session: Session, action: str, *, actor_id: int | None = None, actor_name: str = "",
          tip_id: int | None = None, subject: str = "", created_at: datetime | None = None,
          **detail: Any) -> None:
    """Write one audit entry at once, in the caller's open transaction (a Core insert, for the
    hot paths that write their own rows the same way); it is kept only if the caller commits."""
    values: dict[str, Any] = {"action": action, "actor_id": actor_id, "actor_name": actor_name, "tip_id": tip_id,
                              "subject": subject, "detail": detail}
    if created_at is not None:
        values["created_at"] = created_at
    session.connection().execute(insert(cast(Table, AuditEntry.__table__)), values)  # Core: no ORM bulk-insert set-up
