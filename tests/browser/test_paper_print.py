"""A moderator prints a batch of five paper forms to PDF with Debian's Chromium; every page is one
form whose QR code, read back from the printed page by zbarimg, opens the follow-up page; a returned
form is keyed in with its printed code, and the stub's holder follows it up in Khmer."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.browser.conftest import ARTIFACTS, PHONE, screenshot, sign_in
from tests.conftest import skip_or_fail
from tests.staff_fixtures import create_staff

CODE = re.compile(r"[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){3}")
KHMER_REPORT = "ផ្នូរពីរនៅក្រោយសាលាឃុំចាស់ ជិតអណ្ដូងទឹក"


def _tools() -> tuple[str, str]:
    pdftoppm, zbarimg = shutil.which("pdftoppm"), shutil.which("zbarimg")
    if not pdftoppm or not zbarimg:
        skip_or_fail("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are needed to read the printed forms")
    return pdftoppm, zbarimg  # type: ignore[return-value]


def test_a_batch_of_five_forms_prints_one_page_each_and_its_qr_codes_lead_to_the_follow_up(
        live_app, live_server, page, tmp_path):
    pdftoppm, zbarimg = _tools()
    account = create_staff(live_app, "moderator", username="sophea", language="km")
    sign_in(page, live_server.url, account, "km")

    page.goto(f"{live_server.url}/km/staff/paper/points/new")
    page.fill("#name", "សាលាឃុំព្រៃឈរ")
    page.select_option("#kind", "commune_office")
    page.select_option("#province", "03")
    page.locator("#point-form button[value=submit]").click()
    page.wait_for_url(re.compile(r".*/km/staff/paper/points/\d+$"))
    page.fill("#size", "5")
    page.select_option("#second_language", "vi")
    page.locator("#new-batch button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/km/staff/paper/batches/\d+$"))
    screenshot(page, "paper-batch-km")
    page.locator("#print-batch button").click()
    page.wait_for_load_state("networkidle")
    forms = page.locator(".paper-form")
    assert forms.count() == 5
    screenshot(page, "paper-forms-screen-km")
    codes = [forms.nth(i).locator(".paper-code-box .paper-code").inner_text() for i in range(5)]
    assert all(CODE.fullmatch(code) for code in codes) and len(set(codes)) == 5

    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "paper-forms-km-vi.pdf"
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 726, "height": 1054})  # A4 less the 9 mm margins, at 96 px an inch
    # Nothing of a form is cut off at the bottom of its page: the stub ends inside the form.
    overflow = page.evaluate("""() => [...document.querySelectorAll('.paper-form')].map(form =>
        form.querySelector('.paper-stub').getBoundingClientRect().bottom - form.getBoundingClientRect().bottom)""")
    assert all(gap <= 0.5 for gap in overflow), overflow
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    subprocess.run([pdftoppm, "-r", "150", "-png", str(pdf), str(tmp_path / "form")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("form-*.png"))
    assert len(pages) == 5, "one A4 page a form"
    follow_up = f"{live_server.url}/km/tips/status"
    for image in pages:
        decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(image)], capture_output=True, text=True,
                                 timeout=60)
        assert decoded.stdout.split() == [follow_up], (image.name, decoded.stdout, decoded.stderr)
    shutil.copy(pages[0], ARTIFACTS / "paper-form-page-1.png")

    # The form comes back and is keyed in with its printed code.
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/km/staff/paper/key-in")
    page.select_option("#point", label="សាលាឃុំព្រៃឈរ")
    page.fill("#printed_code", codes[2].lower())
    page.select_option("#province", "03")
    page.fill("#what_seen", KHMER_REPORT)
    page.locator("#tip-form button[value=submit]").click()
    assert page.locator("#receipt-code").inner_text() == codes[2]

    # The stub's holder scans the QR code and types the code from the stub.
    page.goto(follow_up)
    page.fill("#receipt", codes[2])
    page.locator("main form button[value=lookup]").click()
    assert page.locator(".status-received").count() >= 1  # "Received", in Khmer
    assert page.locator("html").get_attribute("lang") == "km"
    screenshot(page, "paper-follow-up-km")
    assert Path(ARTIFACTS / "paper-follow-up-km.png").stat().st_size > 10_000
