"""A moderator hands verified sites to a search team: GPX for a province from the queue's filters,
and a field sheet printed to PDF by Chromium. Screenshots of both pages at phone size in km and vi."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.browser.conftest import ARTIFACTS, screenshot, sign_in
from tests.staff_fixtures import create_staff
from tests.tip_factory import make_tip

GPX = "{http://www.topografix.com/GPX/1/1}"
KHMER = "ផ្នូរបីនៅជិតវត្តចាស់ ខាងកើតផ្លូវជាតិលេខ៦"
VIETNAMESE = "Hai ngôi mộ liệt sĩ dưới gốc xoài lớn, cách chợ huyện khoảng 2 km về phía đông"


def test_gpx_for_a_province_and_a_field_sheet_printed_to_pdf(live_app, live_server, page):
    siem_reap = make_tip(live_app, language="km", province_code="17", district_code="1701",
                         commune_code="170101", village_code="17010101", latitude=13.361234,
                         longitude=103.861234, uncertainty_m=50, what_seen=KHMER, fallen_names="Nguyễn Văn An",
                         contact_phone="+855 12 000 000", consent=True, photos=1).tip_id
    second = make_tip(live_app, language="vi", province_code="17", latitude=13.40001, longitude=103.9,
                      what_seen=VIETNAMESE).tip_id
    make_tip(live_app, language="vi", province_code="03", latitude=12.0, longitude=105.4, what_seen="Elsewhere")
    make_tip(live_app, language="vi", province_code="17", what_seen="No coordinates given")
    account = create_staff(live_app, "moderator", username="sokha", language="km")
    sign_in(page, live_server.url, account, "km")

    page.goto(f"{live_server.url}/km/staff/queue?province=17")
    page.locator(".queue-export a").click()
    page.wait_for_url(re.compile(r".*/km/staff/exports\?province=17$"))
    assert "៣" in page.locator("#export-count").inner_text()  # three tips, in Khmer digits
    screenshot(page, "handoff-export-km")
    page.check("#format-gpx")
    page.select_option("#language", "km")
    with page.expect_download() as download_info:
        page.locator(".export-form button[type=submit]").click()
    download = download_info.value
    assert re.fullmatch(r"friendship-portal-tips-\d{8}-\d{4}\.gpx", download.suggested_filename)
    root = ET.parse(download.path()).getroot()
    waypoints = {w.findtext(f"{GPX}name"): (w.get("lat"), w.get("lon")) for w in root.findall(f"{GPX}wpt")}
    assert waypoints == {f"#{siem_reap} ប្រាសាទ": ("13.361234", "103.861234"),
                         f"#{second} សៀមរាប": ("13.400010", "103.900000")}
    assert "+855 12 000 000" not in Path(download.path()).read_text(encoding="utf-8")

    page.goto(f"{live_server.url}/km/staff/tips/{siem_reap}")
    page.locator(".tip-tools button").click()  # a confirmed POST makes (and audits) the sheet
    page.wait_for_url(re.compile(rf".*/km/staff/tips/{siem_reap}/field-sheet$"))
    assert KHMER in page.locator(".field-sheet").inner_text()
    assert page.locator(".sheet-qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "handoff-field-sheet-km")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "handoff-field-sheet-km.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000


def test_export_page_and_field_sheet_in_vietnamese_on_a_phone(live_app, live_server, page):
    tip = make_tip(live_app, language="vi", province_code="09", latitude=11.6, longitude=103.0, uncertainty_m=200,
                   what_seen=VIETNAMESE, fallen_names="Nguyễn Văn An, Lê Văn Bình", fallen_unit="Trung đoàn 2",
                   local_name="Xóm Bến Đá", place_description="Cạnh con suối, phía sau trường học cũ",
                   contact_name="Trần Thị Hoa", contact_phone="0912 345 678", consent=True).tip_id
    make_tip(live_app, language="vi", province_code="09", latitude=11.6005, longitude=103.0,
             what_seen="hai ngoi mo liet si duoi goc xoai lon")
    account = create_staff(live_app, "moderator", username="lan", language="vi")
    sign_in(page, live_server.url, account, "vi")

    page.goto(f"{live_server.url}/vi/staff/tips/{tip}")
    assert page.locator(".duplicate-candidate").count() == 1
    page.locator(".likely-duplicates").scroll_into_view_if_needed()
    screenshot(page, "handoff-tip-duplicates-vi")

    page.goto(f"{live_server.url}/vi/staff/exports?province=09")
    screenshot(page, "handoff-export-vi")
    page.goto(f"{live_server.url}/vi/staff/tips/{tip}/field-sheet")
    page.check("#include_contact")
    page.locator(".sheet-contact-form button").click()
    page.wait_for_load_state()
    assert "0912 345 678" in page.locator(".sheet-contact").inner_text()
    screenshot(page, "handoff-field-sheet-vi")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the field sheet scrolls sideways on a phone"
