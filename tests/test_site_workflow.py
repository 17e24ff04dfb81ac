"""A site's field status: every allowed move and every refused one, from a table written out here."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest
from sqlalchemy import select

from portal.db import write_transaction
from portal.models.audit import AuditEntry
from portal.models.site import SearchTeam, Site, SiteStatus
from portal.models.staff import StaffUser
from portal.services import site_workflow
from tests.site_helpers import make_team, site_from_tips
from tests.tip_factory import make_tip

STATES = ["reported", "survey_planned", "surveyed", "excavation", "remains_recovered", "nothing_found",
          "repatriated"]
# Written out by hand from the issue (reported → survey planned → surveyed → excavation → remains
# recovered / nothing found → repatriated, and the ways back a moderator needs). Not imported.
ALLOWED = {
    ("reported", "survey_planned"),
    ("survey_planned", "surveyed"), ("survey_planned", "reported"),
    ("surveyed", "excavation"), ("surveyed", "nothing_found"), ("surveyed", "survey_planned"),
    ("excavation", "remains_recovered"), ("excavation", "nothing_found"), ("excavation", "surveyed"),
    ("remains_recovered", "repatriated"), ("remains_recovered", "excavation"),
    ("nothing_found", "survey_planned"),
}


def _site_in(app, db_session, moderator, status):
    site_id = site_from_tips(app, moderator.id, [make_tip(app).tip_id])
    make_team(app)
    with write_transaction(db_session):
        db_session.get(Site, site_id).status = SiteStatus(status)
    return site_id


@pytest.mark.parametrize(("source", "target"), list(product(STATES, STATES)))
def test_site_transition_table(app, db_session, moderator, source, target):
    site_id = _site_in(app, db_session, moderator, source)
    actor = db_session.get(StaffUser, moderator.id)
    team = db_session.scalars(select(SearchTeam)).one()

    def move():
        with write_transaction(db_session):
            site = db_session.get(Site, site_id)
            site_workflow.apply_site_transition(
                db_session, site, SiteStatus(target), actor, plan=site_workflow.SitePlan(team, date(2026, 1, 15)),
                on_date=date(2026, 2, 3), remains_count=3)

    if (source, target) in ALLOWED:
        move()
        db_session.expire_all()
        assert db_session.get(Site, site_id).status == SiteStatus(target)
        entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "site.transition")).one()
        assert entry.subject == f"site:{site_id}"
        assert (entry.detail["from"], entry.detail["to"]) == (source, target)
        assert entry.actor_name == moderator.username
    else:
        with pytest.raises(site_workflow.SiteTransitionError, match="not_allowed"):
            move()
        db_session.expire_all()
        assert db_session.get(Site, site_id).status == SiteStatus(source)
        assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "site.transition")).all() == []


@pytest.mark.parametrize(("source", "target", "given", "error"), [
    ("reported", "survey_planned", {"plan": None}, "plan_required"),
    ("survey_planned", "surveyed", {"on_date": None}, "date_required"),
    ("excavation", "remains_recovered", {"on_date": date(2026, 2, 3), "remains_count": 0}, "remains_required"),
    ("remains_recovered", "repatriated", {"on_date": None}, "date_required"),
])
def test_moves_that_need_more_refuse_without_it(app, db_session, moderator, source, target, given, error):
    site_id = _site_in(app, db_session, moderator, source)
    actor = db_session.get(StaffUser, moderator.id)
    with pytest.raises(site_workflow.SiteTransitionError, match=error):
        site_workflow.apply_site_transition(db_session, db_session.get(Site, site_id), SiteStatus(target), actor,
                                            **given)
    db_session.rollback()
    assert db_session.get(Site, site_id).status == SiteStatus(source)


def test_plan_sets_team_month_and_season(app, db_session, moderator):
    site_id = _site_in(app, db_session, moderator, "reported")
    actor = db_session.get(StaffUser, moderator.id)
    team = db_session.scalars(select(SearchTeam)).one()
    with write_transaction(db_session):
        site_workflow.apply_site_transition(db_session, db_session.get(Site, site_id), SiteStatus.SURVEY_PLANNED,
                                            actor, plan=site_workflow.SitePlan(team, date(2026, 1, 20)))
    site = db_session.get(Site, site_id)
    assert (site.team_id, site.planned_month, site.season) == (team.id, date(2026, 1, 1), "2025-2026")
