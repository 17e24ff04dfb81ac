"""The staff site pages: from a tip to a site, the site queue, plans and visits through the forms."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.models.site import Site, SiteStatus
from portal.models.tip import Tip
from tests.site_helpers import make_team, site_from_tips
from tests.staff_fixtures import login
from tests.tip_factory import make_tip


@pytest.fixture
def signed_in(client, moderator):
    login(client, moderator, lang="en")
    return client


def _site(db_session, site_id):
    db_session.rollback()  # a fresh read: the views wrote in their own sessions
    return db_session.get(Site, site_id)


def test_a_moderator_builds_a_site_from_three_tips(app, signed_in, db_session):
    first = make_tip(app, province_code="03", district_code="0301", latitude=11.99, longitude=105.46,
                     uncertainty_m=300, local_name="Old pagoda").tip_id
    others = [make_tip(app, province_code="03", district_code="0301", latitude=11.991, longitude=105.461).tip_id
              for _ in range(2)]
    page = signed_in.get(f"/en/staff/tips/{first}")
    assert "Create a site from this tip" in page.text
    response = signed_in.post(f"/en/staff/tips/{first}/site", data={"name": "Old pagoda"})
    assert response.status_code == 303
    site_id = db_session.scalar(select(Tip.site_id).where(Tip.id == first))
    assert response.headers["Location"].endswith(f"/en/staff/sites/{site_id}")
    # The second tip's likely duplicates propose the site.
    proposal = signed_in.get(f"/en/staff/tips/{others[0]}").text
    assert f"Attach this tip to site #{site_id}" in proposal
    assert signed_in.post(f"/en/staff/tips/{others[0]}/site/attach", data={"site_id": site_id}).status_code == 303
    assert signed_in.post(f"/en/staff/sites/{site_id}/attach", data={"tip_id": others[1]}).status_code == 303
    site = _site(db_session, site_id)
    assert (site.tip_count, site.name) == (3, "Old pagoda")
    html = signed_in.get(f"/en/staff/sites/{site_id}").text
    assert all(f'data-tip="{tip_id}"' in html for tip_id in [first, *others])
    assert re.search(r'id="site-accounts">3<', html)
    assert "Created site #" in html and "Attached a tip to site #" in html


def test_the_site_queue_sorts_and_filters_by_independent_accounts(app, signed_in, moderator):
    lone = site_from_tips(app, moderator.id, [make_tip(app).tip_id], "Rumour")
    confirmed = site_from_tips(app, moderator.id, [make_tip(app, contact_phone=f"01{n} 111 222").tip_id
                                                   for n in range(3)], "Three villagers")
    html = signed_in.get("/en/staff/sites?sort=corroboration").text
    assert html.index(f'data-site="{confirmed}"') < html.index(f'data-site="{lone}"')
    filtered = signed_in.get("/en/staff/sites?min_accounts=2").text
    assert f'data-site="{confirmed}"' in filtered and f'data-site="{lone}"' not in filtered
    assert 'data-site' not in signed_in.get("/en/staff/sites?status=repatriated").text


def test_the_site_queue_pages_by_keyset(app, signed_in, moderator):
    from portal.services import site_queue

    ids = [site_from_tips(app, moderator.id, [make_tip(app).tip_id]) for _ in range(3)]
    original = site_queue.PAGE_SIZE
    site_queue.PAGE_SIZE = 2
    try:
        first = signed_in.get("/en/staff/sites")
        assert f'data-site="{ids[2]}"' in first.text and f'data-site="{ids[0]}"' not in first.text
        next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
        second = signed_in.get(next_url).text
        assert f'data-site="{ids[0]}"' in second and f'data-site="{ids[2]}"' not in second
    finally:
        site_queue.PAGE_SIZE = original


@pytest.mark.parametrize("query", ["status=buried", "min_accounts=lots", "province=99", "after=x.y.z"])
def test_bad_filters_are_a_translated_400_or_ignored_never_a_500(signed_in, query):
    response = signed_in.get(f"/vi/staff/sites?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "Some filters were not understood" not in response.text  # in Vietnamese, not English


def test_plan_and_a_visit_with_remains_through_the_forms(app, signed_in, moderator, db_session):
    team_id = make_team(app)
    site_id = site_from_tips(app, moderator.id, [make_tip(app).tip_id])
    bad = signed_in.post(f"/en/staff/sites/{site_id}/plan", data={"team": team_id, "planned_month": "13-2026"})
    assert bad.status_code == 400 and "Please give the month as YYYY-MM." in bad.text
    assert signed_in.post(f"/en/staff/sites/{site_id}/plan",
                          data={"team": team_id, "planned_month": "2026-01"}).status_code == 303
    assert _site(db_session, site_id).status == SiteStatus.SURVEY_PLANNED
    mismatch = signed_in.post(f"/en/staff/sites/{site_id}/visits", data={
        "visited_on": "2026-02-03", "team": team_id, "finding": "remains_recovered", "remains_count": "0"})
    assert mismatch.status_code == 400 and "at least one" in mismatch.text
    done = signed_in.post(f"/en/staff/sites/{site_id}/visits", data={
        "visited_on": "2026-02-03", "team": team_id, "finding": "remains_recovered", "remains_count": "4"})
    assert done.status_code == 303
    site = _site(db_session, site_id)
    assert (site.status, site.remains_count) == (SiteStatus.REMAINS_RECOVERED, 4)
    refused = signed_in.post(f"/en/staff/sites/{site_id}/move", data={"target": "reported"})
    assert refused.status_code == 400
    assert "cannot move from “Remains recovered” to “Reported”" in refused.text


def test_split_from_the_tip_page(app, signed_in, moderator, db_session):
    tips = [make_tip(app).tip_id for _ in range(2)]
    site_id = site_from_tips(app, moderator.id, tips)
    assert signed_in.post(f"/en/staff/tips/{tips[1]}/site/split").status_code == 303
    assert _site(db_session, site_id).tip_count == 1
    last = signed_in.post(f"/en/staff/tips/{tips[0]}/site/split", follow_redirects=True)
    assert "A site keeps at least one tip" in last.text


def test_unknown_sites_and_tips_are_404(signed_in):
    assert signed_in.get("/en/staff/sites/999").status_code == 404
    assert signed_in.post("/en/staff/tips/999/site", data={}).status_code == 404


def test_the_name_and_position_are_changed_audited_and_checked(app, signed_in, moderator, db_session):
    site_id = site_from_tips(app, moderator.id, [make_tip(app).tip_id])
    outside = signed_in.post(f"/en/staff/sites/{site_id}/edit", data={"name": "Pagoda", "latitude": "48.85",
                                                                      "longitude": "2.35"})
    assert outside.status_code == 400 and "This position is not in Cambodia." in outside.text
    half = signed_in.post(f"/en/staff/sites/{site_id}/edit", data={"latitude": "13.3"})
    assert half.status_code == 400 and "or neither" in half.text
    ok = signed_in.post(f"/en/staff/sites/{site_id}/edit", data={"name": "Pagoda", "latitude": "13.36",
                                                                 "longitude": "103.86", "uncertainty_m": "300"})
    assert ok.status_code == 303
    site = _site(db_session, site_id)
    assert (site.name, site.latitude, site.longitude, site.uncertainty_m) == ("Pagoda", 13.36, 103.86, 300)
    html = signed_in.get(f"/en/staff/sites/{site_id}").text
    assert "Changed site #" in html and "Coordinates" in html


@pytest.mark.parametrize(("path", "data"), [
    ("move", {"target": "bogus"}), ("move", {"target": "survey_planned"}), ("move", {"target": "surveyed"}),
    ("move", {"target": "reported", "on_date": "yesterday"}),
    ("plan", {"team": "abc", "planned_month": "2026-01"}), ("plan", {"team": "999", "planned_month": "9999-99"}),
    ("visits", {"visited_on": "2026-02-30", "team": "1", "finding": "remains_recovered"}),
    ("visits", {"visited_on": "2026-02-03", "team": "1", "finding": "bogus"}),
    ("visits", {"visited_on": "2026-02-03", "team": "1", "finding": "surveyed", "remains_count": "-3"}),
    ("attach", {"tip_id": "0"}), ("attach", {"tip_id": "99999999999"}), ("attach", {"tip_id": "x"}),
    ("edit", {"latitude": "nan", "longitude": "inf"}), ("edit", {"name": "x" * 500}),
])
def test_hostile_site_input_is_a_4xx_with_words_never_a_500(app, signed_in, moderator, db_session, path, data):
    make_team(app)
    site_id = site_from_tips(app, moderator.id, [make_tip(app).tip_id])
    response = signed_in.post(f"/en/staff/sites/{site_id}/{path}", data=data)
    assert 400 <= response.status_code < 500 or response.status_code == 303
    if response.status_code != 303:
        assert 'class="field-error"' in response.text or 'class="notice notice-error"' in response.text
    assert _site(db_session, site_id).status == SiteStatus.REPORTED
