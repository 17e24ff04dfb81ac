"""Issue #14 items 3–6 on a phone (390×844, Debian Chromium), in Khmer and Vietnamese, with and
without JavaScript where it matters; each test asserts what the person sees. Screenshots go to
``test-artifacts/`` (``phone-…``)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bench.khmer_fonts import THROTTLE
from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.staff_fixtures import create_staff
from tests.tip_factory import make_tip

LANGS = ("km", "vi")


def _in_viewport_width(page: Any, selector: str) -> list[str]:
    """The texts of the elements that stick out of the 390 px screen sideways."""
    return page.eval_on_selector_all(selector, """(els, width) => els.filter(el => {
        const r = el.getBoundingClientRect(); return r.left < 0 || r.right > width || r.width === 0;
    }).map(el => el.textContent.trim())""", PHONE["width"])


# -- Item 3: the menu and the follow-up link -------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("js", [True, False])
def test_every_menu_item_is_on_screen_and_home_links_to_follow_up(live_server, browser, lang, js):
    context = browser.new_context(viewport=PHONE, java_script_enabled=js)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/")
        items = page.locator(".site-nav a")
        assert items.count() == 9  # the families' inquiry joined the menu (#19)
        assert _in_viewport_width(page, ".site-nav a") == []
        for index in range(items.count()):
            assert items.nth(index).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate("(() => { const u = document.querySelector('.site-nav ul');"
                             " return u.scrollWidth <= u.clientWidth; })()")
        # The follow-up link sits next to the report button, in the first screen.
        follow = page.locator(".call-to-report #follow-up-link")
        assert follow.is_visible()
        box = follow.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"] * 1.5
        menu_label = page.locator(f".site-nav a[href='/{lang}/tips/status']").inner_text()
        assert follow.inner_text() == menu_label and menu_label != "Follow up a report"
        screenshot(page, f"phone-home-menu-{lang}{'' if js else '-nojs'}")
        follow.click()
        page.wait_for_url(re.compile(rf".*/{lang}/tips/status$"))
        assert page.locator("#receipt").is_visible()
    finally:
        context.close()


# -- Item 4: "Use my location" in the main place section -------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_use_my_location_is_in_the_place_section_and_fills_the_coordinates(live_server, browser, lang):
    context = browser.new_context(viewport=PHONE, geolocation={"latitude": 11.55871, "longitude": 104.93277,
                                                               "accuracy": 20}, permissions=["geolocation"])
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/tips/new")
        button = page.locator("#use-location")
        assert button.is_visible(), "visible without opening the optional box"
        details = page.locator("details:has(#coordinates)")
        assert details.get_attribute("open") is None
        where = page.locator("section[aria-labelledby=where-heading]")
        assert where.locator("#use-location").count() == 1
        assert details.locator("#use-location").count() == 0
        screenshot(page, f"phone-tip-location-{lang}")
        button.click()
        page.wait_for_function("document.querySelector('#coordinates').value !== ''")
        assert page.locator("#coordinates").input_value() == "11.55871, 104.93277"
        assert details.get_attribute("open") is not None, "the filled coordinates are shown to be checked"
        assert page.locator("#coordinates").is_visible()
        assert page.locator("#location-status").inner_text().strip()
        screenshot(page, f"phone-tip-location-found-{lang}")
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_no_location_button_and_coordinates_can_be_typed(live_server, page_without_js, lang):
    page = page_without_js
    page.goto(f"{live_server.url}/{lang}/tips/new")
    assert not page.locator("#use-location").is_visible()  # a button that would do nothing stays hidden
    page.locator("details:has(#coordinates) summary").click()
    assert page.locator("#coordinates").is_visible()


# -- Item 5: the map on a tap, and words when the tiles fail --------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_when_tiles_fail_the_page_says_so_next_to_the_coordinates(live_server, browser, lang):
    from tests.content_helpers import load_demo

    session = live_server.app.extensions["portal.sessionmaker"]()
    try:
        with live_server.app.app_context():
            load_demo(session)
    finally:
        session.close()
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", THROTTLE)
        tiles: list[str] = []

        def refuse(route: Any) -> None:
            tiles.append(route.request.url)
            route.abort()

        page.route(re.compile(r"^https://tile\.openstreetmap\.org/"), refuse)
        page.goto(f"{live_server.url}/{lang}/monuments/phnom-penh")
        page.locator("#monument-map").scroll_into_view_if_needed()
        assert page.locator("#monument-map .leaflet-container").count() == 0  # nothing until asked
        page.locator("#monument-map .map-button").click()
        notice = page.locator("#location .map-notice")
        notice.wait_for(state="visible", timeout=30_000)
        expected = page.locator("#monument-map").get_attribute("data-error-label")
        assert notice.inner_text() == expected and expected
        assert not re.search(r"[A-Za-z]{4}", expected.replace("OpenStreetMap", "")), "in the page's language"
        assert notice.get_attribute("role") == "status"
        assert tiles
        # Next to the coordinates and the outside map links, which still work.
        assert page.locator("#location #coordinates").is_visible()
        assert page.locator("#location a.map-link-osm").is_visible()
        links = page.locator("#location .map-links").bounding_box()
        box = notice.bounding_box()
        assert links is not None and box is not None and 0 <= box["y"] - (links["y"] + links["height"]) < 80
        notice.scroll_into_view_if_needed()
        screenshot(page, f"phone-map-tiles-failed-{lang}")
    finally:
        context.close()


# -- Item 6: staff on a phone -----------------------------------------------------------------------

@pytest.fixture
def reviewed_tip(live_app: Any) -> Any:
    tip = make_tip(live_app, province_code="10", district_code="1001", language="km", photos=0,
                   what_seen="ផ្នូរបីនៅជិតវត្តចាស់ ខាងកើតផ្សារស្រុក ប្រហែលពីរគីឡូម៉ែត្រ",
                   contact_phone="+855 12 000 000")
    for n in range(3):
        make_tip(live_app, province_code="12", what_seen=f"Mộ chôn gần chùa cũ, cách chợ huyện hai cây số {n}")
    return tip


@pytest.mark.parametrize("lang", LANGS)
def test_staff_read_the_queue_as_cards_and_a_tip_label_above_value(live_app, live_server, page, reviewed_tip, lang):
    account = create_staff(live_app, "moderator", username=f"sok-{lang}", language=lang)
    sign_in(page, live_server.url, account, lang=lang)

    page.goto(f"{live_server.url}/{lang}/staff/queue")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cards = page.locator("table.queue tbody tr")
    assert cards.count() == 4
    first = cards.first.bounding_box()
    assert first is not None and first["width"] > PHONE["width"] * 0.8, "a card as wide as the screen"
    summary = cards.first.locator(".queue-summary").bounding_box()
    assert summary is not None and summary["width"] > 250, "the summary is not one word wide"
    assert _in_viewport_width(page, "table.queue td") == []
    assert page.locator("table.queue thead th").nth(2).inner_text() != "Province"
    screenshot(page, f"phone-staff-queue-{lang}")

    page.goto(f"{live_server.url}/{lang}/staff/tips/{reviewed_tip.tip_id}")
    dt = page.locator(".staff-facts dt").first.bounding_box()
    dd = page.locator(".staff-facts dd").first.bounding_box()
    assert dt is not None and dd is not None
    assert dd["y"] >= dt["y"] + dt["height"] - 1, "the value is under its label"
    assert dd["width"] > PHONE["width"] * 0.75, "the value has the screen's width"

    # Every form and every message box has a name of its own.
    names = page.evaluate("""() => [...document.querySelectorAll('main form[method=post]:not(.staff-signout)')].map(f =>
        f.getAttribute('aria-label') || (f.getAttribute('aria-labelledby') &&
        document.getElementById(f.getAttribute('aria-labelledby')).textContent.trim()) || '')""")
    assert all(names) and len(set(names)) == len(names), names
    boxes = page.evaluate("""() => [...document.querySelectorAll('main textarea')].map(t =>
        [...t.labels].map(l => l.textContent.trim()).join(' '))""")
    assert all(boxes) and len(set(boxes)) == len(boxes), boxes

    # History in words, times in the page's language.
    page.locator(".move-form button").first.click()
    page.wait_for_load_state()
    history = page.locator(".history")
    text = history.inner_text()
    assert "tip.transition" not in text and "from=" not in text and "tip.received" not in text
    assert page.locator(".history-entry").count() >= 2
    # "Moved from “…” to “…”" (Khmer quotes «…»): the statuses by their labels
    assert ("«" if lang == "km" else "“") in text
    if lang == "km":
        assert not re.search(r"\b(AM|PM)\b", history.locator("time").all_inner_texts().__str__())
        assert re.search("[០-៩]", history.locator("time").first.inner_text())
    screenshot(page, f"phone-staff-tip-{lang}")
