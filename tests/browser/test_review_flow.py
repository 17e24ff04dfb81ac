"""A moderator signs in with TOTP, filters the queue, opens a tip, messages the tipster and verifies
the tip; the tipster then reads the message through the receipt."""

from __future__ import annotations

import re

from tests.browser.conftest import screenshot, sign_in
from tests.staff_fixtures import create_staff
from tests.tip_factory import make_tip


def test_moderator_reviews_a_tip_and_the_tipster_reads_the_message(live_app, live_server, page, browser):
    tip = make_tip(live_app, province_code="17", language="km", photos=1,
                   what_seen="ផ្នូរបីនៅជិតវត្តចាស់", contact_phone="+855 12 000 000")
    make_tip(live_app, province_code="03", what_seen="Another report elsewhere")
    account = create_staff(live_app, "moderator", username="dara", language="en")

    sign_in(page, live_server.url, account)

    page.goto(f"{live_server.url}/en/staff/queue")
    page.locator("details.queue-filters summary").click()
    page.select_option("#province", "17")
    page.locator(".filter-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*province=17.*"))
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1
    screenshot(page, "staff-queue-en")
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(rf".*/en/staff/tips/{tip.tip_id}$"))
    assert "ផ្នូរបីនៅជិតវត្តចាស់" in page.locator("main").inner_text()
    assert "+855 12 000 000" not in page.content()

    page.fill("#message-body", "Thank you. Is the pagoda on the east side of the road?")
    page.get_by_role("button", name="Send to the tipster").click()
    page.wait_for_url(re.compile(rf".*/en/staff/tips/{tip.tip_id}$"))
    page.get_by_role("button", name="Start review").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Mark as verified").click()
    page.wait_for_load_state()
    assert "Verified" in page.locator("main h1").inner_text()
    screenshot(page, "staff-tip-en")

    tipster = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    tipster.goto(f"{live_server.url}/km/tips/status")
    tipster.fill("#receipt", tip.receipt)
    tipster.locator("main form button[type=submit]").first.click()
    tipster.wait_for_load_state()
    text = tipster.locator("main").inner_text()
    assert "Is the pagoda on the east side of the road?" in text
    screenshot(tipster, "tipster-status-km")
    tipster.context.close()
