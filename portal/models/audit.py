"""The append-only audit log: who did what, when. The database refuses UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.types import UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # No foreign keys: the log outlives the accounts and tips it mentions.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    tip_id: Mapped[int | None] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # A site's or an inquiry's history is read by its subject ("site:7", "inquiry:3"; migration 0015).
    __table_args__ = (Index("ix_audit_log_tip_created", "tip_id", "created_at"),
                      Index("ix_audit_log_subject", "subject"))
