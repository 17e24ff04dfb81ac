"""What the public sees of sites: counts per commune and per season and province, never a position,
a village, a site's name or anything finer than a commune."""

from __future__ import annotations

import re
from datetime import date

from portal import geo
from portal.db import new_session
from portal.models.staff import StaffUser
from portal.services import sites
from tests.site_helpers import make_team, site_from_tips
from tests.tip_factory import make_tip

PLACE = {"province_code": "17", "district_code": "1701", "commune_code": "170101", "village_code": "17010101",
         "latitude": 13.361234, "longitude": 103.861234, "uncertainty_m": 150}


def _recovered(app, moderator, remains=4, finding=sites.VisitFinding.REMAINS_RECOVERED, team="K92"):
    team_id = make_team(app, code=team)
    site_id = site_from_tips(app, moderator.id, [make_tip(app, **PLACE, local_name="Secret tree").tip_id],
                             "Secret site name")
    with app.app_context():
        session = new_session()
        actor = session.get(StaffUser, moderator.id)
        sites.plan_site(session, site_id, team_id, date(2026, 1, 1), actor)
        sites.record_visit(session, site_id, sites.VisitInput(date(2026, 2, 3), team_id,
                                                              finding, remains), actor)
        session.close()
    return site_id


def test_the_commune_page_counts_per_commune_and_nothing_finer(app, client, moderator):
    _recovered(app, moderator)
    _recovered(app, moderator, remains=0, finding=sites.VisitFinding.SURVEYED, team="K93")
    site_from_tips(app, moderator.id, [make_tip(app, **PLACE).tip_id])  # reported, not yet surveyed
    waiting = {"province_code": "17", "district_code": "1702", "commune_code": "170201"}
    site_from_tips(app, moderator.id, [make_tip(app, **waiting).tip_id])
    for lang in ("en", "km", "vi"):
        html = client.get(f"/{lang}/statistics/communes").text
        commune = geo.commune("170101").name(lang)
        village = geo.place("17010101").name(lang)
        row = re.search(r"<tr><th scope=\"row\">" + re.escape(str(commune)) + r"</th>(.*?)</tr>", html)
        assert row is not None
        numbers = re.findall(r'<td class="num">([^<]+)</td>', row.group(1))
        assert numbers == (["២", "៤"] if lang == "km" else ["2", "4"])  # the two surveyed sites only
        # A commune whose only site waits for its survey is not named: that would tell the village
        # that someone there spoke.
        assert str(geo.commune("170201").name(lang)) not in html
        for finer in ("17010101", "13.36", "103.86", "13,36", "Secret tree", "Secret site name", village):
            assert finer not in html, (lang, finer)
        # No number with decimals anywhere on the page (a coordinate in any form).
        body = html[html.index("<main"):]
        assert not re.search(r"\d+[.,]\d{3,}", body), lang


def test_public_statistics_count_sites_and_remains_by_season_and_province(app, client, moderator):
    _recovered(app, moderator, remains=3)
    html = client.get("/en/statistics/?season=2025-2026").text
    assert "Sites told about through this portal" in html
    assert "Sets of remains recovered at those sites" in html
    section = html[html.index('id="portal-figures-heading"'):]
    remains_row = section[section.index("Sets of remains recovered at those sites"):].split("</tr>")[0]
    assert '<td data-label="Number" class="num">3</td>' in remains_row
    assert "13.36" not in html and "Secret" not in html
