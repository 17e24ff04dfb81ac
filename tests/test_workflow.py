"""The workflow: every allowed move and every refused one, from a table written out here."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest
from sqlalchemy import select

from portal.db import write_transaction
from portal.models.audit import AuditEntry
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipOutcome, TipStatus
from portal.services import workflow
from tests.tip_factory import make_tip

STATES = ["new", "in_review", "verified", "passed_to_team", "closed", "rejected", "duplicate"]
# Written out by hand from the issue (new → in review → verified → passed to a search team →
# closed, plus rejected and duplicate, and the ways back a moderator needs). Not imported.
ALLOWED = {
    ("new", "in_review"), ("new", "rejected"), ("new", "duplicate"),
    ("in_review", "verified"), ("in_review", "rejected"), ("in_review", "duplicate"), ("in_review", "new"),
    ("verified", "passed_to_team"), ("verified", "in_review"), ("verified", "rejected"),
    ("verified", "duplicate"),
    ("passed_to_team", "closed"), ("passed_to_team", "verified"),
    ("closed", "in_review"), ("rejected", "in_review"), ("duplicate", "in_review"),
}
OUTCOME = workflow.FieldOutcome(TipOutcome.REMAINS_RECOVERED, team="K92", searched_on=date(2026, 2, 3),
                                remains_count=4)


def _setup(app, db_session, moderator, status):
    other_id, tip_id = make_tip(app).tip_id, make_tip(app).tip_id
    with write_transaction(db_session):
        db_session.get(Tip, tip_id).status = TipStatus(status)
    return db_session.get(Tip, tip_id), db_session.get(Tip, other_id), db_session.get(StaffUser, moderator.id)


@pytest.mark.parametrize(("source", "target"), list(product(STATES, STATES)))
def test_transition_table(app, db_session, moderator, source, target):
    tip, other, actor = _setup(app, db_session, moderator, source)
    extras = {"reason": "Not a burial site", "duplicate_of": other, "field_outcome": OUTCOME}

    def move():
        with write_transaction(db_session):
            fresh = db_session.get(Tip, tip.id)
            workflow.apply_transition(db_session, fresh, TipStatus(target), actor, **extras)

    if (source, target) in ALLOWED:
        move()
        db_session.expire_all()
        assert db_session.get(Tip, tip.id).status == TipStatus(target)
        entry = db_session.scalars(select(AuditEntry).where(AuditEntry.tip_id == tip.id,
                                                            AuditEntry.action == "tip.transition")).one()
        assert entry.detail["from"] == source
        assert entry.detail["to"] == target
        assert entry.actor_name == actor.username
    else:
        with pytest.raises(workflow.TransitionError, match="not_allowed"):
            move()
        db_session.expire_all()
        assert db_session.get(Tip, tip.id).status == TipStatus(source)
        moves = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "tip.transition")).all()
        assert moves == []


@pytest.mark.parametrize(("source", "target", "missing", "error"), [
    ("new", "rejected", {"reason": "  "}, "reason_required"),
    ("new", "duplicate", {"duplicate_of": None}, "duplicate_of_required"),
    ("passed_to_team", "closed", {"field_outcome": None}, "outcome_required"),
])
def test_moves_that_need_more_refuse_without_it(app, db_session, moderator, source, target, missing, error):
    tip, _other, actor = _setup(app, db_session, moderator, source)
    fresh = db_session.get(Tip, tip.id)
    with pytest.raises(workflow.TransitionError, match=error):
        workflow.apply_transition(db_session, fresh, TipStatus(target), actor, **missing)
    db_session.rollback()
    assert db_session.get(Tip, tip.id).status == TipStatus(source)


def test_closing_records_the_field_outcome(app, db_session, moderator):
    tip, _other, actor = _setup(app, db_session, moderator, "passed_to_team")
    with write_transaction(db_session):
        workflow.apply_transition(db_session, db_session.get(Tip, tip.id), TipStatus.CLOSED, actor,
                                  field_outcome=OUTCOME)
    db_session.expire_all()
    closed = db_session.get(Tip, tip.id)
    assert (closed.outcome, closed.search_team, closed.searched_on, closed.remains_count) == (
        TipOutcome.REMAINS_RECOVERED, "K92", date(2026, 2, 3), 4)


def test_a_tip_cannot_duplicate_itself(app, db_session, moderator):
    tip, _other, actor = _setup(app, db_session, moderator, "new")
    fresh = db_session.get(Tip, tip.id)
    with pytest.raises(workflow.TransitionError, match="duplicate_of_itself"):
        workflow.apply_transition(db_session, fresh, TipStatus.DUPLICATE, actor, duplicate_of=fresh)


def test_the_table_declares_every_state_once_in_the_enums_order():
    assert list(workflow.STATUSES) == list(TipStatus)
    assert all(key == row.key for key, row in workflow.STATUSES.items())


def test_every_requirement_has_its_inputs_on_the_move_form():
    from portal.staff.review_forms import TransitionForm

    required = set().union(*(row.requires for row in workflow.STATUSES.values()))
    assert required <= set(TransitionForm.REQUIREMENT_FIELDS)
