"""Browser fixtures: the portal on a loopback port and Debian's Chromium driven by Playwright.

Every test here is marked ``browser``. Screenshots go to ``test-artifacts/`` (kept by CI).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bench.khmer_fonts import PHONE
from bench.lighthouse import CHROME_FLAGS, CHROMIUM
from tests.conftest import make_app, skip_or_fail

# One browser and one phone for the tests and the benchmarks (Debian's Chromium, PORTAL_CHROMIUM).
CHROMIUM_ARGS = [flag for flag in CHROME_FLAGS.split() if flag != "--headless"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# Werkzeug's development server (the live server here, never production) leaves a static file open
# when the browser drops the connection half-way (a font it no longer needs): Python warns when the
# file is collected, at some later test's teardown. Those warnings, and only those, are not failures.
DEV_SERVER_STATIC_FILE = [
    pytest.mark.filterwarnings(r"ignore:unclosed file <_io\.BufferedReader name='[^']*/static/:ResourceWarning"),
    pytest.mark.filterwarnings(r"ignore:Exception ignored in. <_io\.FileIO name='[^']*/static/"
                               r":pytest.PytestUnraisableExceptionWarning"),
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            for mark in DEV_SERVER_STATIC_FILE:
                item.add_marker(mark)


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture
def live_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app as a visitor meets it: CSRF on, rate limits generous."""
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True, TESTING=False)
    yield app
    app.extensions["portal.engine"].dispose()


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture
def site(live_app: Flask, live_server: LiveServer) -> LiveServer:
    """The live portal with the demo content (real monuments, sample news, figures and tips)."""
    from tests.content_helpers import load_demo

    session = live_app.extensions["portal.sessionmaker"]()
    try:
        with live_app.app_context():
            load_demo(session)
    finally:
        session.close()
    return live_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        skip_or_fail("Playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page with JavaScript on; console errors (CSP violations too) fail the test."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()
    assert errors == [], f"errors in the browser console: {errors}"


def submit_expecting_refusal(page: Any, selector: str) -> None:
    """Press a submit button whose form comes back with its errors: the answer must be a 422, and
    the console error Chromium logs for a page answered 4xx is the one this asks for."""
    with page.expect_response(lambda answer: answer.request.method == "POST") as refused:
        page.locator(selector).click()
    assert refused.value.status == 422
    page.wait_for_load_state()
    if hasattr(page, "console_errors"):
        page.console_errors[:] = [text for text in page.console_errors if "status of 422" not in text]


@pytest.fixture
def page_without_js(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, base_url: str, account: Any, lang: str = "en") -> None:
    """Sign a staff account in through the real two steps: password, then a TOTP code from pyotp."""
    import re

    page.goto(f"{base_url}/{lang}/staff/login")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/staff/login/code$"))
    page.fill("#code", account.code())
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/staff/$"))
