"""Page weight on a first visit, as a phone on a slow connection meets it.

For the home page, the monument list, a monument page and the tip form in every language, a fresh
browser context (cold cache) loads the page and every font it needs; Playwright's network log gives
the bytes transferred (headers and compressed bodies). Budgets: 100 KB in all, 30 KB of HTML and
CSS. Then the same page with JavaScript off: everything worth reading is there, and the tip form
is sent and acknowledged without a line of script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.conftest import PHONE, LiveServer, screenshot

LANGUAGES = ("vi", "km", "en")
PAGES = {
    "home": "/",
    "monument list": "/monuments/",
    "monument page": "/monuments/phnom-penh",
    "tip form": "/tips/new",
}
TOTAL_BUDGET = 100_000  # bytes transferred on a first visit, fonts included
HTML_CSS_BUDGET = 30_000
RECEIPT = re.compile(r"^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$")


@dataclass(frozen=True)
class Transfer:
    kind: str  # Playwright's resource type: document, stylesheet, font, script, image, other
    url: str
    status: int
    bytes: int
    encoding: str




@pytest.fixture
def fresh_context(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(viewport=PHONE, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def first_visit(context: Any, url: str) -> tuple[Any, list[Transfer]]:
    """Load ``url`` in a fresh context and wait until its fonts are in; return the network log."""
    page = context.new_page()
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, url
    page.evaluate("() => document.fonts.ready.then(() => document.fonts.size)")
    page.wait_for_load_state("networkidle")
    transfers = []
    for request in finished:
        sizes = request.sizes()
        answer = request.response()
        transfers.append(Transfer(
            kind=request.resource_type, url=request.url, status=answer.status if answer else 0,
            bytes=sizes["responseBodySize"] + sizes["responseHeadersSize"],
            encoding=(answer.all_headers().get("content-encoding", "") if answer else "")))
    return page, transfers


def _describe(transfers: list[Transfer]) -> str:
    return "; ".join(f"{t.kind} {t.url.rsplit('/', 1)[-1]} {t.bytes:,} B" for t in transfers)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_first_visit_fits_the_budget(site: LiveServer, fresh_context: Any, lang: str, name: str) -> None:
    page, transfers = first_visit(fresh_context(), f"{site.url}/{lang}{PAGES[name]}")
    total = sum(t.bytes for t in transfers)
    html_css = sum(t.bytes for t in transfers if t.kind in ("document", "stylesheet"))
    fonts = [t for t in transfers if t.kind == "font"]

    assert fonts, "the portal's own fonts are part of a first visit"
    assert all(t.status == 200 for t in transfers), _describe(transfers)
    assert total <= TOTAL_BUDGET, f"{lang} {name}: {total:,} bytes > {TOTAL_BUDGET:,}: {_describe(transfers)}"
    assert html_css <= HTML_CSS_BUDGET, f"{lang} {name}: HTML and CSS {html_css:,} bytes > {HTML_CSS_BUDGET:,}"
    text = [t for t in transfers if t.kind in ("document", "stylesheet", "script")]
    assert all(t.encoding == "gzip" for t in text), f"uncompressed text: {_describe(text)}"
    if lang == "km":
        assert any("khmer" in t.url for t in fonts), "Khmer pages bring their Khmer font"
    assert not any("latin-ext" in t.url for t in fonts), "latin-ext (55 KB) is for letters none of our languages use"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_the_same_without_javascript(site: LiveServer, fresh_context: Any, lang: str, name: str) -> None:
    url = f"{site.url}/{lang}{PAGES[name]}"
    with_js = fresh_context().new_page()
    with_js.goto(url)
    without_js = fresh_context(java_script_enabled=False).new_page()
    without_js.goto(url)

    assert without_js.locator("main h1").first.inner_text().strip()
    # Everything a reader sees with JavaScript is there without it (scripts only add controls).
    readable = "main :is(h1, h2, h3, p, li, dt, dd, label, legend, th, td):visible"
    seen_with_js = {text.strip() for text in with_js.locator(readable).all_inner_texts() if text.strip()}
    seen_without = {text.strip() for text in without_js.locator(readable).all_inner_texts() if text.strip()}
    assert seen_with_js - seen_without == set()
    if name == "monument list":
        assert without_js.locator(".monument-card").count() >= 10
    if name == "tip form":
        form = without_js.locator("form.tip-form")
        assert form.get_attribute("method") == "post"
        assert form.locator("button[type=submit][value=submit]").is_visible()
    screenshot(without_js, f"no-js-{name.replace(' ', '-')}-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tip_form_is_sent_without_javascript(site: LiveServer, fresh_context: Any, lang: str) -> None:
    page = fresh_context(java_script_enabled=False).new_page()
    page.goto(f"{site.url}/{lang}/tips/new")
    page.fill("#what_seen", "Graves behind the old pagoda, near two tamarind trees.")
    page.fill("#place_description", "About 2 km east of the district market.")
    page.click("button[value=submit]")
    code = page.wait_for_selector("#receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", ["home", "monument list", "tip form"])
def test_language_switch_draws_khmer_from_a_small_cut(site: LiveServer, fresh_context: Any, lang: str,
                                                      name: str) -> None:
    """A Vietnamese or English page shows Khmer only in the language switch ("ខ្មែរ"): that name
    comes from a 1.6 KB cut of Noto Sans Khmer, drawn whole by it, and the 16 KB font stays home."""
    page, transfers = first_visit(fresh_context(), f"{site.url}/{lang}{PAGES[name]}")
    fonts = [t.url.rsplit("/", 1)[-1] for t in transfers if t.kind == "font"]
    assert any(url.startswith("noto-sans-khmer-400-name") for url in fonts), fonts
    assert not any(url.startswith("noto-sans-khmer-400-core") for url in fonts), fonts

    switch = page.locator('.lang-switch a[lang="km"]')
    assert switch.inner_text() == "ខ្មែរ"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument")
    link = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"],
                                          "selector": '.lang-switch a[lang="km"]'})
    drawn = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": link["nodeId"]})["fonts"]
    # One web font draws every glyph: none is missing from the cut and left to a phone's fallback.
    assert [font["isCustomFont"] for font in drawn] == [True], drawn
