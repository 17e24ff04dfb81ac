"""The review workflow as data: one table of the states a tip can be in, and the one function that
moves a tip between them.

Each state is declared once, in ``STATUSES``: what staff call it, what the button that moves a tip
into it says, what the tipster sees (CONVENTIONS.md, "Tip states"), whether work on the tip is still
open, where it may move next and what a move into it requires. The labels, the allowed moves, the
open states, the tipster's view and the checks of ``apply_transition`` are all read from it; so are
the tip page's move forms (``portal.staff.review_forms.TransitionForm.inputs_for``). A state's badge
is styled by its key (``status-<key>`` in ``static/css/site.css``).

Every move is written to the audit log in the same transaction as the change itself, so the
log and the tip can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipOutcome, TipStatus
from portal.models.types import utcnow
from portal.services.audit import record

S = TipStatus

# What a move into a state can require; each has its checks in ``apply_transition`` and its
# inputs in ``TransitionForm.REQUIREMENT_FIELDS``.
Requirement = Literal["reason", "duplicate_of", "field_outcome"]
REASON: Requirement = "reason"  # why (kept from the tipster), stored as the rejection reason
DUPLICATE_OF: Requirement = "duplicate_of"  # the tip this one repeats
FIELD_OUTCOME: Requirement = "field_outcome"  # what the search team found (a ``FieldOutcome``)


@dataclass(frozen=True)
class PublicState:
    """What the tipster sees of a state: never a reason that could identify anyone. ``key`` names
    it in the follow-up page's HTML (``status-<key>``); several internal states share one."""

    key: str
    label: LazyString
    explanation: LazyString


RECEIVED = PublicState("received", _l("Received"),
                       _l("We have received your report. Staff of the search committees will read it soon."))
CHECKING = PublicState("checking", _l("Being checked"),
                       _l("Staff are checking your report and comparing it with what is already known."))
PASSED = PublicState("passed", _l("Passed to a search team"),
                     _l("Your report has been passed to a search team, who will look at the place when they "
                        "can, usually in the dry season (about November to May)."))
CLOSED = PublicState("closed", _l("Closed"), _l("The work on your report is finished."))
CLOSED_THANKS = PublicState("closed_thanks", _l("Closed — thank you"),
                            _l("The work on your report is finished. Thank you for taking the time to tell us."))


@dataclass(frozen=True)
class Status:
    """One state of the workflow and everything that differs between states."""

    key: TipStatus
    label: LazyString  # what staff read: badges, the queue, exports, the audit log
    move_label: LazyString  # the button that moves a tip into this state
    public: PublicState  # what the tipster sees
    open: bool  # still being worked on: the dashboard counts it, retention leaves its contact details
    moves_to: frozenset[TipStatus]  # the states it may move to; nothing else is allowed
    requires: frozenset[Requirement] = frozenset()  # what a move into this state must be given
    secondary: bool = False  # the move sets the tip aside: its button is the quieter one


# The table, in the order staff see the states (the order of ``TipStatus``).
STATUSES: dict[TipStatus, Status] = {status.key: status for status in (
    Status(S.NEW, _l("New"), _l("Back to new"), RECEIVED, open=True,
           moves_to=frozenset({S.IN_REVIEW, S.REJECTED, S.DUPLICATE})),
    Status(S.IN_REVIEW, _l("In review"), _l("Start review"), CHECKING, open=True,
           moves_to=frozenset({S.VERIFIED, S.REJECTED, S.DUPLICATE, S.NEW})),
    Status(S.VERIFIED, _l("Verified"), _l("Mark as verified"), CHECKING, open=True,
           moves_to=frozenset({S.PASSED_TO_TEAM, S.IN_REVIEW, S.REJECTED, S.DUPLICATE})),
    Status(S.PASSED_TO_TEAM, _l("Passed to a search team"), _l("Pass to a search team"), PASSED, open=True,
           moves_to=frozenset({S.CLOSED, S.VERIFIED})),
    Status(S.CLOSED, _l("Closed"), _l("Close with the field outcome"), CLOSED, open=False,
           moves_to=frozenset({S.IN_REVIEW}), requires=frozenset({FIELD_OUTCOME})),
    Status(S.REJECTED, _l("Rejected"), _l("Reject"), CLOSED_THANKS, open=False,
           moves_to=frozenset({S.IN_REVIEW}), requires=frozenset({REASON}), secondary=True),
    Status(S.DUPLICATE, _l("Duplicate"), _l("Mark as duplicate"), CLOSED_THANKS, open=False,
           moves_to=frozenset({S.IN_REVIEW}), requires=frozenset({DUPLICATE_OF}), secondary=True),
)}

# Read from the table, for the modules that want one column of it.
TRANSITIONS: dict[TipStatus, frozenset[TipStatus]] = {key: s.moves_to for key, s in STATUSES.items()}
STATUS_LABELS: dict[TipStatus, LazyString] = {key: s.label for key, s in STATUSES.items()}
OPEN_STATUSES: tuple[TipStatus, ...] = tuple(key for key, s in STATUSES.items() if s.open)
FINISHED_STATUSES: tuple[TipStatus, ...] = tuple(key for key, s in STATUSES.items() if not s.open)


class TransitionError(ValueError):
    """A move the workflow does not allow, or one missing what it needs; ``code`` names which."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class FieldOutcome:
    """What a search team found at a site passed to it."""

    outcome: TipOutcome
    team: str
    searched_on: date
    remains_count: int = 0


def allowed_moves(status: TipStatus) -> list[TipStatus]:
    """The states a tip in ``status`` may move to, in the table's order."""
    moves_to = STATUSES[status].moves_to
    return [key for key in STATUSES if key in moves_to]


def apply_transition(session: Session, tip: Tip, target: TipStatus, actor: StaffUser, *,
                     reason: str = "", duplicate_of: Tip | None = None,
                     field_outcome: FieldOutcome | None = None) -> None:
    """Move ``tip`` to ``target`` and audit it; the caller's transaction commits both together.

    A move must be given what the target's ``requires`` names (``STATUSES``): a reason, the tip
    it repeats, the field outcome. Leaving a state drops the tip it repeated or its outcome.
    """
    source = tip.status
    if target not in STATUSES[source].moves_to:
        raise TransitionError("not_allowed", source=source, target=target)
    needs, had = STATUSES[target].requires, STATUSES[source].requires
    detail: dict[str, Any] = {"from": source.value, "to": target.value}
    if REASON in needs:
        reason = reason.strip()
        if not reason:
            raise TransitionError("reason_required")
        tip.rejection_reason = reason
        detail["reason"] = reason
    if DUPLICATE_OF in needs:
        if duplicate_of is None:
            raise TransitionError("duplicate_of_required")
        if duplicate_of.id == tip.id or duplicate_of.duplicate_of_id == tip.id:
            raise TransitionError("duplicate_of_itself")
        tip.duplicate_of_id = duplicate_of.id
        detail["duplicate_of"] = duplicate_of.id
    elif DUPLICATE_OF in had:
        tip.duplicate_of_id = None
    if FIELD_OUTCOME in needs:
        if field_outcome is None:
            raise TransitionError("outcome_required")
        if field_outcome.remains_count < 0:
            raise TransitionError("outcome_required")
        tip.outcome = field_outcome.outcome
        tip.search_team = field_outcome.team
        tip.searched_on = field_outcome.searched_on
        tip.remains_count = field_outcome.remains_count
        detail.update(outcome=field_outcome.outcome.value, team=field_outcome.team,
                      searched_on=field_outcome.searched_on.isoformat(),
                      remains_count=field_outcome.remains_count)
    elif FIELD_OUTCOME in had:
        tip.outcome = None
    tip.status = target
    tip.status_changed_at = utcnow()
    if FIELD_OUTCOME in (needs | had):  # the statistics page counts closed tips' outcomes
        from portal.services.field_outcomes import outcomes_changed

        outcomes_changed(session)
    record(session, "tip.transition", actor_id=actor.id, actor_name=actor.username, tip_id=tip.id,
           subject=f"tip:{tip.id}", **detail)


class TipNotFound(LookupError):
    """The tip to act on does not exist (any more)."""


def move_tip(session: Session, tip_id: int, target: TipStatus, actor: StaffUser, *, reason: str = "",
             duplicate_of_id: int | None = None, field_outcome: FieldOutcome | None = None) -> Tip:
    """A moderator's move: load the tip (and the one it repeats), :func:`apply_transition` and its
    audit entry, all in one write transaction. ``TipNotFound`` or ``TransitionError`` when it cannot."""
    with write_transaction(session):
        tip = session.get(Tip, tip_id)
        if tip is None:
            raise TipNotFound(tip_id)
        duplicate_of = session.get(Tip, duplicate_of_id) if duplicate_of_id else None
        apply_transition(session, tip, target, actor, reason=reason, duplicate_of=duplicate_of,
                         field_outcome=field_outcome)
        return tip
