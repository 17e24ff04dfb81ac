"""Rate limits hold in total across gunicorn workers when they share Redis.

With ``memory://`` each worker would count on its own, so 4 workers would let through up to
4 × the limit. Here the portal runs under gunicorn with 4 workers and
``PORTAL_RATELIMIT_STORAGE_URL`` pointing at a Redis started for the test (Debian's
``redis-server`` on a unix socket); many requests arrive at the same moment, gunicorn's access
log shows that several workers answered them, and exactly the limit is let through.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from portal.errors import MESSAGES
from portal.tips import views as tip_views
from tests.conftest import make_app, skip_or_fail
from tests.gunicorn_server import (
    Browser,
    Gunicorn,
    RedisServer,
    multipart,
    server_database,
    write_figures,
)
from tests.tip_helpers import Page, translated

pytestmark = pytest.mark.load

WORKERS = 4
TIP_LIMIT = 10
TIP_POSTS = 40
LOGIN_LIMIT = 5
LOGIN_POSTS = 20
LANGS = ("vi", "km", "en")
TIMEOUT = 30.0
TITLE = re.compile(r"<h1>([^<]*)</h1>")


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    if RedisServer.executable() is None:
        skip_or_fail("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def portal(redis: RedisServer, tmp_path: Path) -> Iterator[Gunicorn]:
    with server_database(tmp_path) as url:
        server = Gunicorn(tmp_path / "server", workers=WORKERS, access_log=True, env={
            "PORTAL_DATABASE_URL": url,
            "PORTAL_RATELIMIT_STORAGE_URL": redis.url,
            "PORTAL_TIP_RATE_LIMIT": f"{TIP_LIMIT}/minute",
            "PORTAL_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT}/minute",
        })
        try:
            yield server.start()
        finally:
            server.stop()


@pytest.fixture
def words(tmp_path: Path) -> Flask:
    """An app only for reading messages in each language (the server's own are in another process)."""
    return make_app(f"sqlite:///{tmp_path / 'words.sqlite3'}", tmp_path)


def all_at_once(count: int, prepare: Any, send: Any) -> list[Any]:
    """``prepare(i)`` for every client first (sessions, tokens), then every ``send`` at one moment."""
    prepared = [prepare(i) for i in range(count)]
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def go(i: int) -> None:
        barrier.wait(timeout=TIMEOUT)
        try:
            results[i] = send(i, prepared[i])
        except Exception as exc:  # noqa: BLE001  (a broken request is reported, not raised in a thread)
            results[i] = (type(exc).__name__, str(exc))

    threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    return results


def workers_that_answered(server: Gunicorn, path_end: str) -> Counter[str]:
    """Worker PIDs from gunicorn's access log (format ``pid method path status``) for POSTs."""
    pids: Counter[str] = Counter()
    for line in server.access_file.read_text().splitlines():
        pid, method, path, _status = line.split()
        if method == "POST" and path.endswith(path_end):
            pids[pid] += 1
    return pids


def test_the_tip_limit_holds_in_total_across_workers(portal, words):
    def prepare(i: int) -> tuple[Browser, str, str]:
        browser = Browser(portal.port, timeout=TIMEOUT)
        lang = LANGS[i % 3]
        return browser, lang, browser.csrf_token(f"/{lang}/tips/new")

    def send(i: int, prepared: tuple[Browser, str, str]) -> tuple[int, str]:
        browser, lang, token = prepared
        body, content_type = multipart([
            ("csrf_token", token), ("submission_id", f"redis-limit-submission-{i:04d}"),
            ("province", "17"), ("what_seen", f"ផ្នូរ {i} — mộ liệt sĩ {i}"), ("action", "submit")])
        return browser.post(f"/{lang}/tips/new", body, content_type)

    results = all_at_once(TIP_POSTS, prepare, send)
    portal.stop()  # flushes the access log

    statuses = Counter(result[0] for result in results)
    write_figures("rate-limit-redis-tips", {"posts": TIP_POSTS, "limit": TIP_LIMIT,
                                            "answers": {str(k): v for k, v in statuses.items()},
                                            "workers_answering": len(workers_that_answered(portal, "/tips/new"))})
    assert statuses == {201: TIP_LIMIT, 429: TIP_POSTS - TIP_LIMIT}, results
    assert len(workers_that_answered(portal, "/tips/new")) >= 2, "the requests did not spread over workers"
    for i, (status, html) in enumerate(results):
        if status != 429:
            continue
        lang = LANGS[i % 3]
        page = Page(html)
        assert f'<html lang="{lang}">' in html
        assert page.by_id("form-notice").text.strip() == translated(words, lang, tip_views.RATE_LIMITED)
        assert page.field_value("what_seen") == f"ផ្នូរ {i} — mộ liệt sĩ {i}"
        assert page.field_value("province") == "17"


def test_the_sign_in_limit_holds_in_total_across_workers(portal, words):
    def prepare(i: int) -> tuple[Browser, str, str]:
        browser = Browser(portal.port, timeout=TIMEOUT)
        lang = LANGS[i % 3]
        return browser, lang, browser.csrf_token(f"/{lang}/staff/login")

    def send(i: int, prepared: tuple[Browser, str, str]) -> tuple[int, str]:
        browser, lang, token = prepared
        body, content_type = multipart([("csrf_token", token), ("username", f"nobody{i}"),
                                        ("password", "a wrong password, guessed")])
        return browser.post(f"/{lang}/staff/login", body, content_type)

    results = all_at_once(LOGIN_POSTS, prepare, send)
    portal.stop()

    statuses = Counter(result[0] for result in results)
    write_figures("rate-limit-redis-sign-in", {"posts": LOGIN_POSTS, "limit": LOGIN_LIMIT,
                                               "answers": {str(k): v for k, v in statuses.items()}})
    # The ones let through are answered "sign-in failed" (200); the rest are refused.
    assert statuses == {200: LOGIN_LIMIT, 429: LOGIN_POSTS - LOGIN_LIMIT}, results
    assert len(workers_that_answered(portal, "/staff/login")) >= 2, "the requests did not spread over workers"
    for i, (status, html) in enumerate(results):
        lang = LANGS[i % 3]
        assert f'<html lang="{lang}">' in html
        if status == 200:
            assert 'id="sign-in-error"' in html
        else:
            title, message = MESSAGES[429]
            assert TITLE.search(html).group(1) == translated(words, lang, title)
            assert translated(words, lang, message) in Page(html).text
