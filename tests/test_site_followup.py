"""What the tipster learns: the outcome of their own tip's site in words, in their language, and
nothing of the site's other tips, tipsters, position or village."""

from __future__ import annotations

from datetime import date

from portal.db import new_session, write_transaction
from portal.models.site import Site
from portal.models.staff import StaffUser
from portal.services import sites
from tests.site_helpers import make_team, site_from_tips
from tests.tip_factory import make_tip


def _look_up(client, code, lang):
    return client.post(f"/{lang}/tips/status", data={"receipt": code, "action": "lookup"})


def _recovered_site(app, moderator):
    mine = make_tip(app, language="km", province_code="17", district_code="1701", commune_code="170101",
                    village_code="17010101", latitude=13.361234, longitude=103.861234,
                    uncertainty_m=150, what_seen="My own words")
    other = make_tip(app, what_seen="Someone else saw graves by the well", contact_name="Other Tipster",
                     contact_phone="097 111 2222", local_name="Other place name")
    team_id = make_team(app)
    site_id = site_from_tips(app, moderator.id, [mine.tip_id, other.tip_id], "Staff site name")
    with app.app_context():
        session = new_session()
        actor = session.get(StaffUser, moderator.id)
        sites.plan_site(session, site_id, team_id, date(2026, 1, 1), actor)
        sites.record_visit(session, site_id, sites.VisitInput(date(2026, 2, 3), team_id,
                                                              sites.VisitFinding.REMAINS_RECOVERED, 4,
                                                              "Staff-only visit notes"), actor)
        session.close()
    return mine, site_id


def test_the_tipster_reads_the_outcome_in_khmer_and_nothing_else(app, client, moderator):
    mine, _site_id = _recovered_site(app, moderator)
    html = _look_up(client, mine.receipt, "km").text
    start = html.index('id="site-outcome"')
    card = html[start:html.index("</section>", start)]
    assert "៤" in card  # four, in Khmer digits
    assert "២០២៦" in card  # the year of the dates, in Khmer digits
    for secret in ("Someone else saw", "Other Tipster", "097 111 2222", "Other place name", "Staff site name",
                   "Staff-only visit notes", "K92", "13.36", "103.86", "17010101"):
        assert secret not in html, secret


def test_the_outcome_is_in_the_pages_language(app, client, moderator):
    mine, _site_id = _recovered_site(app, moderator)
    english = _look_up(client, mine.receipt, "en").text
    assert "Remains of 4 people recovered on" in english
    assert "Surveyed on" in english


def test_a_tip_without_a_site_shows_no_site_outcome(app, client):
    lone = make_tip(app)
    assert 'id="site-outcome"' not in _look_up(client, lone.receipt, "en").text


def test_a_repatriated_site_says_so(app, client, moderator, db_session):
    mine, site_id = _recovered_site(app, moderator)
    with write_transaction(db_session):
        db_session.get(Site, site_id).repatriated_on = date(2026, 4, 1)
    assert "Repatriated to Việt Nam on" in _look_up(client, mine.receipt, "en").text
