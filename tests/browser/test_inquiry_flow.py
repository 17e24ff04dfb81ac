"""In Vietnamese, on a phone: a family asks about a relative; a moderator links the inquiry to a tip
that names the same soldier without diacritics and writes to the family; the family reads the
message by receipt (issue #19). Phone-size screenshots of the form, the receipt and the follow-up."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.browser.conftest import screenshot, sign_in
from tests.staff_fixtures import create_staff
from tests.tip_factory import make_tip

SHOTS = Path("/tmp/inquiry-shots")


def _shot(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_a_family_asks_a_moderator_links_a_tip_and_the_family_reads_the_message(live_app, live_server, page):
    tip = make_tip(live_app, language="km", fallen_names="nguyen van hung", fallen_unit="E88",
                   what_seen="Ba ngôi mộ bộ đội sau chùa", contact_phone="097 111 2222", province_code="20")
    make_tip(live_app, fallen_names="Tran Van Binh", fallen_unit="E99")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/vi/inquiries/new")
    page.fill("#fallen_name", "Nguyễn Văn Hùng")
    page.fill("#birth_year", "1958")
    page.fill("#unit", "Trung đoàn 88")
    page.fill("#hometown_written", "Quỳnh Lưu, Nghệ An")
    page.select_option("#hometown_province", "40")
    page.locator("button[name=action][value=place]").click()
    page.wait_for_selector("#hometown_commune")
    page.fill("#death_date", "tháng 3 năm 1979")
    page.select_option("#death_province", "20")
    page.check("input[name=dna_sample][value=no]")
    _shot(page, "inquiry-form-vi")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_selector("#receipt-code")
    code = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    _shot(page, "inquiry-receipt-vi")

    staff = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    moderator_page = staff.new_page()
    account = create_staff(live_app, "moderator", username="lan", language="vi")
    sign_in(moderator_page, live_server.url, account, "vi")
    moderator_page.goto(f"{live_server.url}/vi/staff/inquiries")
    moderator_page.locator("tr[data-inquiry] a").first.click()
    proposal = moderator_page.locator(f"#proposal-list li[data-tip='{tip.tip_id}']")
    assert proposal.count() == 1
    assert moderator_page.locator("#proposal-list li").first.get_attribute("data-tip") == str(tip.tip_id)
    assert "E88" in proposal.inner_text()
    proposal.locator("form").first.locator("button").click()
    moderator_page.wait_for_url(re.compile(r".*/vi/staff/inquiries/\d+#links$"))
    assert f"#{tip.tip_id}" in moderator_page.locator("#confirmed-links").inner_text()
    moderator_page.fill("#message-body", "Chào gia đình, chúng tôi đã tìm thấy một tin báo có thể liên quan.")
    moderator_page.locator("form[action$='/messages'] button[type=submit]").click()
    moderator_page.wait_for_url(re.compile(r".*#thread$"))
    staff.close()

    page.goto(f"{live_server.url}/vi/inquiries/status")
    page.fill("#receipt", code.lower())
    page.locator("button[name=action][value=lookup]").click()
    page.wait_for_selector("#inquiry-status")
    assert "Chào gia đình, chúng tôi đã tìm thấy" in page.locator("#thread").inner_text()
    assert page.locator("#news-1").count() == 1
    body = page.locator("body").inner_text()
    for secret in ("097 111 2222", "Ba ngôi mộ", "nguyen van hung", f"#{tip.tip_id}"):
        assert secret not in body
    _shot(page, "inquiry-status-vi")
