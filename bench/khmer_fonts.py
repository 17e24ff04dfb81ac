"""How soon Khmer text is readable on a first visit over a slow link (issue #14's 1.6 s goal).

    .venv/bin/python -m bench.khmer_fonts        (``--runs 5``)

Debian's Chromium at 390×844, the network held by CDP to 400 ms latency and 50,000 bytes/s each way,
a cold cache and no Khmer font on the machine (like many phones): Khmer is readable only once the
Khmer web font is in. "Readable" is the first frame painted after both the first contentful paint and
the font face's ``loadingdone`` (and not before the font's ``responseEnd``): before it, the phone shows
empty boxes.

Measured in the same run, the **control** is the least this link and this machine allow: a bare page
(its own tiny server) with one Khmer line, the same font preloaded and nothing else. The portal's
``/km/`` and ``/km/tips/new`` (gunicorn, production settings, SQLite with the demo content) are
measured in turns with it, each best and median of ``--runs`` cold loads, and the best is held to 1.6 s.

The tests (``tests/browser/test_khmer_fonts.py``) do not time anything: they load the same pages the
same way and check what makes the figure good and does not depend on how busy the machine is — the
preload, the fonts fetched, the layout shift, and the bytes that share the link before the font is
in, against the budget :func:`modelled_readable_ms` derives from this network.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LATENCY_MS = 400
THROUGHPUT_BYTES_PER_S = 50_000
THROTTLE = {"offline": False, "latency": LATENCY_MS, "downloadThroughput": THROUGHPUT_BYTES_PER_S,
            "uploadThroughput": THROUGHPUT_BYTES_PER_S}
READABLE_GOAL_MS = 1600
# Between the font's last byte and the frame that shows it: decoding, shaping, one frame. What the
# byte budget leaves for it; the real figure is the benchmark's.
PAINT_ALLOWANCE_MS = 100
PHONE = {"width": 390, "height": 844}
KHMER_FONT = "noto-sans-khmer"
PAGES = ("/km/", "/km/tips/new")

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
  const resources = [nav, ...performance.getEntriesByType("resource")].map(e => ({url: e.name,
      start: Math.round(e.startTime), end: Math.round(e.responseEnd), bytes: e.transferSize,
      initiator: e.initiatorType}));
  resolve({fcp: paint ? paint.startTime : null, cls: window.__fonts.cls, shifts: window.__fonts.shifts,
           khmerLoaded: window.__fonts.khmerLoaded, resources: resources,
           usedKhmer: document.fonts.check("16px 'Noto Sans Khmer'", "ក")});
}, 500))"""


def cold_throttled_load(browser: Any, url: str) -> dict[str, Any]:
    """One first visit on the slow link: paint, font and layout-shift figures, every resource fetched.
    The open page is not kept; use :func:`throttled_page` to look at it."""
    with throttled_page(browser, url) as (_page, figures):
        return figures


@contextmanager
def throttled_page(browser: Any, url: str) -> Iterator[tuple[Any, dict[str, Any]]]:
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
            moments = [figures["fcp"], *khmer_end[:1], *([figures["khmerLoaded"]] if figures["khmerLoaded"] else [])]
            figures["readable_ms"] = round(max(moments))
        yield page, figures
    finally:
        context.close()


def critical_resources(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """What shares the link with the Khmer font: the page itself, what its head and body ask for
    (stylesheet, preloads, scripts) and the font. The favicon, asked for once the page is parsed, is not."""
    return [r for r in figures["resources"]
            if r["initiator"] in ("navigation", "link", "script") or KHMER_FONT in r["url"]]


def modelled_readable_ms(figures: dict[str, Any]) -> int:
    """When the Khmer font can be in, from what was sent rather than from a clock: one round trip for
    the page, one for the font when the page's head asks for it (two when only the stylesheet does),
    every critical byte through the shared link, and the paint allowance."""
    khmer = [r for r in figures["resources"] if KHMER_FONT in r["url"]]
    if not khmer:
        raise ValueError("the page fetched no Khmer font")
    round_trips = 2 if khmer[0]["initiator"] == "link" else 3
    sent = sum(r["bytes"] for r in critical_resources(figures))
    return round(round_trips * LATENCY_MS + sent * 1000 / THROUGHPUT_BYTES_PER_S + PAINT_ALLOWANCE_MS)


# ---------------------------------------------------------------------------------------------
# The benchmark


CONTROL_PAGE = """<!doctype html>
<html lang="km"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>control</title>
<link rel="preload" href="noto-sans-khmer-400-core.woff2" as="font" type="font/woff2" crossorigin>
<style>@font-face{font-family:"Noto Sans Khmer";font-display:swap;
src:url(noto-sans-khmer-400-core.woff2) format("woff2")}
body{font-family:"Noto Sans Khmer",sans-serif}</style></head>
<body><h1>វិមានមិត្តភាពវៀតណាម-កម្ពុជា</h1></body></html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def control_server(workdir: Path) -> Iterator[str]:
    from bench.run import ROOT

    (workdir / "index.html").write_text(CONTROL_PAGE, encoding="utf-8")
    font = "noto-sans-khmer-400-core.woff2"
    shutil.copy(ROOT / "static" / "fonts" / font, workdir / font)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(workdir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    from bench.lighthouse import CHROME_FLAGS, CHROMIUM, portal_server
    from bench.run import BenchError, running, verdict_line

    parser = argparse.ArgumentParser(prog="python -m bench.khmer_fonts", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise BenchError(f"Chromium is not at {CHROMIUM} (apt-get install -y chromium)")
    workdir = Path(tempfile.mkdtemp(prefix="portal-khmer-fonts-"))
    readable: dict[str, list[int]] = {}
    modelled: dict[str, int] = {}
    try:
        control_dir = workdir / "control"
        control_dir.mkdir()
        with running(portal_server(workdir, "portal-khmer-fonts")) as site, control_server(control_dir) as control, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(  # Playwright adds its own headless flag
                executable_path=CHROMIUM, args=[flag for flag in CHROME_FLAGS.split() if flag != "--headless"])
            targets = {"control": control, **{path: site.url + path for path in PAGES}}
            for url in targets.values():  # the server's first render is not what a phone waits for
                cold_throttled_load(browser, url)
            for _ in range(args.runs):
                for name, url in targets.items():
                    figures = cold_throttled_load(browser, url)
                    readable.setdefault(name, []).append(figures["readable_ms"])
                    modelled[name] = modelled_readable_ms(figures)
            browser.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ok = True
    print(f"Khmer readable on a first visit: {LATENCY_MS} ms, {THROUGHPUT_BYTES_PER_S:,} B/s, Chromium at "
          f"{PHONE['width']}×{PHONE['height']}, {args.runs} cold loads each, in turns; goal ≤ {READABLE_GOAL_MS} ms")
    print(f"{'page':14} {'best ms':>8} {'median':>8} {'control best':>13} {'modelled':>9}  target")
    best_control = min(readable["control"])
    for name, runs in readable.items():
        best = min(runs)
        met = name == "control" or best <= READABLE_GOAL_MS
        ok = ok and met
        print(f"{name:14} {best:>8} {statistics.median(runs):>8.0f} {best_control:>13} {modelled[name]:>9}  "
              f"{'—' if name == 'control' else ('≤ 1600 met' if met else '≤ 1600 MISSED')}")
    print(verdict_line(ok))
    return 0 if ok else 1


if __name__ == "__main__":
    from bench.run import script

    script(main, "khmer_fonts")
