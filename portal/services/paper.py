"""The paper channel: distribution points, batches of printed forms, and keying the forms in.

A villager who will never open a website tells the commune office, the pagoda or a veterans' group;
they hand out forms printed here and send them back. Each form carries a receipt code on a tear-off
stub that the villager keeps, so they (or the point's contact, for them) can follow the report up
like any other. The code is reserved when the batch is made — only its keyed hash is stored — and
becomes the tip's own receipt when staff key the form in. Every step is in the audit log.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal import geo
from portal.db import write_transaction
from portal.models.paper import MAX_BATCH_SIZE, DistributionPoint, FormBatch, PointKind, PrintedCode
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipChannel
from portal.models.types import utcnow
from portal.services import receipts
from portal.services.audit import record
from portal.services.tips import GivenReceipt, SubmittedTip, TipInput, submit_tip
from portal.uploads import CleanPhoto

SECOND_LANGUAGES = ("vi", "en")  # printed beside Khmer on every form


class PaperError(ValueError):
    """What staff asked for cannot be done (the form should have refused it)."""


class CodeRefused(Exception):
    """A printed code that cannot be keyed in. ``reason``: one of receipts.MalformedReceipt's
    (``empty``, ``length``, ``characters``, ``checksum``), or ``unknown``, ``voided``, ``used``."""

    def __init__(self, reason: str, *, characters: str = "", tip_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.characters = characters
        self.tip_id = tip_id


@dataclass(frozen=True)
class PointInput:
    name: str
    kind: PointKind
    province_code: str
    district_code: str | None = None
    commune_code: str | None = None
    village_code: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    notes: str = ""


def _audit(session: Session, action: str, actor: StaffUser, subject: str, *, tip_id: int | None = None,
           **detail: Any) -> None:
    record(session, action, actor_id=actor.id, actor_name=actor.username, subject=subject, tip_id=tip_id, **detail)


def _check_place(data: PointInput) -> None:
    codes = [data.province_code, data.district_code, data.commune_code, data.village_code]
    if not data.province_code or not geo.chain_is_consistent(codes):
        raise PaperError(f"unknown or inconsistent place codes {codes!r}")
    if not data.name.strip():
        raise PaperError("a distribution point needs a name")


def _set_point(point: DistributionPoint, data: PointInput) -> None:
    point.name = data.name.strip()
    point.kind = data.kind
    point.province_code = data.province_code
    point.district_code = data.district_code or None
    point.commune_code = data.commune_code or None
    point.village_code = data.village_code or None
    point.contact_name = data.contact_name.strip()
    point.contact_phone = data.contact_phone.strip()
    point.notes = data.notes.strip()


def create_point(session: Session, data: PointInput, actor: StaffUser) -> DistributionPoint:
    _check_place(data)
    with write_transaction(session):
        point = DistributionPoint()
        _set_point(point, data)
        session.add(point)
        session.flush()
        _audit(session, "paper.point_created", actor, f"point:{point.id}", name=point.name)
    return point


def update_point(session: Session, point_id: int, data: PointInput, actor: StaffUser) -> DistributionPoint:
    _check_place(data)
    with write_transaction(session):
        point = _point(session, point_id)
        _set_point(point, data)
        _audit(session, "paper.point_updated", actor, f"point:{point.id}", name=point.name)
    return point


def _point(session: Session, point_id: int) -> DistributionPoint:
    point = session.get(DistributionPoint, point_id)
    if point is None:
        raise PaperError("no such distribution point")
    return point


def get_point(session: Session, point_id: int) -> DistributionPoint | None:
    return session.get(DistributionPoint, point_id)


def list_points(session: Session) -> list[DistributionPoint]:
    return list(session.scalars(select(DistributionPoint).order_by(DistributionPoint.province_code,
                                                                   DistributionPoint.name, DistributionPoint.id)))


def get_batch(session: Session, batch_id: int) -> FormBatch | None:
    return session.get(FormBatch, batch_id)


def create_batch(session: Session, point_id: int, size: int, second_language: str, actor: StaffUser, *,
                 receipt_key: str | bytes) -> FormBatch:
    """``size`` forms for one point, each with its own reserved receipt code (its hash stored)."""
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise PaperError(f"a batch has 1 to {MAX_BATCH_SIZE} forms")
    if second_language not in SECOND_LANGUAGES:
        raise PaperError("unknown second language")
    salt = secrets.token_hex(16)
    hashes = [receipts.receipt_hash(receipts.for_printed_form(salt, serial, receipt_key), receipt_key)
              for serial in range(1, size + 1)]
    with write_transaction(session):
        point = _point(session, point_id)
        batch = FormBatch(point=point, size=size, second_language=second_language, salt=salt,
                          created_by_id=actor.id, times_printed=0, returned_count=0, void_reason="")
        batch.codes = [PrintedCode(serial=serial, receipt_hash=digest) for serial, digest in enumerate(hashes, 1)]
        session.add(batch)
        session.flush()
        _audit(session, "paper.batch_created", actor, f"batch:{batch.id}", point=point.id, forms=size,
               language=second_language)
    return batch


@dataclass(frozen=True)
class PrintedForm:
    serial: int
    code: str


def print_batch(session: Session, batch_id: int, actor: StaffUser, *, receipt_key: str | bytes) -> list[PrintedForm]:
    """The forms of a batch that are still to come back, with their codes, for printing (audited).

    Forms already keyed in are left out: their code belongs to a tip now. A voided batch prints nothing.
    """
    with write_transaction(session):
        batch = session.get(FormBatch, batch_id)
        if batch is None:
            raise PaperError("no such batch")
        if batch.voided:
            raise PaperError("the batch is voided")
        forms = [PrintedForm(code.serial, receipts.for_printed_form(batch.salt, code.serial, receipt_key))
                 for code in batch.codes if code.tip_id is None]
        batch.times_printed += 1
        _audit(session, "paper.batch_printed", actor, f"batch:{batch.id}", point=batch.point_id, forms=len(forms))
    return forms


def void_batch(session: Session, batch_id: int, reason: str, actor: StaffUser) -> int:
    """Stop a batch's unused codes working (forms lost or stolen); forms already keyed in stay. The
    number of codes stopped."""
    with write_transaction(session):
        batch = session.get(FormBatch, batch_id)
        if batch is None:
            raise PaperError("no such batch")
        if batch.voided:
            return 0
        batch.voided_at = utcnow()
        batch.void_reason = reason.strip()
        unused = sum(1 for code in batch.codes if code.tip_id is None)
        _audit(session, "paper.batch_voided", actor, f"batch:{batch.id}", point=batch.point_id, unused=unused)
    return unused


def record_returned(session: Session, batch_id: int, count: int, actor: StaffUser) -> None:
    """How many forms of a batch came back to the office (before or while they are keyed in)."""
    with write_transaction(session):
        batch = session.get(FormBatch, batch_id)
        if batch is None:
            raise PaperError("no such batch")
        if not 0 <= count <= batch.size:
            raise PaperError("more forms returned than printed")
        batch.returned_count = count
        _audit(session, "paper.returned_recorded", actor, f"batch:{batch.id}", point=batch.point_id, forms=count)


def check_code(session: Session, typed: str, *, receipt_key: str | bytes) -> PrintedCode:
    """The printed code typed from a form, or :class:`CodeRefused` saying what is wrong with it."""
    try:
        digest = receipts.receipt_hash(typed, receipt_key)
    except receipts.MalformedReceipt as exc:
        raise CodeRefused(exc.reason, characters=exc.characters) from exc
    code = session.scalar(select(PrintedCode).where(PrintedCode.receipt_hash == digest))
    if code is None:
        raise CodeRefused("unknown")
    if code.batch.voided:
        raise CodeRefused("voided")
    if code.tip_id is not None:
        raise CodeRefused("used", tip_id=code.tip_id)
    return code


def key_in(session: Session, data: TipInput, typed_code: str | None, photos: Sequence[CleanPhoto] = (), *,
           actor: StaffUser, receipt_key: str | bytes) -> SubmittedTip:
    """A paper form typed in by staff: a tip with channel "paper" and the form's distribution point.

    With the code printed on the form, the tip takes it as its receipt (once; a voided batch's code is
    refused). A form without a readable code gets a new code, to be sent back through the point.
    """
    if data.channel != TipChannel.PAPER or data.distribution_point_id is None:
        raise PaperError("a paper form has the paper channel and a distribution point")
    if session.get(DistributionPoint, data.distribution_point_id) is None:
        raise PaperError("no such distribution point")
    given: GivenReceipt | None = None
    printed_id: int | None = None
    if typed_code is not None:
        printed = check_code(session, typed_code, receipt_key=receipt_key)
        given = GivenReceipt(receipts.format_code(receipts.normalise(typed_code)), printed.receipt_hash)
        printed_id = printed.id

    def claim(session: Session, tip_id: int) -> None:
        if printed_id is not None:
            # Only a code still unused, in a batch not voided: two people keying the same form at
            # once, or a void in between, leave one tip or none — never two tips on one code.
            claimed = session.execute(
                update(PrintedCode)
                .where(PrintedCode.id == printed_id, PrintedCode.tip_id.is_(None),
                       PrintedCode.batch_id.in_(select(FormBatch.id).where(FormBatch.voided_at.is_(None))))
                .values(tip_id=tip_id, keyed_at=utcnow()))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise CodeRefused("used")
        _audit(session, "paper.form_keyed", actor, f"tip:{tip_id}", tip_id=tip_id, point=data.distribution_point_id,
               printed_code=printed_id is not None)
        session.flush()

    return submit_tip(session, data, photos, receipt_key=receipt_key, given_receipt=given, also=claim)


# ---------------------------------------------------------------------------------------------
# What works: forms printed, returned and keyed in, per distribution point and per province


@dataclass
class ChannelCounts:
    printed: int = 0  # forms in batches not voided
    voided: int = 0  # unused forms of voided batches
    returned: int = 0  # recorded by staff (at least the forms keyed in with their code)
    keyed: int = 0  # tips keyed in from this point's forms, with or without a printed code
    keyed_without_code: int = 0

    def add(self, other: ChannelCounts) -> None:
        for name in ("printed", "voided", "returned", "keyed", "keyed_without_code"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class ChannelReport:
    points: list[tuple[DistributionPoint, ChannelCounts]]
    provinces: list[tuple[str, ChannelCounts]]
    total: ChannelCounts


def channel_report(session: Session) -> ChannelReport:
    """Forms printed, returned and keyed in, per distribution point and per province (four queries)."""
    points = list_points(session)
    keyed_by_batch = dict(session.execute(
        select(PrintedCode.batch_id, func.count(PrintedCode.id)).where(PrintedCode.tip_id.is_not(None))
        .group_by(PrintedCode.batch_id)).all())
    tips_by_point = dict(session.execute(
        select(Tip.distribution_point_id, func.count(Tip.id)).where(Tip.distribution_point_id.is_not(None))
        .group_by(Tip.distribution_point_id)).all())
    counts: dict[int, ChannelCounts] = defaultdict(ChannelCounts)
    for batch in session.scalars(select(FormBatch)):
        point_counts = counts[batch.point_id]
        keyed = keyed_by_batch.get(batch.id, 0)
        if batch.voided:
            point_counts.printed += keyed
            point_counts.voided += batch.size - keyed
        else:
            point_counts.printed += batch.size
        point_counts.returned += max(batch.returned_count, keyed)
        point_counts.keyed += keyed
    for point_id, tips in tips_by_point.items():
        if point_id is None:  # pragma: no cover - the query leaves them out
            continue
        with_code = counts[point_id].keyed
        counts[point_id].keyed_without_code = max(tips - with_code, 0)
        counts[point_id].keyed = tips
    by_province: dict[str, ChannelCounts] = defaultdict(ChannelCounts)
    total = ChannelCounts()
    rows = []
    for point in points:
        point_counts = counts[point.id]
        point_counts.returned = max(point_counts.returned, point_counts.keyed)
        rows.append((point, point_counts))
        by_province[point.province_code].add(point_counts)
        total.add(point_counts)
    return ChannelReport(rows, sorted(by_province.items()), total)
