"""A moderator builds a site from three tips, plans it for a team, exports the team's GPX, records
a visit with remains recovered; the tipster then reads the outcome by receipt, in Khmer. Phone-size
screenshots of the site page and the Khmer follow-up page (issue #18)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.browser.conftest import screenshot, sign_in
from tests.site_helpers import make_team
from tests.staff_fixtures import create_staff
from tests.tip_factory import make_tip

GPX = "{http://www.topografix.com/GPX/1/1}"
SHOTS = Path("/tmp/sites-shots")
PLACE = {"province_code": "17", "district_code": "1701", "commune_code": "170101", "village_code": "17010101"}


def _shot(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_from_three_tips_to_remains_recovered_told_in_khmer(live_app, live_server, page):
    mine = make_tip(live_app, language="km", latitude=13.361234, longitude=103.861234, uncertainty_m=100,
                    what_seen="ផ្នូរបីនៅជិតវត្តចាស់", local_name="វត្តចាស់", **PLACE)
    others = [make_tip(live_app, language="vi", latitude=13.3613, longitude=103.8613, what_seen=words,
                       contact_phone=phone, **PLACE).tip_id
              for words, phone in (("Hai ngôi mộ dưới cây me", "012 111 222"), ("Mộ gần ao chùa", "097 333 444"))]
    make_team(live_app, "K92", "Bộ Chỉ huy Quân sự tỉnh An Giang")
    account = create_staff(live_app, "moderator", username="dara", language="en")
    sign_in(page, live_server.url, account, "en")

    page.goto(f"{live_server.url}/en/staff/tips/{mine.tip_id}")
    page.locator("form[action$='/site'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/en/staff/sites/\d+$"))
    site_id = int(page.url.rsplit("/", 1)[1])
    # The next tip's likely duplicates propose the site; the third is attached by its number.
    page.goto(f"{live_server.url}/en/staff/tips/{others[0]}")
    page.locator(".site-proposal button").click()
    page.wait_for_url(re.compile(rf".*/en/staff/sites/{site_id}#tips$"))
    page.fill("#tip_id", str(others[1]))
    page.locator("form[action$='/attach'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/en/staff/sites/{site_id}#tips$"))
    assert page.locator(".site-tips li").count() == 3
    assert page.locator("#site-accounts").inner_text() == "3"

    page.select_option("#team", label="K92 — Bộ Chỉ huy Quân sự tỉnh An Giang")
    page.fill("#planned_month", "2026-01")
    page.locator("form[action$='/plan'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/en/staff/sites/{site_id}$"))
    assert page.locator("#site-status").inner_text() == "Survey planned"

    page.goto(f"{live_server.url}/en/staff/season")
    page.get_by_role("link", name="K92").click()
    page.wait_for_url(re.compile(r".*/en/staff/teams/\d+/packet$"))
    page.check("input[value=gpx]")
    with page.expect_download() as download_info:
        page.locator("form button[type=submit]").last.click()
    download = download_info.value
    assert "team-K92" in download.suggested_filename
    root = ET.parse(download.path()).getroot()
    assert len(root.findall(f"{GPX}wpt")) == 3
    assert "012 111 222" not in Path(download.path()).read_text(encoding="utf-8")

    page.goto(f"{live_server.url}/en/staff/sites/{site_id}")
    page.fill("#visited_on", "2026-02-03")
    page.select_option("#finding", "remains_recovered")
    page.fill("#remains_count", "4")
    page.locator("form[action$='/visits'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/en/staff/sites/{site_id}#visits$"))
    assert page.locator("#site-status").inner_text() == "Remains recovered"
    assert page.locator("#site-remains").inner_text() == "4"
    _shot(page, "site-page-en")

    tipster = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    khmer = tipster.new_page()
    khmer.goto(f"{live_server.url}/km/tips/status")
    khmer.fill("#receipt", mine.receipt)
    khmer.locator("button[name=action][value=lookup]").click()
    card = khmer.locator("#site-outcome")
    text = card.inner_text()
    assert "៤" in text and "២០២៦" in text
    page_text = khmer.locator("main").inner_text()
    for secret in ("Hai ngôi mộ", "012 111 222", "K92", "13.36", "103.86"):
        assert secret not in page_text
    assert khmer.locator("html").get_attribute("lang") == "km"
    _shot(khmer, "site-followup-km")
    tipster.close()
