"""Teams (seeded from sources, edited by admins), a team's packet and the season page."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from portal.db import new_session
from portal.models.audit import AuditEntry
from portal.models.site import SearchTeam
from portal.models.staff import StaffUser
from portal.services import sites, teams
from tests.site_helpers import make_team, site_from_tips
from tests.staff_fixtures import login
from tests.tip_factory import make_tip


def test_seeding_adds_only_sourced_teams_once(app, runner, db_session):
    result = runner.invoke(args=["seed-teams"])
    assert "K92" in result.output
    codes = set(db_session.scalars(select(SearchTeam.code)))
    assert codes == {seed.code for seed in teams.SOURCED_TEAMS}
    assert all(team.source for team in db_session.scalars(select(SearchTeam)))
    assert runner.invoke(args=["seed-teams"]).output.strip() == "-"


def test_admins_add_teams_and_codes_stay_unique(app, client, admin, db_session):
    login(client, admin, lang="en")
    ok = client.post("/en/staff/teams", data={"code": "k99", "name": "Sample", "season": "2025-2026",
                                              "source": "test"})
    assert ok.status_code == 303
    again = client.post("/en/staff/teams", data={"code": "K99", "season": "2025-2026"})
    assert again.status_code == 400 and "Another team already has this code." in again.text
    assert db_session.scalars(select(SearchTeam.code)).all() == ["K99"]


def _planned_site(app, moderator, team_id):
    tips = [make_tip(app, province_code="03", latitude=11.99, longitude=105.46, uncertainty_m=100,
                     local_name="Old pagoda").tip_id for _ in range(2)]
    site_id = site_from_tips(app, moderator.id, tips)
    with app.app_context():
        session = new_session()
        actor = session.get(StaffUser, moderator.id)
        sites.plan_site(session, site_id, team_id, date(2026, 1, 1), actor)
        session.close()
    return site_id, tips


def test_a_team_packet_exports_its_sites_tips_as_gpx_and_is_audited(app, client, moderator, db_session):
    team_id, other_team = make_team(app), make_team(app, "K93")
    _site_id, tips = _planned_site(app, moderator, team_id)
    elsewhere = site_from_tips(app, moderator.id, [make_tip(app, latitude=12.5, longitude=104.9).tip_id])
    with app.app_context():
        session = new_session()
        sites.plan_site(session, elsewhere, other_team, date(2026, 2, 1), session.get(StaffUser, moderator.id))
        session.close()
    login(client, moderator, lang="en")
    assert "Download the packet" in client.get(f"/en/staff/teams/{team_id}/packet").text
    gpx = client.post(f"/en/staff/teams/{team_id}/packet", data={"format": "gpx"})
    assert gpx.status_code == 200 and gpx.mimetype == "application/gpx+xml"
    assert "team-K92" in gpx.headers["Content-Disposition"]
    assert gpx.text.count("<wpt ") == 2  # the two tips of its site, not the other team's
    geojson = json.loads(client.post(f"/en/staff/teams/{team_id}/packet", data={"format": "geojson"}).data)
    assert sorted(f["properties"]["id"] for f in geojson["features"]) == sorted(tips)
    assert client.post(f"/en/staff/teams/{team_id}/packet", data={"format": "csv"}).status_code == 400
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "tips.exported")).first()
    assert entry.detail["filters"] == {"team": "K92", "season": "2025-2026"}


def test_the_season_page_counts_per_team_and_province_with_a_chart(app, client, moderator):
    team_id = make_team(app)
    site_id, _tips = _planned_site(app, moderator, team_id)
    with app.app_context():
        session = new_session()
        sites.record_visit(session, site_id, sites.VisitInput(date(2026, 2, 3), team_id,
                                                              sites.VisitFinding.REMAINS_RECOVERED, 4),
                           session.get(StaffUser, moderator.id))
        session.close()
    login(client, moderator, lang="en")
    html = client.get("/en/staff/season?season=2025-2026").text
    assert '<svg class="chart"' in html and "K92: 4" in html
    row = html[html.index('<th scope="row">K92</th>'):].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split("<td>")[1:]] == ["1", "1", "1", "4"]
