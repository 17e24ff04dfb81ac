"""Staff in a real browser: set up an account from its link, sign in with a TOTP code, sign out.

Runs with the strict CSP on (console errors fail the test), on a phone-sized screen, and checks
the staff pages with axe-core. Screenshots: test-artifacts/staff-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
import pytest

from portal.db import new_session
from portal.services import staff_accounts, staff_signin
from tests.browser.conftest import screenshot
from tests.staff_fixtures import create_staff

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def page(page):
    """axe-core injected by the browser itself: the page's CSP refuses inline scripts."""
    page.context.add_init_script(path=str(AXE))
    return page


def axe_violations(page) -> list[dict]:
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], "axe ran no checks"
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def submit(page) -> None:
    page.locator("main form button[type=submit]").last.click()


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_login_page_in_each_language(live_server, page, lang):
    response = page.goto(f"{live_server.url}/{lang}/staff/login")
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []
    screenshot(page, f"staff-login-{lang}")


def test_staff_member_signs_in_with_a_totp_code_and_signs_out(live_app, live_server, page):
    account = create_staff(live_app, "admin", username="sopheak", language="km")
    page.goto(f"{live_server.url}/vi/staff/login")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    submit(page)
    page.wait_for_url(re.compile(r".*/vi/staff/login/code$"))
    assert axe_violations(page) == []
    screenshot(page, "staff-login-code-vi")
    page.fill("#code", pyotp.TOTP(account.totp_secret).now())
    submit(page)

    # Signed in, in the language saved on the account.
    page.wait_for_url(re.compile(r".*/km/staff/$"))
    assert page.locator("html").get_attribute("lang") == "km"
    assert "sopheak" in page.locator(".staff-who").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "staff-home-km")
    page.goto(f"{live_server.url}/km/staff/account")
    assert axe_violations(page) == []
    screenshot(page, "staff-account-km")
    page.goto(f"{live_server.url}/en/staff/accounts/")
    screenshot(page, "staff-accounts-en")

    page.locator(".staff-signout button").click()
    page.wait_for_url(re.compile(r".*/en/staff/login$"))
    assert page.locator(".notice-ok").count() == 1
    page.goto(f"{live_server.url}/km/staff/")
    assert re.search(r"/km/staff/login\?next=", page.url)


def test_set_up_page_shows_the_qr_code_and_finishes_without_javascript(live_app, live_server, page,
                                                                        page_without_js):
    with live_app.app_context():
        session = new_session()
        _user, token = staff_accounts.create_account(session, username="dara", role="moderator",
                                                     language="vi", actor_name="tests")
        # A set-up link works in the first browser that opens it: the one without JavaScript gets its own.
        user, other_token = staff_accounts.create_account(session, username="sokha", role="moderator",
                                                          language="km", actor_name="tests")
        secret = staff_signin.totp_secret_of(user)
        session.close()
    # With JavaScript and the CSP: the QR image loads (data: image), nothing is refused.
    page.goto(f"{live_server.url}/vi/staff/setup/{token}")
    assert token not in page.url
    qr = page.locator(".qr img")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    assert axe_violations(page) == []
    screenshot(page, "staff-setup-vi")

    # Without JavaScript the whole set-up works.
    browser = page_without_js
    browser.goto(f"{live_server.url}/km/staff/setup/{other_token}")
    screenshot(browser, "staff-setup-km")
    browser.fill("#password", "a long staff password")
    browser.fill("#confirm", "a long staff password")
    browser.fill("#code", pyotp.TOTP(secret).now())
    browser.locator("main form button[type=submit]").click()
    browser.wait_for_load_state()
    assert browser.locator("#recovery-codes li").count() == 10
    screenshot(browser, "staff-recovery-codes-km")
