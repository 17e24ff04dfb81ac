"""Sites: create from a tip, attach, split (each audited), corroboration, plans and visits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.db import write_transaction
from portal.models.audit import AuditEntry
from portal.models.site import Site, SiteStatus, SiteVisit, VisitFinding
from portal.models.staff import StaffUser
from portal.models.tip import HowKnown, Tip, TipChannel, TipStatus
from portal.services import sites
from tests.site_helpers import make_team
from tests.tip_factory import make_tip


def _audit(db_session, action):
    return db_session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


@pytest.fixture
def actor(db_session, moderator):
    return db_session.get(StaffUser, moderator.id)


def test_a_site_made_from_a_tip_takes_its_place_and_is_audited(app, db_session, actor):
    tip_id = make_tip(app, province_code="17", district_code="1701", commune_code="170101",
                      village_code="17010101", latitude=13.36, longitude=103.86, uncertainty_m=200,
                      local_name="Wat Thmei").tip_id
    site = sites.create_site_from_tip(db_session, tip_id, actor)
    site = db_session.get(Site, site.id)
    assert (site.name, site.village_code, site.latitude, site.uncertainty_m) == ("Wat Thmei", "17010101", 13.36, 200)
    assert site.status == SiteStatus.REPORTED
    assert db_session.get(Tip, tip_id).site_id == site.id
    [entry] = _audit(db_session, "site.created")
    assert (entry.tip_id, entry.subject, entry.actor_name) == (tip_id, f"site:{site.id}", actor.username)
    with pytest.raises(sites.SiteError, match="already_attached"):
        sites.create_site_from_tip(db_session, tip_id, actor)
    assert db_session.scalars(select(Site)).all() == [site]


def test_attach_and_split_are_audited_and_recount(app, db_session, actor):
    first, second = make_tip(app, contact_phone="012 345 678").tip_id, make_tip(app).tip_id
    site_id = sites.create_site_from_tip(db_session, first, actor, "Pagoda").id
    sites.attach_tip(db_session, site_id, second, actor)
    site = db_session.get(Site, site_id)
    assert (site.tip_count, site.corroboration) == (2, 2)
    [attached] = _audit(db_session, "site.tip_attached")
    assert (attached.tip_id, attached.detail["site_id"], attached.detail["accounts"]) == (second, site_id, 2)
    with pytest.raises(sites.SiteError, match="already_here"):
        sites.attach_tip(db_session, site_id, second, actor)

    sites.split_tip(db_session, second, actor)
    db_session.expire_all()
    assert db_session.get(Tip, second).site_id is None
    assert (db_session.get(Site, site_id).tip_count, db_session.get(Site, site_id).corroboration) == (1, 1)
    [split] = _audit(db_session, "site.tip_split")
    assert (split.tip_id, split.detail["site_id"], split.actor_name) == (second, site_id, actor.username)
    with pytest.raises(sites.SiteError, match="not_attached"):
        sites.split_tip(db_session, second, actor)
    with pytest.raises(sites.SiteError, match="last_tip"):
        sites.split_tip(db_session, first, actor)
    assert len(_audit(db_session, "site.tip_split")) == 1


def test_a_tip_of_another_site_must_be_split_off_first(app, db_session, actor):
    one, two = make_tip(app).tip_id, make_tip(app).tip_id
    sites.create_site_from_tip(db_session, one, actor)
    other = sites.create_site_from_tip(db_session, two, actor)
    with pytest.raises(sites.SiteError, match="already_attached"):
        sites.attach_tip(db_session, other.id, one, actor)


def test_corroboration_counts_different_tipsters_not_tips(app, db_session, actor):
    same_a = make_tip(app, contact_phone="+855 12 345 678", how_known=HowKnown.SAW).tip_id
    same_b = make_tip(app, contact_phone="012 345 678", how_known=HowKnown.SAW).tip_id  # the same number
    by_mail = make_tip(app, contact_email="Dara@example.org", how_known=HowKnown.TOLD,
                       channel=TipChannel.PHONE).tip_id
    anonymous = make_tip(app, how_known=HowKnown.DOCUMENTS, channel=TipChannel.PAPER).tip_id
    rejected = make_tip(app, contact_email="other@example.org").tip_id
    with write_transaction(db_session):
        db_session.get(Tip, rejected).status = TipStatus.REJECTED
    site_id = sites.create_site_from_tip(db_session, same_a, actor).id
    for tip_id in (same_b, by_mail, anonymous, rejected):
        sites.attach_tip(db_session, site_id, tip_id, actor)
    site = db_session.get(Site, site_id)
    assert (site.tip_count, site.corroboration) == (5, 3)
    counts = sites.corroboration(sites.site_tips(db_session, site_id))
    assert counts.channels == {"web": 1, "phone": 1, "paper": 1}
    assert counts.how_known == {"saw": 1, "told": 1, "documents": 1}


def test_plan_then_a_visit_with_remains_walks_the_site_forward(app, db_session, actor):
    team_id = make_team(app)
    site_id = sites.create_site_from_tip(db_session, make_tip(app).tip_id, actor).id
    sites.plan_site(db_session, site_id, team_id, date(2026, 1, 10), actor)
    site = db_session.get(Site, site_id)
    assert (site.status, site.team_id, site.planned_month) == (SiteStatus.SURVEY_PLANNED, team_id, date(2026, 1, 1))
    assert _audit(db_session, "site.planned")[0].detail == {"site_id": site_id, "team": "K92",
                                                            "planned_month": "2026-01"}

    sites.record_visit(db_session, site_id, sites.VisitInput(date(2026, 2, 3), team_id,
                                                             VisitFinding.REMAINS_RECOVERED, 4, "Two graves"), actor)
    db_session.expire_all()
    site = db_session.get(Site, site_id)
    assert (site.status, site.remains_count, site.surveyed_on, site.recovered_on) == (
        SiteStatus.REMAINS_RECOVERED, 4, date(2026, 2, 3), date(2026, 2, 3))
    moves = [(e.detail["from"], e.detail["to"]) for e in _audit(db_session, "site.transition")]
    assert moves == [("reported", "survey_planned"), ("survey_planned", "surveyed"), ("surveyed", "excavation"),
                     ("excavation", "remains_recovered")]
    [visit] = db_session.scalars(select(SiteVisit)).all()
    assert (visit.remains_count, visit.finding) == (4, VisitFinding.REMAINS_RECOVERED)
    assert _audit(db_session, "site.visit_recorded")[0].detail["remains_count"] == 4


@pytest.mark.parametrize(("finding", "remains"), [(VisitFinding.REMAINS_RECOVERED, 0), (VisitFinding.SURVEYED, 2),
                                                  (VisitFinding.NOTHING_FOUND, -1)])
def test_a_visit_whose_remains_do_not_match_its_finding_is_refused(app, db_session, actor, finding, remains):
    team_id = make_team(app)
    site_id = sites.create_site_from_tip(db_session, make_tip(app).tip_id, actor).id
    with pytest.raises(sites.SiteError, match="remains_mismatch"):
        sites.record_visit(db_session, site_id, sites.VisitInput(date(2026, 2, 3), team_id, finding, remains), actor)
    assert db_session.scalars(select(SiteVisit)).all() == []


def test_a_visit_cannot_undo_a_finished_site(app, db_session, actor):
    team_id = make_team(app)
    site_id = sites.create_site_from_tip(db_session, make_tip(app).tip_id, actor).id
    with write_transaction(db_session):
        db_session.get(Site, site_id).status = SiteStatus.REPATRIATED
    with pytest.raises(sites.SiteError, match="visit_not_allowed"):
        sites.record_visit(db_session, site_id, sites.VisitInput(date(2026, 2, 3), team_id, VisitFinding.SURVEYED),
                           actor)
    assert db_session.scalars(select(SiteVisit)).all() == []
