"""A tipster on a phone: Vietnamese with JavaScript (dependent selects, a photo), Khmer without
JavaScript (province → district → commune → village by "Next" buttons); each follows up by receipt."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.db import new_session
from portal.models.tip import AuthorKind, LocationSource, Tip, TipMessage
from tests.browser.conftest import PHONE, screenshot, submit_expecting_refusal
from tests.test_uploads import jpeg_with_metadata, plain_jpeg

RECEIPT = re.compile(r"^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$")


def stored_tips(app) -> list[Tip]:
    with app.app_context():
        session = new_session()
        try:
            query = select(Tip).order_by(Tip.id).options(
                selectinload(Tip.photos), selectinload(Tip.messages).selectinload(TipMessage.photos))
            return list(session.scalars(query))
        finally:
            session.close()


def follow_up(page, base_url: str, lang: str, code: str, reply: str) -> None:
    page.goto(f"{base_url}/{lang}/tips/status")
    screenshot(page, f"tip-lookup-{lang}")
    page.fill("#receipt", code.lower().replace("-", " "))
    page.click("button[value=lookup]")
    page.wait_for_selector("#tip-status")
    assert page.locator("html").get_attribute("lang") == lang
    page.fill("#body", reply)
    page.click("#followup-form button[value=reply]")
    page.wait_for_selector("#sent-notice")
    assert reply in page.locator("#thread").inner_text()


def test_vietnamese_tipster_with_javascript_sends_a_photo_and_follows_up(live_server, page, tmp_path):
    base = live_server.url
    response = page.goto(f"{base}/vi/tips/new")
    assert response.headers["cache-control"] == "no-store"

    # Dependent selects: each level appears when the one above is chosen; no "Next" buttons.
    assert not page.locator(".place-level[data-level=district]").is_visible()
    assert not page.locator(".place-step").first.is_visible()
    page.select_option("#province", "03")
    page.wait_for_selector("#district option[value='0305']", state="attached")
    assert page.locator("#district").is_visible()
    page.select_option("#district", "0305")
    page.wait_for_selector("#commune option[value='030501']", state="attached")
    page.select_option("#commune", "030501")
    page.wait_for_selector("#village option[value='03050101']", state="attached")
    page.select_option("#village", "03050101")
    # Changing a level clears the levels below it.
    assert page.locator("#village").input_value() == "03050101"

    page.fill("#place_description", "Sau chùa cũ, gần hai cây me bên ao.")
    page.fill("#what_seen", "Bố tôi kể năm 1979 có ba liệt sĩ được chôn ở đây.")
    page.check("#how_known-1")
    assert page.locator("input[type=file]").count() == 0  # photos follow the report
    screenshot(page, "tip-flow-vi-filled")
    page.click("button[value=submit]")

    code = page.wait_for_selector("#receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code
    assert code not in page.url
    assert page.locator("#copy-receipt").is_visible()  # the copy button appears with JavaScript
    assert page.locator("#print-receipt").is_visible()
    [tip] = stored_tips(live_server.app)  # stored before any photo travels
    assert tip.photos == []

    photo = tmp_path / "mo-liet-si.jpg"
    photo.write_bytes(jpeg_with_metadata(640, 480))
    page.set_input_files("#photo", str(photo))
    page.check("#use_photo_location")
    page.click("#photo-form button[type=submit]")
    page.wait_for_selector("#photo-progress .photo-sent")
    assert "mo-liet-si.jpg" in page.locator("#photo-progress").inner_text()
    assert "Đã nhận 1 ảnh" in page.locator("#photo-count").inner_text()  # the count follows each photo
    screenshot(page, "tip-receipt-vi")

    [tip] = stored_tips(live_server.app)
    assert (tip.province_code, tip.district_code, tip.commune_code, tip.village_code) == \
        ("03", "0305", "030501", "03050101")
    assert tip.language == "vi"
    assert len(tip.photos) == 1
    assert tip.location_source == LocationSource.PHOTO

    follow_up(page, base, "vi", code, "Chỗ đó cách đường lớn khoảng 2 km.")
    screenshot(page, "tip-status-vi")
    [tip] = stored_tips(live_server.app)
    assert [m.author_kind for m in tip.messages] == [AuthorKind.TIPSTER]


def test_khmer_tipster_without_javascript_steps_down_to_the_village_and_follows_up(live_server,
                                                                                    page_without_js):
    page = page_without_js
    base = live_server.url
    page.goto(f"{base}/km/tips/new")
    assert page.locator("html").get_attribute("lang") == "km"
    assert not page.locator("#district").is_visible()

    page.fill("#what_seen", "ឪពុកខ្ញុំបានប្រាប់ថា ទាហានវៀតណាមត្រូវបានកប់នៅទីនេះ។")
    page.select_option("#province", "03")
    page.locator(".place-level[data-level=province] .place-step").click()
    page.wait_for_selector("#district option[value='0305']", state="attached")
    assert page.locator("#district").is_visible()
    assert page.locator("#what_seen").input_value().startswith("ឪពុកខ្ញុំ")  # nothing typed is lost
    screenshot(page, "tip-flow-km-district")

    page.select_option("#district", "0305")
    page.locator(".place-level[data-level=district] .place-step").click()
    page.wait_for_selector("#commune option[value='030501']", state="attached")
    page.select_option("#commune", "030501")
    page.locator(".place-level[data-level=commune] .place-step").click()
    page.wait_for_selector("#village option[value='03050101']", state="attached")
    page.select_option("#village", "03050101")
    assert page.locator("#province").input_value() == "03"
    assert page.locator("#district").input_value() == "0305"
    screenshot(page, "tip-flow-km-village")

    page.fill("#place_description", "នៅក្រោយវត្តចាស់ ជិតដើមអម្ពិលពីរ។")
    page.click("button[value=submit]")
    code = page.wait_for_selector("#receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code
    assert not page.locator("#copy-receipt").is_visible()  # no JavaScript: write it down or print
    screenshot(page, "tip-receipt-km")

    [tip] = stored_tips(live_server.app)
    assert tip.village_code == "03050101"
    assert tip.language == "km"

    follow_up(page, base, "km", code, "កន្លែងនោះនៅឆ្ងាយពីផ្លូវធំប្រហែល ២ គីឡូម៉ែត្រ។")
    screenshot(page, "tip-status-km")


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_the_form_and_its_sections_fit_a_phone(live_server, page, lang):
    page.goto(f"{live_server.url}/{lang}/tips/new")
    for summary in page.locator("details > summary").all():
        summary.click()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is wider than the phone ({width}px)"
    screenshot(page, f"tip-form-open-{lang}")
    # Every label and button is tall enough for its script (Khmer needs room).
    clipped = page.evaluate("""() => [...document.querySelectorAll('label, button, summary, select, .hint')]
        .filter(el => el.offsetParent && el.scrollHeight > el.clientHeight + 2
                      && getComputedStyle(el).overflowY !== 'visible')
        .map(el => el.id || el.textContent.trim().slice(0, 30))""")
    assert clipped == []


def test_validation_errors_on_a_phone(live_server, page):
    page.goto(f"{live_server.url}/km/tips/new")
    page.locator("details:has(#coordinates) > summary").click()
    page.fill("#coordinates", "somewhere")
    submit_expecting_refusal(page, "button[value=submit]")
    page.wait_for_selector("#error-summary")
    assert page.locator("#what_seen-error").is_visible()
    assert page.locator("#coordinates-error").is_visible()  # its section opened by itself
    screenshot(page, "tip-form-errors-open-km")


@pytest.fixture
def located_page(browser):
    """A phone that lets the site read its location and write to the clipboard."""
    context = browser.new_context(viewport=PHONE, geolocation={"latitude": 12.0012, "longitude": 105.4567,
                                                               "accuracy": 150},
                                  permissions=["geolocation", "clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def test_use_my_location_fills_the_coordinates_and_the_receipt_can_be_copied(live_server, located_page):
    page = located_page
    page.goto(f"{live_server.url}/en/tips/new")
    page.locator("details:has(#coordinates) > summary").click()
    assert page.locator("#use-location").is_visible()
    page.click("#use-location")
    page.wait_for_function("() => document.querySelector('#coordinates').value !== ''")
    assert page.locator("#coordinates").input_value() == "12.00120, 105.45670"
    assert page.locator("#uncertainty").input_value() == "200"  # the first radius covering 150 m
    assert page.locator("#location-status").inner_text()
    page.fill("#what_seen", "Graves by the road")
    page.click("button[value=submit]")
    code = page.wait_for_selector("#receipt-code").inner_text().strip()

    [tip] = stored_tips(live_server.app)
    assert tip.location_source == LocationSource.DEVICE
    assert (tip.latitude, tip.longitude, tip.uncertainty_m) == (12.0012, 105.4567, 200)

    page.click("#copy-receipt")
    page.wait_for_function("() => document.querySelector('#copy-status').textContent !== ''")
    assert page.evaluate("() => navigator.clipboard.readText()") == code


def test_too_many_photos_are_caught_before_sending(live_server, page, tmp_path):
    page.goto(f"{live_server.url}/en/tips/new")
    page.fill("#what_seen", "Graves")
    page.select_option("#province", "17")
    page.click("button[value=submit]")
    page.wait_for_selector("#receipt-code")
    files = []
    for index in range(6):
        path = tmp_path / f"p{index}.jpg"
        path.write_bytes(plain_jpeg(color=(40 * index, 90, 60)))
        files.append(str(path))
    page.set_input_files("#photo", files)
    page.click("#photo-form button[type=submit]")
    assert page.locator("#photo-check").is_visible()
    assert page.locator("#photo").get_attribute("aria-invalid") == "true"
    [tip] = stored_tips(live_server.app)
    assert tip.photos == []
    page.set_input_files("#photo", files[:2])
    page.click("#photo-form button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#photo-progress .photo-sent').length === 2")
    assert not page.locator("#photo-check").is_visible()
    [tip] = stored_tips(live_server.app)
    assert len(tip.photos) == 2


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_the_privacy_page_reads_well_on_a_phone(live_server, page, lang):
    response = page.goto(f"{live_server.url}/{lang}/privacy")
    assert response.status == 200
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, f"privacy-{lang}")
