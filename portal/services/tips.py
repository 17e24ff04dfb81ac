"""Tips from the public: submitting one, finding it again by its receipt, following it up.

The plain receipt code leaves :func:`submit_tip` only in its return value, for the caller to
show once; the database keeps an HMAC of it. Nothing here knows about requests or clients.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, selectinload

from portal import geo
from portal.db import write_transaction
from portal.i18n import LOCALES, fold
from portal.models.site import Site
from portal.models.tip import (
    MAX_MESSAGE,
    AuthorKind,
    LocationSource,
    Tip,
    TipChannel,
    TipMessage,
    TipOutcome,
    TipPhoto,
    TipStatus,
    tipster_time,
)
from portal.models.types import utcnow
from portal.services import audit, receipts
from portal.services.inquiry_matching import write_tip_keys
from portal.services.site_workflow import TipsterOutcome, tipster_outcome
from portal.services.workflow import FIELD_OUTCOME, STATUSES, PublicState
from portal.tip_facts import CONTACT, FACTS, SEARCHABLE, TIP_FACTS
from portal.uploads import CleanPhoto

# A reply identical to the tipster's last one within this time is a resent page, not a new reply.
# Replies are stored to the hour, so the window runs from the start of the hour it was sent in.
REPEATED_REPLY_WINDOW = timedelta(minutes=30)


class AlreadyReceived(Exception):
    """A tip with this idempotency key is already stored (the form was sent twice).

    ``receipt`` is its code, derived again from the submission id, so the tipster does not lose it.
    """

    def __init__(self, receipt: str | None = None) -> None:
        super().__init__("already received")
        self.receipt = receipt


class InvalidTip(ValueError):
    """The data cannot make a tip (a form would have refused it)."""


@dataclass(init=False)
class TipInput:
    """What a tipster told us, already checked by a form (or typed in by staff).

    ``facts`` holds every fact of :data:`portal.tip_facts.TIP_FACTS` by its key (one not given is
    empty). They are given as keywords like the rest: ``TipInput(language="km", what_seen="…",
    local_name="…", province_code="17")``.
    """

    language: str
    facts: dict[str, Any]
    province_code: str | None = None
    district_code: str | None = None
    commune_code: str | None = None
    village_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    uncertainty_m: int | None = None
    location_source: LocationSource | None = None
    on_behalf: bool = False
    on_behalf_relationship: str | None = None
    contact_language: str | None = None
    anonymous: bool = False
    consent: bool = False
    channel: TipChannel = TipChannel.WEB
    distribution_point_id: int | None = None  # a paper form's (portal.services.paper)
    idempotency_key: str | None = None
    use_photo_location: bool = False

    def __init__(self, language: str, facts: Mapping[str, Any] | None = None, **values: Any) -> None:
        told = {**{fact.key: fact.empty for fact in TIP_FACTS}, **(facts or {})}
        told.update((key, values.pop(key)) for key in FACTS if key in values)
        unknown = set(told) - set(FACTS)
        self.language, self.facts = language, told
        for item in fields(self):
            if item.name not in ("language", "facts"):
                setattr(self, item.name, values.pop(item.name, item.default))
        if unknown or values:
            raise TypeError(f"TipInput has no {sorted(unknown | set(values))}")

    @property
    def has_contact(self) -> bool:
        return any(self.facts[fact.key] for fact in CONTACT)


@dataclass(frozen=True)
class GivenReceipt:
    """A receipt code the tipster already holds (printed on a paper form): the tip takes it."""

    code: str
    digest: str


# Runs inside a tip's write transaction once the tip is written (given its id); raising stores nothing.
AlsoInTransaction = Callable[[Session, int], None]


@dataclass(frozen=True)
class SubmittedTip:
    """The result of a submission. ``receipt`` is the only copy of the plain code: show it once."""

    tip_id: int
    receipt: str
    created_at: datetime
    photo_count: int
    photo_location_used: bool = False
    photo_location_missing: bool = False
    has_location: bool = False  # the report has a position (a photo's location is then not asked for)


@dataclass(frozen=True)
class PublicStatus:
    key: str
    label: Any
    explanation: Any
    outcome: Any = None


def _check_places(data: TipInput) -> None:
    """Each level of the place must lie inside the level above it, and none may be skipped."""
    codes = [data.province_code, data.district_code, data.commune_code, data.village_code]
    if not geo.chain_is_consistent(codes):
        raise InvalidTip(f"unknown or inconsistent place codes {codes!r}")


def _check(data: TipInput) -> None:
    if data.language not in LOCALES:
        raise InvalidTip("unknown language")
    if not data.facts["what_seen"].strip():
        raise InvalidTip("what_seen is required")
    _check_places(data)
    if (data.latitude is None) != (data.longitude is None):
        raise InvalidTip("latitude and longitude go together")
    if data.latitude is not None and data.longitude is not None \
            and not geo.in_cambodia(data.latitude, data.longitude):
        raise InvalidTip("coordinates outside Cambodia")


def place_names(*codes: str | None) -> list[str]:
    """Every name (Khmer, English, Vietnamese) of the given divisions, for search."""
    names: list[str] = []
    for code in codes:
        place = geo.place(code) if code else None
        if place is None:
            continue
        names += [place.name_en, place.name_kh, place.name_vi]
        if place.level == "province":
            names += list(geo.province_names(place.code))
    return names


@lru_cache(maxsize=4096)
def _folded_place_names(*codes: str | None) -> tuple[str, ...]:
    """:func:`place_names`, folded: the divisions and their names never change while the portal runs."""
    return tuple(fold(name) for name in place_names(*codes))


def build_search_text(tip: Tip, extra: Sequence[str] = ()) -> str:
    """Folded text for staff search: places in every language and what was told. No contact details."""
    told = (*(getattr(tip, fact.key) for fact in SEARCHABLE), *extra)
    parts = [*_folded_place_names(tip.province_code, tip.district_code, tip.commune_code, tip.village_code),
             *(fold(part) for part in told)]
    seen: set[str] = set()
    folded: list[str] = []
    for text in parts:
        if text and text not in seen:
            seen.add(text)
            folded.append(text)
    return "\n".join(folded)


def _photo_row(photo: CleanPhoto) -> TipPhoto:
    return TipPhoto(data=photo.data, mime_type=photo.mime_type, width=photo.width, height=photo.height,
                    size_bytes=photo.size, sha256=photo.sha256, created_at=tipster_time())


def _set_columns(row: Any) -> dict[str, Any]:
    """The column values set on a new ORM object, for a Core insert (unset columns get their defaults)."""
    state = sa_inspect(row)
    return {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs if attr.key in state.dict}


def _new_receipt(session: Session, key: str | bytes, submission_id: str | None) -> tuple[str, str]:
    """The form's code (derived from its submission id) or a fresh one, and its hash.

    74 bits: a clash is never expected; for a fresh code it is checked, for a derived one the
    unique index refuses it.
    """
    if submission_id:
        code = receipts.for_submission(submission_id, key)
        return code, receipts.receipt_hash(code, key)
    while True:
        code = receipts.generate()
        digest = receipts.receipt_hash(code, key)
        if session.scalar(select(Tip.id).where(Tip.receipt_hash == digest)) is None:
            return code, digest


def idempotency_key_used(session: Session, key: str | None, receipt_key: str | bytes) -> bool:
    if not key:
        return False
    stored = receipts.submission_hash(key, receipt_key)
    return session.scalar(select(Tip.id).where(Tip.idempotency_key == stored)) is not None


def _already_received(data: TipInput, receipt_key: str | bytes) -> AlreadyReceived:
    return AlreadyReceived(receipts.for_submission(data.idempotency_key, receipt_key)
                           if data.idempotency_key else None)


def _located_in_cambodia(photo: CleanPhoto) -> bool:
    """The photo carried a position, and it lies in Cambodia (the report may then take it)."""
    return photo.has_location and geo.in_cambodia(photo.latitude or 0.0, photo.longitude or 0.0)


def submit_tip(session: Session, data: TipInput, photos: Sequence[CleanPhoto] = (), *,
               receipt_key: str | bytes, given_receipt: GivenReceipt | None = None,
               also: AlsoInTransaction | None = None) -> SubmittedTip:
    """Store a tip, its photos and an audit entry in one write transaction.

    The tip gets a new receipt code, or ``given_receipt``'s (a printed form's); ``also`` writes what
    else belongs with the tip (a paper form's code marked as used), in the same transaction.

    Raises :class:`AlreadyReceived` when the idempotency key was used before (the same form
    sent twice), and :class:`InvalidTip` for data no form should have let through.
    """
    _check(data)
    latitude, longitude, source = data.latitude, data.longitude, data.location_source
    photo_location_used = photo_location_missing = False
    if data.use_photo_location and latitude is None:
        located = next((p for p in photos if _located_in_cambodia(p)), None)
        if located is not None:
            latitude, longitude, source = located.latitude, located.longitude, LocationSource.PHOTO
            photo_location_used = True
        else:
            photo_location_missing = True
    if latitude is not None and source is None:
        source = LocationSource.TYPED

    # Everything but the writes is worked out before the write transaction: writers of one SQLite
    # file take turns, so each instruction inside it is waited for by every tip queued behind it.
    if data.idempotency_key:
        code, digest = _new_receipt(session, receipt_key, data.idempotency_key)  # derived: no query
    now = tipster_time()  # to the hour: no finer time can be matched to an access log
    tip = Tip(
        status=TipStatus.NEW, created_at=now, updated_at=now, status_changed_at=now,
        province_code=data.province_code or None, district_code=data.district_code or None,
        commune_code=data.commune_code or None, village_code=data.village_code or None,
        **{fact.key: fact.stored(data.facts[fact.key]) for fact in TIP_FACTS},
        latitude=latitude, longitude=longitude,
        uncertainty_m=data.uncertainty_m if latitude is not None else None,
        location_source=source if latitude is not None else None,
        on_behalf=data.on_behalf,
        on_behalf_relationship=(data.on_behalf_relationship or None) if data.on_behalf else None,
        contact_language=(data.contact_language or data.language) if data.has_contact else None,
        anonymous=data.anonymous, consent=data.consent, language=data.language,
        channel=data.channel, distribution_point_id=data.distribution_point_id,
        idempotency_key=(receipts.submission_hash(data.idempotency_key, receipt_key)
                         if data.idempotency_key else None),
    )
    tip.search_text = build_search_text(tip)
    photo_rows = [_photo_row(photo) for photo in photos]

    try:
        with write_transaction(session):
            if given_receipt is not None:
                code, digest = given_receipt.code, given_receipt.digest
            elif not data.idempotency_key:
                code, digest = _new_receipt(session, receipt_key, None)  # a fresh code, checked for a clash
            tip.receipt_hash = digest
            # Core inserts of the rows built above: the unit of work would only find out again what
            # to write. A form sent twice is refused by the unique submission hash (below), so no
            # query looks for it first.
            # On the session's connection, as Core: the ORM's bulk-insert set-up was a fifth of storing a tip.
            connection = session.connection()
            tips = cast(Table, Tip.__table__)
            tip_id = connection.execute(insert(tips).returning(tips.c.id), _set_columns(tip)).scalar_one()
            if photo_rows:
                connection.execute(insert(cast(Table, TipPhoto.__table__)),
                                   [{**_set_columns(row), "tip_id": tip_id} for row in photo_rows])
            if tip.fallen_names or tip.fallen_unit:
                write_tip_keys(session, tip_id, tip.fallen_names, tip.fallen_unit, replace=False)
            audit.write(session, "tip.received", tip_id=tip_id, subject=str(data.channel.value),
                        created_at=now, photos=len(photos), language=data.language)
            if also is not None:
                also(session, tip_id)
    except IntegrityError as exc:
        # The same form sent again (a double tap, a retry): the unique submission hash kept one.
        if data.idempotency_key and idempotency_key_used(session, data.idempotency_key, receipt_key):
            session.rollback()
            raise _already_received(data, receipt_key) from exc
        raise
    return SubmittedTip(tip_id=tip_id, receipt=code, created_at=now, photo_count=len(photos),
                        photo_location_used=photo_location_used,
                        photo_location_missing=photo_location_missing, has_location=latitude is not None)


def find_by_receipt(session: Session, code: str, *, receipt_key: str | bytes) -> Tip | None:
    """The tip for a receipt code, or ``None``. Raises ``receipts.MalformedReceipt`` for typing mistakes."""
    return find_by_receipt_hash(session, receipts.receipt_hash(code, receipt_key))


def find_by_receipt_hash(session: Session, digest: str) -> Tip | None:
    if not digest:
        return None
    return session.scalar(
        select(Tip).where(Tip.receipt_hash == digest)
        .options(selectinload(Tip.messages).selectinload(TipMessage.photos))
    )


def _repeated_reply(tip: Tip, body: str, photos: Sequence[CleanPhoto]) -> TipMessage | None:
    """The same reply sent again (a reload of the page that sent it), if it is one."""
    mine = [m for m in tip.messages if m.author_kind == AuthorKind.TIPSTER]
    if not mine:
        return None
    last = max(mine, key=lambda m: m.id)
    if last.body != body or last.created_at < tipster_time(utcnow() - REPEATED_REPLY_WINDOW):
        return None
    if sorted(p.sha256 for p in last.photos) != sorted(p.sha256 for p in photos):
        return None
    return last


def add_followup(session: Session, tip_id: int, body: str, photos: Sequence[CleanPhoto] = ()) -> TipMessage:
    """A reply or more information from the tipster, with optional photos, in one transaction.

    Sending the same reply again (reloading the page that sent it) stores it once.
    """
    body = body.strip()
    if not body and not photos:
        raise InvalidTip("a reply needs words or photos")
    if len(body) > MAX_MESSAGE:
        raise InvalidTip("reply too long")
    with write_transaction(session):
        tip = session.get(Tip, tip_id)
        if tip is None:
            raise InvalidTip("no such tip")
        repeated = _repeated_reply(tip, body, photos)
        if repeated is not None:
            return repeated
        now = tipster_time()  # to the hour, like the tip itself
        message = TipMessage(tip=tip, author_kind=AuthorKind.TIPSTER, body=body, created_at=now)
        session.add(message)
        for photo in photos:
            row = _photo_row(photo)
            row.tip = tip
            row.message = message
            session.add(row)
        tipster_words = [m.body for m in tip.messages if m.author_kind == AuthorKind.TIPSTER]
        tip.search_text = build_search_text(tip, tipster_words)
        tip.updated_at = now
        session.flush()
        audit.record(session, "tip.followup", tip_id=tip.id, subject="tipster", created_at=now,
                     photos=len(photos))
    return message


class TooManyPhotos(Exception):
    """The tip already has as many photos as a tip may have."""


@dataclass(frozen=True)
class AddedPhoto:
    photo_id: int
    photo_count: int  # the tip's photos, this one included
    repeated: bool = False  # the same photo was already there (a form sent twice): stored once
    location_used: bool = False


def add_photo(session: Session, tip_id: int, photo: CleanPhoto, *, max_photos: int,
              use_location: bool = False) -> AddedPhoto:
    """One more photo for a tip, sent by its tipster after the written report was stored.

    Photos travel one at a time, each in its own request, so that a slow or failed upload never
    costs the written report or the photos already sent. The same photo sent twice is stored once.
    With ``use_location``, a tip that has no position yet takes the photo's, when it lies in Cambodia.
    """
    with write_transaction(session):
        tip = session.get(Tip, tip_id)
        if tip is None:
            raise InvalidTip("no such tip")
        existing = next((p for p in tip.photos if p.sha256 == photo.sha256), None)
        if existing is not None:
            return AddedPhoto(existing.id, len(tip.photos), repeated=True)
        if len(tip.photos) >= max_photos:
            raise TooManyPhotos(max_photos)
        row = _photo_row(photo)
        tip.photos.append(row)
        location_used = use_location and tip.latitude is None and _located_in_cambodia(photo)
        if location_used:
            tip.latitude, tip.longitude = photo.latitude, photo.longitude
            tip.location_source = LocationSource.PHOTO
        now = tipster_time()
        tip.updated_at = now
        session.flush()
        audit.record(session, "tip.photo_added", tip_id=tip.id, subject="tipster", created_at=now,
                     location_used=location_used)
        return AddedPhoto(row.id, len(tip.photos), location_used=location_used)


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


# What the tipster sees for each internal state (CONVENTIONS.md, "Tip states"): the workflow's table.
PUBLIC_STATES: dict[TipStatus, PublicState] = {key: status.public for key, status in STATUSES.items()}
OUTCOMES: dict[TipOutcome, Any] = {
    TipOutcome.REMAINS_RECOVERED: _l("A search team found remains at the place you told us about. They "
                                     "will be brought home with honour."),
    TipOutcome.NOTHING_FOUND: _l("A search team searched the place but did not find remains."),
    TipOutcome.ALREADY_KNOWN: _l("The place was already known to the search teams. Your report helped "
                                 "to confirm it."),
    TipOutcome.NOT_SEARCHABLE: _l("The place cannot be searched at present."),
}


def public_status(tip: Tip) -> PublicStatus:
    """The tipster's view of a tip's state: never a reason that could identify anyone."""
    state = PUBLIC_STATES[tip.status]
    told_outcome = FIELD_OUTCOME in STATUSES[tip.status].requires  # closed: the outcome in plain words
    outcome = OUTCOMES.get(tip.outcome) if told_outcome and tip.outcome else None
    return PublicStatus(key=state.key, label=state.label, explanation=state.explanation, outcome=outcome)


def site_outcome(tip: Tip) -> TipsterOutcome | None:
    """What became of the place the tip tells about (issue #18), for the tipster: the site's state
    and dates in words, never its position or its other tips. None for a rejected tip."""
    if tip.site_id is None or tip.status == TipStatus.REJECTED:
        return None
    session = object_session(tip)
    return tipster_outcome(session.get(Site, tip.site_id) if session is not None else None)


def thread(tip: Tip) -> list[TipMessage]:
    """Messages between the tipster and staff, in the order they were written (by id: a tipster's
    message is stored to the hour, a staff message to the second)."""
    return sorted(tip.messages, key=lambda m: m.id)
