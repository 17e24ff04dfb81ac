"""The site opens in a real browser in every language, with its CSP intact."""

import pytest

from tests.browser.conftest import screenshot


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_home_page_opens_in_each_language(live_server, page, lang):
    response = page.goto(f"{live_server.url}/{lang}/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(".lang-switch a[aria-current=true]").get_attribute("hreflang") == lang
    screenshot(page, f"home-{lang}")
