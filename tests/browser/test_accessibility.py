"""WCAG 2.1 AA in every language: axe-core on every public page and the tip form (with its errors).

axe-core is vendored (tests/browser/vendor) so the tests need no npm at run time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot, submit_expecting_refusal

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
LANGS = ["vi", "km", "en"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def public_paths(page, base_url: str, lang: str) -> list[str]:
    """Every page the sitemap lists in this language (one of each kind of detail page)."""
    xml = page.request.get(f"{base_url}/sitemap.xml").text()
    paths, kinds = [], set()
    for loc in re.findall(r"<loc>([^<]+)</loc>", xml):
        path = loc.removeprefix(base_url)
        if not path.startswith(f"/{lang}/"):
            continue
        parts = path.strip("/").split("/")
        kind = parts[1] if len(parts) > 2 else path  # /km/monuments/<slug> → one monument is enough
        if kind in kinds:
            continue
        kinds.add(kind)
        paths.append(path)
    return paths


@pytest.fixture
def page(page):
    """The phone-sized page with axe-core injected by the browser itself (a page's CSP would
    refuse it as an inline script, and must not be loosened for a test)."""
    page.context.add_init_script(path=str(AXE))
    return page


def run_axe(page) -> list[dict]:
    assert page.evaluate("() => typeof axe") == "object", "axe-core was not injected"
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["testEngine"]["name"] == "axe-core", "axe did not run"
    assert result["passes"], "axe ran no checks"
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


@pytest.mark.parametrize("lang", LANGS)
def test_public_pages_have_no_accessibility_violations(live_server, page, lang):
    paths = public_paths(page, live_server.url, lang)
    assert f"/{lang}/" in paths
    problems = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = run_axe(page)
        if violations:
            problems[path] = violations
    assert problems == {}


@pytest.mark.parametrize("lang", LANGS)
def test_tip_form_and_its_errors_are_accessible(live_server, page, lang):
    response = page.goto(f"{live_server.url}/{lang}/tips/new")
    if response.status == 404:
        pytest.fail("the tip form is missing")
    assert run_axe(page) == []
    screenshot(page, f"tip-form-{lang}")
    submit_expecting_refusal(page, "form[method=post] button[type=submit] >> nth=-1")
    assert page.locator(".field-error").count() > 0, "submitting an empty form shows errors"
    assert run_axe(page) == []
    screenshot(page, f"tip-form-errors-{lang}")


def test_khmer_font_is_loaded_on_khmer_pages(live_server, page):
    page.goto(f"{live_server.url}/km/")
    page.evaluate("() => document.fonts.ready")
    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.family.includes('Noto Sans Khmer') && f.status === 'loaded')"
        ".map(f => f.weight)"
    )
    assert "400" in loaded
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans Khmer\"', 'ខ្មែរ')")
    screenshot(page, "home-km-font")


def test_khmer_text_is_not_clipped_in_form_controls(live_server, page):
    """Subscript consonants hang below the line: a control must be tall enough for its text."""
    page.goto(f"{live_server.url}/km/tips/new")
    clipped = page.evaluate("""() => [...document.querySelectorAll('input[type=text], select, button, textarea')]
        .filter(el => el.offsetParent !== null)
        .filter(el => el.scrollHeight > el.clientHeight + 1 && el.tagName !== 'TEXTAREA')
        .map(el => el.name || el.textContent.trim())""")
    assert clipped == []


@pytest.mark.parametrize("lang", LANGS)
def test_home_page_screenshot(live_server, page, lang):
    page.goto(f"{live_server.url}/{lang}/")
    assert page.locator("main h1").count() == 1
    screenshot(page, f"home-{lang}")
