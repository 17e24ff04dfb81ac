"""What moderators do to a tip besides moving it: assign, note, message, see contact, redact.

Each action writes its audit entry in the same transaction as the change: the views call the
``*_tip``/``*_tip_*`` functions at the end, which open it; the steps they are made of run in one
their caller opened. Audit entries name the field or the message, never the content, so the log
itself holds nothing to redact.

Redaction is asked first: :func:`redaction` says what would go (a contact detail shortened, since
a full look is audited by :func:`reveal_contact`), and only :func:`redact` removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import tip_facts
from portal.db import write_transaction
from portal.models.review import TipNote
from portal.models.staff import StaffRole, StaffUser
from portal.models.tip import AuthorKind, Tip, TipMessage, TipPhoto
from portal.services.audit import record
from portal.services.inquiry_matching import write_tip_keys
from portal.services.tips import build_search_text
from portal.services.workflow import TipNotFound

CONTACT_FIELDS = tuple(fact.key for fact in tip_facts.CONTACT)
# Fields a moderator may redact: what could identify someone, or should not have been written
# (the facts declared redactable, and who sent it on someone's behalf).
REDACTABLE_TEXT = (*(fact.key for fact in tip_facts.REDACTABLE), "on_behalf_relationship")
REDACTED = "[…]"
# What else a moderator may remove from a tip besides those fields.
REDACTABLE_ITEMS = ("coordinates", "message", "photo")


class ModerationError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None
    email: str | None
    messaging: str | None
    language: str | None
    anonymous: bool

    @property
    def empty(self) -> bool:
        return not any((self.name, self.phone, self.email, self.messaging))


@dataclass(frozen=True)
class Redaction:
    """What a redaction would remove, to ask the moderator before it is done."""

    field: str  # a REDACTABLE_TEXT name or one of REDACTABLE_ITEMS
    item: int | None  # the message or photo
    text: str  # what goes, as shown here: a contact detail shortened; empty for a photo
    masked: bool = False
    last_contact: bool = False  # the tipster's only contact detail: afterwards no one can reach them


def mask(value: str) -> str:
    """The first characters of a contact detail, enough to tell which one it is: ``+855…``."""
    value = value.strip()
    return value[:min(4, max(1, len(value) // 3))] + "…"


def _audit(session: Session, action: str, tip: Tip, actor: StaffUser, **detail: Any) -> None:
    record(session, action, actor_id=actor.id, actor_name=actor.username, tip_id=tip.id,
           subject=f"tip:{tip.id}", **detail)


def moderators(session: Session) -> list[StaffUser]:
    return list(session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True),
                                StaffUser.role.in_((StaffRole.MODERATOR, StaffRole.ADMIN)))
        .order_by(StaffUser.username)))


def assign(session: Session, tip: Tip, assignee: StaffUser | None, actor: StaffUser) -> None:
    if assignee is not None and not (assignee.active and assignee.has_role(StaffRole.MODERATOR)):
        raise ModerationError("not_a_moderator")
    tip.assignee_id = assignee.id if assignee else None
    _audit(session, "tip.assigned", tip, actor, assignee=assignee.username if assignee else None)


def add_note(session: Session, tip: Tip, body: str, actor: StaffUser) -> TipNote:
    note = TipNote(tip_id=tip.id, author_id=actor.id, body=body)
    session.add(note)
    session.flush()
    _audit(session, "tip.note_added", tip, actor, note=note.id)
    return note


def notes(session: Session, tip: Tip) -> list[TipNote]:
    return list(session.scalars(select(TipNote).where(TipNote.tip_id == tip.id)
                                .order_by(TipNote.created_at, TipNote.id)))


def send_message(session: Session, tip: Tip, body: str, actor: StaffUser) -> TipMessage:
    """A message the tipster reads with their receipt code."""
    message = TipMessage(tip_id=tip.id, author_kind=AuthorKind.STAFF, body=body, staff_id=actor.id)
    session.add(message)
    session.flush()
    _audit(session, "tip.message_sent", tip, actor, message=message.id)
    return message


def reveal_contact(session: Session, tip: Tip, actor: StaffUser) -> Contact:
    """The tipster's contact details; every look is audited."""
    _audit(session, "tip.contact_viewed", tip, actor)
    return Contact(name=tip.contact_name, phone=tip.contact_phone, email=tip.contact_email,
                   messaging=tip.contact_messaging, language=tip.contact_language, anonymous=tip.anonymous)


def has_contact(tip: Tip) -> bool:
    return any(getattr(tip, name) for name in CONTACT_FIELDS)


def redaction(session: Session, tip: Tip, field_name: str, item: int | None = None) -> Redaction:
    """What :func:`redact` would remove, without removing it; ``ModerationError`` when it cannot."""
    if field_name == "coordinates":
        if tip.latitude is None or tip.longitude is None:
            raise ModerationError("already_empty")
        return Redaction(field_name, None, f"{tip.latitude:.5f}, {tip.longitude:.5f}")
    if field_name == "message":
        message = session.get(TipMessage, item) if item is not None else None
        if message is None or message.tip_id != tip.id:
            raise ModerationError("not_found")
        return Redaction(field_name, item, message.body)
    if field_name == "photo":
        if item is None or photo_for_staff(session, tip.id, item) is None:
            raise ModerationError("not_found")
        return Redaction(field_name, item, "")
    if field_name not in REDACTABLE_TEXT:
        raise ModerationError("not_redactable")
    value = getattr(tip, field_name)
    if not value:
        raise ModerationError("already_empty")
    if field_name not in CONTACT_FIELDS:
        return Redaction(field_name, None, value)
    others = [name for name in CONTACT_FIELDS if name != field_name and getattr(tip, name)]
    return Redaction(field_name, None, mask(value), masked=True, last_contact=not others)


# The facts inquiry matching reads through each tip's keys (portal.services.inquiry_matching).
MATCHED_FIELDS = ("fallen_names", "fallen_unit")


def redact(session: Session, tip: Tip, field_name: str, item: int | None, actor: StaffUser) -> None:
    """Remove a field's text, the coordinates, a message's text or a photo, for good (audited)."""
    if field_name == "coordinates":
        redact_coordinates(session, tip, actor)
    elif field_name in ("message", "photo"):
        if item is None:
            raise ModerationError("not_found")
        (redact_message if field_name == "message" else delete_photo)(session, tip, item, actor)
    else:
        redact_field(session, tip, field_name, actor)


def redact_field(session: Session, tip: Tip, field_name: str, actor: StaffUser) -> None:
    """Replace a field's text for good; the audit entry says which field, not what it said."""
    if field_name not in REDACTABLE_TEXT:
        raise ModerationError("not_redactable")
    if not getattr(tip, field_name):
        raise ModerationError("already_empty")
    nullable = field_name in CONTACT_FIELDS or field_name == "on_behalf_relationship"
    setattr(tip, field_name, None if nullable else REDACTED)
    tip.search_text = build_search_text(tip)
    if field_name in MATCHED_FIELDS:  # a removed name must not stay findable through its keys
        session.flush()
        write_tip_keys(session, tip.id, tip.fallen_names, tip.fallen_unit)
    _audit(session, "tip.redacted", tip, actor, field=field_name)


def redact_coordinates(session: Session, tip: Tip, actor: StaffUser) -> None:
    if tip.latitude is None and tip.longitude is None:
        raise ModerationError("already_empty")
    tip.latitude = tip.longitude = tip.uncertainty_m = None
    tip.location_source = None
    _audit(session, "tip.redacted", tip, actor, field="coordinates")


def redact_message(session: Session, tip: Tip, message_id: int, actor: StaffUser) -> None:
    message = session.get(TipMessage, message_id)
    if message is None or message.tip_id != tip.id:
        raise ModerationError("not_found")
    message.body = REDACTED
    _audit(session, "tip.redacted", tip, actor, field="message", message=message_id)


def delete_photo(session: Session, tip: Tip, photo_id: int, actor: StaffUser) -> None:
    photo = session.get(TipPhoto, photo_id)
    if photo is None or photo.tip_id != tip.id:
        raise ModerationError("not_found")
    session.delete(photo)
    _audit(session, "tip.redacted", tip, actor, field="photo", photo=photo_id)


def photo_for_staff(session: Session, tip_id: int, photo_id: int) -> TipPhoto | None:
    photo = session.get(TipPhoto, photo_id)
    if photo is None or photo.tip_id != tip_id:
        return None
    return photo


# --- What a moderator's button does: one write transaction each ----------------------------------
# Each loads the tip by id, checks, writes and audits in one ``write_transaction``; the functions
# above are their steps, for callers that opened one themselves. ``TipNotFound`` when the tip is gone.


def _tip(session: Session, tip_id: int) -> Tip:
    tip = session.get(Tip, tip_id)
    if tip is None:
        raise TipNotFound(tip_id)
    return tip


def assign_tip(session: Session, tip_id: int, assignee_id: int | None, actor: StaffUser) -> None:
    """:func:`assign` the tip to the staff member ``assignee_id`` (``None``: to nobody)."""
    with write_transaction(session):
        assignee = session.get(StaffUser, assignee_id) if assignee_id else None
        assign(session, _tip(session, tip_id), assignee, actor)


def add_tip_note(session: Session, tip_id: int, body: str, actor: StaffUser) -> TipNote:
    with write_transaction(session):
        return add_note(session, _tip(session, tip_id), body, actor)


def send_tip_message(session: Session, tip_id: int, body: str, actor: StaffUser) -> TipMessage:
    with write_transaction(session):
        return send_message(session, _tip(session, tip_id), body, actor)


def reveal_tip_contact(session: Session, tip_id: int, actor: StaffUser) -> Contact:
    with write_transaction(session):
        return reveal_contact(session, _tip(session, tip_id), actor)


def redact_tip(session: Session, tip_id: int, field_name: str, item: int | None, actor: StaffUser) -> None:
    with write_transaction(session):
        redact(session, _tip(session, tip_id), field_name, item, actor)
