"""What moderators add to a tip: internal notes, never shown to the tipster."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.staff import StaffUser
from portal.models.types import UTCDateTime, utcnow


class TipNote(Base):
    __tablename__ = "tip_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[StaffUser | None] = relationship()

    __table_args__ = (Index("ix_tip_notes_tip_created", "tip_id", "created_at"),)
