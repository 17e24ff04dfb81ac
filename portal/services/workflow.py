"""The review workflow as data: which moves a tip may make, and the one function that makes them.

Every move is written to the audit log in the same transaction as the change itself, so the
log and the tip can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipOutcome, TipStatus
from portal.models.types import utcnow
from portal.services.audit import record

S = TipStatus

# from-state → the states it may move to. Nothing else is allowed.
TRANSITIONS: dict[TipStatus, frozenset[TipStatus]] = {
    S.NEW: frozenset({S.IN_REVIEW, S.REJECTED, S.DUPLICATE}),
    S.IN_REVIEW: frozenset({S.VERIFIED, S.REJECTED, S.DUPLICATE, S.NEW}),
    S.VERIFIED: frozenset({S.PASSED_TO_TEAM, S.IN_REVIEW, S.REJECTED, S.DUPLICATE}),
    S.PASSED_TO_TEAM: frozenset({S.CLOSED, S.VERIFIED}),
    S.CLOSED: frozenset({S.IN_REVIEW}),
    S.REJECTED: frozenset({S.IN_REVIEW}),
    S.DUPLICATE: frozenset({S.IN_REVIEW}),
}


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
    return sorted(TRANSITIONS.get(status, frozenset()), key=list(TipStatus).index)


def apply_transition(session: Session, tip: Tip, target: TipStatus, actor: StaffUser, *,
                     reason: str = "", duplicate_of: Tip | None = None,
                     field_outcome: FieldOutcome | None = None) -> None:
    """Move ``tip`` to ``target`` and audit it; the caller's transaction commits both together.

    Rejections need a reason, duplicates the tip they repeat, closing a tip its field outcome.
    """
    source = tip.status
    if target not in TRANSITIONS.get(source, frozenset()):
        raise TransitionError("not_allowed", source=source, target=target)
    detail: dict[str, Any] = {"from": source.value, "to": target.value}
    if target == S.REJECTED:
        reason = reason.strip()
        if not reason:
            raise TransitionError("reason_required")
        tip.rejection_reason = reason
        detail["reason"] = reason
    if target == S.DUPLICATE:
        if duplicate_of is None:
            raise TransitionError("duplicate_of_required")
        if duplicate_of.id == tip.id or duplicate_of.duplicate_of_id == tip.id:
            raise TransitionError("duplicate_of_itself")
        tip.duplicate_of_id = duplicate_of.id
        detail["duplicate_of"] = duplicate_of.id
    elif source == S.DUPLICATE:
        tip.duplicate_of_id = None
    if target == S.CLOSED:
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
    elif source == S.CLOSED:
        tip.outcome = None
    tip.status = target
    tip.status_changed_at = utcnow()
    if S.CLOSED in (source, target):  # the statistics page counts closed tips' outcomes
        from portal.services.field_outcomes import outcomes_changed

        outcomes_changed(session)
    record(session, "tip.transition", actor_id=actor.id, actor_name=actor.username, tip_id=tip.id,
           subject=f"tip:{tip.id}", **detail)
