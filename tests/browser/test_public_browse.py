"""A visitor browses the monuments on a phone: Khmer list, province filter, monument, map on demand.

Map tiles are answered by the test itself (``page.route``), so no request leaves the machine; the
page keeps its real CSP with the real tile host.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from portal.db import new_session, write_transaction
from portal.demo.content import load_demo_content
from portal.services.reviewed_monuments import load_reviewed_monuments
from tests.browser.conftest import screenshot, sign_in
from tests.content_helpers import make_monument

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _tile() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 231, 214)).save(buffer, format="PNG")
    return buffer.getvalue()


TILE = _tile()


@pytest.fixture
def demo_server(live_server):
    """A fresh install (the real monuments, the demo content) plus one monument written only in Vietnamese."""
    with live_server.app.app_context():
        session = new_session()
        try:
            load_reviewed_monuments(session)
            with write_transaction(session):
                load_demo_content(session)
            make_monument(session, "prey-veng", "14", is_sample=True, latitude=None, longitude=None, texts={
                "vi": {"name": "Đài hữu nghị Việt Nam–Campuchia tỉnh Prây Veng", "history": "<p>Nội dung mẫu.</p>"}})
        finally:
            session.close()
    return live_server


def _serve_tiles(page) -> list[str]:
    served: list[str] = []

    def answer(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    page.route(re.compile(r"^https://tile\.openstreetmap\.org/"), answer)
    return served


def test_khmer_visitor_filters_by_province_opens_a_monument_and_its_map(demo_server, page):
    tiles = _serve_tiles(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{demo_server.url}/km/monuments/")
    assert page.locator("html").get_attribute("lang") == "km"
    assert page.locator(".monument-card").count() == 12  # a full first page of the real monuments
    page.select_option("#province", "12")
    page.locator(".search-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"province=12"))
    cards = page.locator(".monument-card")
    assert cards.count() == 1
    assert "ភ្នំពេញ" in cards.first.inner_text()
    screenshot(page, "browse-km-filtered")

    cards.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/km/monuments/phnom-penh$"))
    assert "វិមានមិត្តភាពកម្ពុជា-វៀតណាម" in page.locator("h1").inner_text()
    assert page.locator(".sample-label").count() == 0
    assert page.locator("#sources li").count() == 2
    page.locator(".rich a[href='#source-2']").first.click()  # a citation jumps to its source
    page.wait_for_url(re.compile(r"#source-2$"))
    assert not any("leaflet" in url for url in requested), "Leaflet loaded before the visitor asked for it"

    page.locator("#monument-map .map-button").click()
    page.locator("#monument-map .leaflet-container").wait_for()
    page.locator("#monument-map .leaflet-marker-icon").wait_for()
    page.locator("#monument-map img.leaflet-tile-loaded").first.wait_for()
    assert tiles, "no tile was requested"
    assert page.evaluate("document.querySelectorAll('style').length") == 0  # nothing CSP would refuse
    page.locator("#location").scroll_into_view_if_needed()
    screenshot(page, "browse-km-monument-map")
    assert page.console_errors == []


def test_the_map_loads_on_a_tap_not_on_scrolling(demo_server, page):
    """Issue #14 item 5: tiles cost a slow line dearly; the map comes when asked for."""
    tiles = _serve_tiles(page)
    page.goto(f"{demo_server.url}/en/monuments/phnom-penh")
    page.locator("#monument-map").scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert page.locator("#monument-map .leaflet-container").count() == 0
    assert tiles == []
    page.locator("#monument-map .map-button").click()
    page.locator("#monument-map .leaflet-container").wait_for()


def test_without_javascript_coordinates_and_map_links_are_there(demo_server, page_without_js):
    page = page_without_js
    page.goto(f"{demo_server.url}/vi/monuments/phnom-penh")
    assert page.locator("#coordinates").inner_text() == "11.55871, 104.93277"
    osm = page.locator("a.map-link-osm")
    google = page.locator("a.map-link-google")
    assert osm.is_visible()
    assert google.is_visible()
    assert osm.get_attribute("href").startswith("https://www.openstreetmap.org/?mlat=11.558710&mlon=104.932770")
    assert google.get_attribute("href") == "https://www.google.com/maps/search/?api=1&query=11.558710%2C104.932770"
    assert page.locator("#monument-map button").count() == 0  # no button that would do nothing
    screenshot(page, "browse-vi-monument-nojs")


@pytest.mark.parametrize("lang", ["km", "vi", "en"])
def test_pages_look_right_on_a_phone_and_pass_axe(demo_server, page, lang):
    page.context.add_init_script(path=str(AXE))
    pages = {
        "home": f"/{lang}/", "monuments": f"/{lang}/monuments/", "monument": f"/{lang}/monuments/takeo",
        "monument-map": f"/{lang}/monuments/phnom-penh",
        "fallback": f"/{lang}/monuments/prey-veng", "statistics": f"/{lang}/statistics/",
        "repatriation": f"/{lang}/repatriation/", "help": f"/{lang}/help", "news": f"/{lang}/news/",
        "news-item": f"/{lang}/news/an-giang-koh-kong-sign-phase-25",
    }
    problems = {}
    for name, path in pages.items():
        response = page.goto(demo_server.url + path)
        assert response.status == 200
        # Nothing wider than the phone's screen (tables scroll inside their own wrapper).
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        if result["violations"]:
            problems[path] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        screenshot(page, f"browse-{name}-{lang}")
    assert problems == {}


def test_editor_fixes_a_missing_translation_on_a_phone(demo_server, page):
    from tests.staff_fixtures import create_staff

    account = create_staff(demo_server.app, "editor", username="dara", language="km")
    page.context.add_init_script(path=str(AXE))
    sign_in(page, demo_server.url, account, lang="vi")
    page.goto(f"{demo_server.url}/km/staff/content/")
    screenshot(page, "staff-content-km")
    page.goto(f"{demo_server.url}/km/staff/content/missing-translations")
    screenshot(page, "staff-content-missing-km")
    page.locator("#missing-translations a").first.click()
    page.wait_for_url(re.compile(r"/km/staff/content/monuments/\d+$"))
    page.fill("#name_km", "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តព្រៃវែង")
    page.fill("#history_km", "អត្ថបទគំរូ។")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert [v["id"] for v in result["violations"]] == []
    screenshot(page, "staff-monument-edit-km")
    page.locator("#monument-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/km/staff/content/monuments/\d+$"))
    assert page.locator(".notice-ok").count() == 1
    page.goto(f"{demo_server.url}/km/monuments/prey-veng")
    assert page.locator("h1").inner_text() == "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តព្រៃវែង"
    assert page.locator("h1 [lang]").count() == 0
