"""Families' inquiries (issue #19): filing one, finding it again by its receipt, the messages, the
moderator's decisions on proposed links, what the family reads, and retention.

Like a tip, an inquiry keeps only a keyed hash of its receipt code (``portal.services.receipts``);
the plain code leaves :func:`submit_inquiry` only in its return value. The family's contact
details are shown to staff on request, every look audited, and removed by :func:`purge` once the
inquiry has been closed for ``RETENTION_DAYS``. What a family reads of a linked tip or site
(:func:`family_view`) is the site's state in words and its dates: never a word of the tip, its
place or its tipster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal import geo, vn_places
from portal.db import write_transaction
from portal.i18n import LOCALES
from portal.models.inquiry import (
    MAX_KNOWN,
    DnaSample,
    Inquiry,
    InquiryLink,
    InquiryMessage,
    InquiryStatus,
    LinkDecision,
)
from portal.models.site import Site
from portal.models.staff import StaffUser
from portal.models.tip import MAX_MESSAGE, Tip, TipStatus, tipster_time
from portal.models.types import utcnow
from portal.services import receipts
from portal.services.audit import record, write
from portal.services.inquiry_matching import Proposal, proposal_for, years_in
from portal.services.site_workflow import SITE_STATUSES, tipster_outcome
from portal.services.tips import AlreadyReceived

CONTACT_FIELDS = ("relationship_to_fallen", "contact_name", "contact_phone", "contact_email", "contact_language")
REPEATED_REPLY_WINDOW = timedelta(minutes=30)
PURGE_ACTOR = "flask purge"


class InvalidInquiry(ValueError):
    """The data cannot make an inquiry (a form would have refused it)."""


class InquiryError(ValueError):
    """A moderator's action that cannot be done; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(init=False)
class InquiryInput:
    """What a family told us, checked by the form."""

    language: str
    fallen_name: str
    birth_year: int | None = None
    hometown_written: str = ""
    hometown_province_code: str | None = None
    hometown_commune_code: str | None = None
    unit: str = ""
    death_date: str = ""
    death_place: str = ""
    death_province_code: str | None = None
    family_knows: str = ""
    dna_sample: DnaSample | None = None
    relationship_to_fallen: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_language: str | None = None
    idempotency_key: str | None = None

    def __init__(self, language: str, fallen_name: str, **values: Any) -> None:
        self.language, self.fallen_name = language, fallen_name
        for item in fields(self):
            if item.name not in ("language", "fallen_name"):
                setattr(self, item.name, values.pop(item.name, item.default))
        if values:
            raise TypeError(f"InquiryInput has no {sorted(values)}")

    @property
    def has_contact(self) -> bool:
        return any((self.contact_name, self.contact_phone, self.contact_email))


@dataclass(frozen=True)
class SubmittedInquiry:
    inquiry_id: int
    receipt: str  # the only copy of the plain code: show it once
    created_at: datetime


def _check(data: InquiryInput) -> None:
    if data.language not in LOCALES:
        raise InvalidInquiry("unknown language")
    if not data.fallen_name.strip():
        raise InvalidInquiry("the fallen person's name is required")
    if data.hometown_province_code and vn_places.province(data.hometown_province_code) is None:
        raise InvalidInquiry("unknown province")
    commune = vn_places.commune(data.hometown_commune_code)
    if data.hometown_commune_code and (commune is None or commune.province_code != data.hometown_province_code):
        raise InvalidInquiry("unknown or inconsistent commune")
    if data.death_province_code and geo.province(data.death_province_code) is None:
        raise InvalidInquiry("unknown Cambodian province")
    if len(data.family_knows) > MAX_KNOWN:
        raise InvalidInquiry("too long")


def death_year(death_date: str) -> int | None:
    """The year a death date written as the family knows it names ("tháng 3 năm 1979"), if one."""
    years = years_in(death_date)
    return min(years) if len(years) == 1 else None


def submit_inquiry(session: Session, data: InquiryInput, *, receipt_key: str | bytes) -> SubmittedInquiry:
    """Store an inquiry and its audit entry in one write transaction. A form sent twice (the same
    submission id) raises :class:`portal.services.tips.AlreadyReceived` with the same code."""
    _check(data)
    if data.idempotency_key:
        code = receipts.for_submission(data.idempotency_key, receipt_key)
        submission = receipts.submission_hash(data.idempotency_key, receipt_key)
    else:
        code, submission = receipts.generate(), None
    now = tipster_time()
    values = {
        "status": InquiryStatus.RECEIVED, "created_at": now, "updated_at": now, "status_changed_at": now,
        "language": data.language, "receipt_hash": receipts.receipt_hash(code, receipt_key),
        "idempotency_key": submission, "fallen_name": data.fallen_name.strip(), "birth_year": data.birth_year,
        "hometown_written": data.hometown_written, "hometown_province_code": data.hometown_province_code or None,
        "hometown_commune_code": data.hometown_commune_code or None, "unit": data.unit,
        "death_date": data.death_date, "death_year": death_year(data.death_date), "death_place": data.death_place,
        "death_province_code": data.death_province_code or None, "family_knows": data.family_knows,
        "dna_sample": data.dna_sample,
        **{name: (getattr(data, name) or None) if data.has_contact else None for name in CONTACT_FIELDS},
    }
    if data.has_contact and not values["contact_language"]:
        values["contact_language"] = data.language
    try:
        with write_transaction(session):
            inquiry_id = session.execute(insert(Inquiry).returning(Inquiry.id), values).scalar_one()
            write(session, "inquiry.received", subject=f"inquiry:{inquiry_id}", created_at=now,
                  language=data.language)
    except IntegrityError as exc:
        session.rollback()
        if submission and session.scalar(select(Inquiry.id).where(Inquiry.idempotency_key == submission)):
            raise AlreadyReceived(code) from exc
        raise
    return SubmittedInquiry(inquiry_id=inquiry_id, receipt=code, created_at=now)


def find_by_receipt(session: Session, code: str, *, receipt_key: str | bytes) -> Inquiry | None:
    """Raises ``receipts.MalformedReceipt`` for typing mistakes."""
    return find_by_receipt_hash(session, receipts.receipt_hash(code, receipt_key))


def find_by_receipt_hash(session: Session, digest: str) -> Inquiry | None:
    if not digest:
        return None
    return session.scalar(select(Inquiry).where(Inquiry.receipt_hash == digest)
                          .options(selectinload(Inquiry.messages), selectinload(Inquiry.links)))


def get(session: Session, inquiry_id: int) -> Inquiry | None:
    return session.scalar(select(Inquiry).where(Inquiry.id == inquiry_id)
                          .options(selectinload(Inquiry.messages), selectinload(Inquiry.links)))


def _inquiry(session: Session, inquiry_id: int) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise InquiryError("not_found")
    return inquiry


def _audit(session: Session, action: str, inquiry_id: int, actor: StaffUser, **detail: Any) -> None:
    record(session, action, actor_id=actor.id, actor_name=actor.username, subject=f"inquiry:{inquiry_id}",
           **detail)


# -- messages ------------------------------------------------------------------------------------

def add_family_message(session: Session, inquiry_id: int, body: str) -> InquiryMessage:
    """A message from the family; the same one sent again (a reloaded page) is stored once."""
    body = body.strip()
    if not body or len(body) > MAX_MESSAGE:
        raise InvalidInquiry("a message needs words, at most MAX_MESSAGE characters")
    with write_transaction(session):
        inquiry = _inquiry(session, inquiry_id)
        now = tipster_time()
        last = next((m for m in sorted(inquiry.messages, key=lambda m: -m.id) if not m.from_staff), None)
        if last is not None and last.body == body and last.created_at >= tipster_time(utcnow() - REPEATED_REPLY_WINDOW):
            return last
        message = InquiryMessage(inquiry=inquiry, from_staff=False, body=body, created_at=now)
        session.add(message)
        inquiry.updated_at = now
        session.flush()
        record(session, "inquiry.family_message", subject=f"inquiry:{inquiry.id}", created_at=now)
    return message


def send_staff_message(session: Session, inquiry_id: int, body: str, actor: StaffUser) -> InquiryMessage:
    with write_transaction(session):
        inquiry = _inquiry(session, inquiry_id)
        message = InquiryMessage(inquiry=inquiry, from_staff=True, body=body.strip(), staff_id=actor.id)
        session.add(message)
        session.flush()
        _audit(session, "inquiry.message_sent", inquiry.id, actor, message=message.id)
    return message


def thread(inquiry: Inquiry) -> list[InquiryMessage]:
    return sorted(inquiry.messages, key=lambda m: m.id)


# -- status and contact --------------------------------------------------------------------------

INQUIRY_STATUS_LABELS: dict[InquiryStatus, LazyString] = {
    InquiryStatus.RECEIVED: _l("Received"),
    InquiryStatus.LOOKING: _l("Being looked into"),
    InquiryStatus.CLOSED: _l("Closed"),
}
# What the family reads of each state.
FAMILY_STATUS_WORDS: dict[InquiryStatus, LazyString] = {
    InquiryStatus.RECEIVED: _l("Your inquiry has reached us. Our staff will read it and compare it with the "
                               "reports of burial sites we receive."),
    InquiryStatus.LOOKING: _l("Our staff are looking into your inquiry. If they find something that may "
                              "concern your relative, or have a question, you will read it here."),
    InquiryStatus.CLOSED: _l("Our staff have closed your inquiry. You can still read the messages here, and "
                             "write to us if you learn something new."),
}


def move(session: Session, inquiry_id: int, target: InquiryStatus, actor: StaffUser) -> None:
    with write_transaction(session):
        inquiry = _inquiry(session, inquiry_id)
        if inquiry.status == target:
            raise InquiryError("same_status")
        source = inquiry.status
        inquiry.status, inquiry.status_changed_at = target, utcnow()
        _audit(session, "inquiry.transition", inquiry.id, actor, **{"from": source.value, "to": target.value})


@dataclass(frozen=True)
class FamilyContact:
    relationship: str | None
    name: str | None
    phone: str | None
    email: str | None
    language: str | None

    @property
    def empty(self) -> bool:
        return not any((self.name, self.phone, self.email))


def has_contact(inquiry: Inquiry) -> bool:
    return any(getattr(inquiry, name) for name in ("contact_name", "contact_phone", "contact_email"))


def reveal_contact(session: Session, inquiry_id: int, actor: StaffUser) -> FamilyContact:
    """The family's contact details; every look is audited."""
    with write_transaction(session):
        inquiry = _inquiry(session, inquiry_id)
        _audit(session, "inquiry.contact_viewed", inquiry.id, actor)
        return FamilyContact(inquiry.relationship_to_fallen, inquiry.contact_name, inquiry.contact_phone,
                             inquiry.contact_email, inquiry.contact_language)


# -- links ---------------------------------------------------------------------------------------

def decide(session: Session, inquiry_id: int, tip_id: int, decision: LinkDecision, actor: StaffUser, *,
           to_site: bool = True) -> InquiryLink:
    """Confirm or dismiss a proposed link, with the reasons it was proposed, audited. A tip that
    belongs to a site links the site (``to_site``), which the family then follows."""
    with write_transaction(session):
        inquiry = _inquiry(session, inquiry_id)
        proposal: Proposal | None = proposal_for(session, inquiry, tip_id)
        if proposal is None:
            raise InquiryError("tip_not_found")
        site_id = proposal.site_id if to_site else None
        existing = next((link for link in inquiry.links
                         if (site_id is not None and link.site_id == site_id)
                         or (site_id is None and link.tip_id == tip_id and link.site_id is None)), None)
        if existing is not None and existing.decision == decision:
            raise InquiryError("already_decided")
        reasons = [reason.code for reason in proposal.reasons]
        if existing is not None:
            existing.decision, existing.decided_by_id, existing.decided_at = decision, actor.id, utcnow()
            existing.score, existing.reasons = proposal.score, reasons
            link = existing
        else:
            link = InquiryLink(inquiry=inquiry, tip_id=None if site_id is not None else tip_id, site_id=site_id,
                               decision=decision, score=proposal.score, reasons=reasons, decided_by_id=actor.id)
            session.add(link)
        if decision == LinkDecision.CONFIRMED and inquiry.status == InquiryStatus.RECEIVED:
            inquiry.status, inquiry.status_changed_at = InquiryStatus.LOOKING, utcnow()
        session.flush()
        _audit(session, f"inquiry.link_{decision.value}", inquiry.id, actor, tip=tip_id, site=site_id,
               score=proposal.score, reasons=reasons)
    return link


def links_of_tip(session: Session, tip: Tip) -> list[InquiryLink]:
    """Confirmed links to this tip or to its site (shown on the tip's page)."""
    condition = InquiryLink.tip_id == tip.id
    if tip.site_id is not None:
        condition = or_(condition, InquiryLink.site_id == tip.site_id)
    return list(session.scalars(select(InquiryLink).where(
        and_(condition, InquiryLink.decision == LinkDecision.CONFIRMED)).order_by(InquiryLink.id)))


def links_of_site(session: Session, site_id: int) -> list[InquiryLink]:
    tip_ids = select(Tip.id).where(Tip.site_id == site_id)
    return list(session.scalars(select(InquiryLink).where(
        InquiryLink.decision == LinkDecision.CONFIRMED,
        or_(InquiryLink.site_id == site_id, InquiryLink.tip_id.in_(tip_ids))).order_by(InquiryLink.id)))


# -- what the family reads -----------------------------------------------------------------------

@dataclass(frozen=True)
class FamilyNews:
    """One confirmed link as the family reads it: the state in gentle words, dates of the field
    work. ``key`` names the state in the page's HTML."""

    key: str
    sentence: str
    facts: tuple[str, ...]


TIP_ONLY_WORDS = _l("Our staff have found a report that may concern your relative. They are checking it "
                    "with care; a search team may be asked to look at the place.")


def family_view(session: Session, inquiry: Inquiry) -> list[FamilyNews]:
    """What the family reads of each confirmed link, in the current request's language."""
    news: list[FamilyNews] = []
    seen_sites: set[int] = set()
    for link in inquiry.links:
        if link.decision != LinkDecision.CONFIRMED:
            continue
        site_id = link.site_id
        if site_id is None and link.tip_id is not None:
            tip = session.get(Tip, link.tip_id)
            if tip is None or tip.status == TipStatus.REJECTED:
                continue
            site_id = tip.site_id
        if site_id is None:
            news.append(FamilyNews("report", str(TIP_ONLY_WORDS), ()))
            continue
        if site_id in seen_sites:
            continue
        seen_sites.add(site_id)
        site = session.get(Site, site_id)
        if site is None:
            continue
        outcome = tipster_outcome(site)  # the site's dates and remains, no more
        news.append(FamilyNews(site.status.value, str(SITE_STATUSES[site.status].family),
                               outcome.facts if outcome else ()))
    return news


# -- retention -----------------------------------------------------------------------------------

def purge(session: Session, cutoff: datetime, *, dry_run: bool = False) -> list[int]:
    """Remove the contact details of inquiries closed before ``cutoff``; the inquiry itself stays.
    Returns the inquiries purged (or that would be)."""
    due = list(session.scalars(select(Inquiry.id).where(
        Inquiry.status == InquiryStatus.CLOSED, Inquiry.status_changed_at < cutoff,
        or_(*(getattr(Inquiry, name).is_not(None) for name in CONTACT_FIELDS))).order_by(Inquiry.id)))
    if dry_run or not due:
        return due
    with write_transaction(session):
        for inquiry in session.scalars(select(Inquiry).where(
                Inquiry.id.in_(due), Inquiry.status == InquiryStatus.CLOSED, Inquiry.status_changed_at < cutoff)):
            for name in CONTACT_FIELDS:
                setattr(inquiry, name, None)
            record(session, "inquiry.purged", actor_name=PURGE_ACTOR, subject=f"inquiry:{inquiry.id}",
                   contact_removed=True)
    return due


# -- the staff list ------------------------------------------------------------------------------

PAGE_SIZE = 50


def staff_list(session: Session, statuses: Sequence[InquiryStatus] = (), before: int | None = None) -> list[Inquiry]:
    """Newest first, 50 at a time (``before``: the last id of the page before)."""
    query = select(Inquiry).order_by(Inquiry.id.desc()).limit(PAGE_SIZE)
    if statuses:
        query = query.where(Inquiry.status.in_(statuses))
    if before:
        query = query.where(Inquiry.id < before)
    return list(session.scalars(query))


def history(session: Session, inquiry_id: int) -> list[Any]:
    from portal.models.audit import AuditEntry

    return list(session.scalars(select(AuditEntry).where(AuditEntry.subject == f"inquiry:{inquiry_id}")
                                .order_by(AuditEntry.id.desc())))
