"""gunicorn as the portal ships it (``portal/gunicorn_conf.py``, ``scripts/run-site``): rate limits
counted once, no ``SCRIPT_NAME`` from request headers, and a forwarded ``SCRIPT_NAME`` never
poisons the page cache (issue #13, items 7 and 16).

The servers started here have one worker each and answer a handful of requests: a few seconds.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config

from portal import PROJECT_ROOT, gunicorn_conf
from portal.config import ConfigError, build_config
from tests.gunicorn_server import (
    RECEIPT_KEY,
    SECRET_KEY,
    Browser,
    Gunicorn,
    free_port,
    multipart,
    request,
    server_database,
)

SHIPPED_CONFIG = "python:portal.gunicorn_conf"
POISON_PATH = "//evil.example/vi/news/"
POISON_HEADERS = {"SCRIPT_NAME": "//evil.example"}
PRODUCTION = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 40, "PORTAL_RECEIPT_KEY": "r" * 40,
              "PORTAL_TOTP_KEY": "t" * 40}


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """``serve(extra_args=…, env=…)`` starts a one-worker gunicorn; all are stopped afterwards."""
    servers: list[Gunicorn] = []
    with server_database(tmp_path) as url:
        def start(extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None, workers: int = 1) -> Gunicorn:
            server = Gunicorn(tmp_path / f"server-{len(servers)}", workers=workers, worker_class="gthread",
                              extra_args=extra_args, env={"PORTAL_DATABASE_URL": url, **(env or {})})
            servers.append(server)
            return server.start()
        try:
            yield start
        finally:
            for server in servers:
                server.stop()


# --- Item 7: SCRIPT_NAME from a trusted forwarder -------------------------------------------


def test_a_forwarded_script_name_never_reaches_other_visitors_through_the_page_cache(serve):
    """gunicorn's defaults: SCRIPT_NAME is taken from a header sent from 127.0.0.1."""
    server = serve()
    status, _headers, poisoned = request("GET", server.port, POISON_PATH, headers=POISON_HEADERS)
    assert status == 200
    assert b'href="//evil.example/' in poisoned  # the attacker's own copy points off-site
    for _ in range(3):
        status, _headers, body = request("GET", server.port, "/vi/news/")
        assert status == 200
        assert b"evil.example" not in body


def test_the_shipped_config_takes_no_script_name_from_headers(serve):
    server = serve(extra_args=("-c", SHIPPED_CONFIG))
    _status, _headers, body = request("GET", server.port, POISON_PATH, headers=POISON_HEADERS)
    assert b'href="//evil.example/' not in body
    status, _headers, body = request("GET", server.port, "/vi/news/", headers={"SCRIPT_NAME": "/vi"})
    assert status == 200  # the header was dropped: the path is still /vi/news/
    assert b'href="/vi/vi/' not in body


# --- Item 16: rate limits count once ----------------------------------------------------------


def _server(workers: int) -> SimpleNamespace:
    return SimpleNamespace(cfg=SimpleNamespace(workers=workers), pidfile=None, num_workers=workers,
                           log=SimpleNamespace(error=lambda *args: None))


def test_the_gunicorn_hook_refuses_several_workers_with_memory_storage(monkeypatch):
    monkeypatch.delenv("PORTAL_RATELIMIT_STORAGE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PORTAL_RATELIMIT_STORAGE_URL is 'memory://' with 3 worker"):
        gunicorn_conf.on_starting(_server(3))


def test_the_gunicorn_hook_accepts_one_worker_or_a_shared_store(monkeypatch):
    monkeypatch.delenv("PORTAL_RATELIMIT_STORAGE_URL", raising=False)
    monkeypatch.setenv("PORTAL_SERVER_WORKERS", "")  # restored afterwards: the hook sets it
    gunicorn_conf.on_starting(_server(1))
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/0")
    gunicorn_conf.on_starting(_server(4))
    assert gunicorn_conf.os.environ["PORTAL_SERVER_WORKERS"] == "4"  # handed to the app's configuration


def test_more_workers_asked_for_at_run_time_are_refused_with_memory_storage(monkeypatch):
    monkeypatch.delenv("PORTAL_RATELIMIT_STORAGE_URL", raising=False)
    server = _server(1)
    gunicorn_conf.nworkers_changed(server, 2, 1)  # kill -TTIN
    assert server.num_workers == 1


def test_gunicorn_with_the_shipped_config_refuses_to_start_two_workers_with_memory_storage(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PORTAL_SECRET_KEY": SECRET_KEY, "PORTAL_RECEIPT_KEY": RECEIPT_KEY,
           "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", SHIPPED_CONFIG, "--workers", "2",
         "--bind", f"127.0.0.1:{free_port()}", "--pid", str(tmp_path / "gunicorn.pid"), "portal.wsgi:app"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "refuses to start" in result.stderr
    assert "PORTAL_RATELIMIT_STORAGE_URL" in result.stderr
    assert not (tmp_path / "gunicorn.pid").exists()


@pytest.mark.parametrize("workers", [{"PORTAL_SERVER_WORKERS": "4"}, {"WEB_CONCURRENCY": "3"}])
def test_production_refuses_memory_rate_limits_with_several_workers(workers, tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_RATELIMIT_STORAGE_URL is 'memory://'"):
        build_config(str(tmp_path), environ={**PRODUCTION, **workers})


@pytest.mark.parametrize("environ", [
    {"PORTAL_SERVER_WORKERS": "1"},
    {"PORTAL_SERVER_WORKERS": "1", "WEB_CONCURRENCY": "4"},  # the exact count wins over gunicorn's default
    {"PORTAL_SERVER_WORKERS": "4", "PORTAL_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0"},
    {},  # not known: the gunicorn hook is what checks (README, Production)
])
def test_production_accepts_one_worker_or_a_shared_store(environ, tmp_path):
    build_config(str(tmp_path), environ={**PRODUCTION, **environ})


def run_site_gunicorn_args() -> list[str]:
    """gunicorn's arguments in ``scripts/run-site`` (the line starting ``exec .venv/bin/gunicorn``)."""
    script = (Path(PROJECT_ROOT) / "scripts" / "run-site").read_text()
    match = re.search(r"^exec \.venv/bin/gunicorn (.*?[^\\])$", script, re.MULTILINE | re.DOTALL)
    assert match, "scripts/run-site no longer execs .venv/bin/gunicorn"
    return shlex.split(match.group(1).replace("\\\n", " "))


def test_run_site_runs_one_worker_process_under_the_shipped_config():
    args = run_site_gunicorn_args()
    parsed = Config().parser().parse_args(args)
    assert int(parsed.workers) == 1
    assert parsed.config == SHIPPED_CONFIG
    assert parsed.forwarded_allow_ips == "127.0.0.1,::1"
    assert parsed.forwarder_headers == ""


def test_run_site_counts_the_sign_in_limit_once(serve):
    args = run_site_gunicorn_args()
    bind = args.index("--bind")
    del args[bind:bind + 2]
    assert args[-1] == "portal.wsgi:app"
    server = serve(extra_args=tuple(args[:-1]), env={"PORTAL_LOGIN_RATE_LIMIT": "10/minute"},
                   workers=int(Config().parser().parse_args(args).workers))
    statuses = []
    for i in range(11):
        browser = Browser(server.port)
        body, content_type = multipart([("csrf_token", browser.csrf_token("/en/staff/login")),
                                        ("username", f"nobody{i}"), ("password", "a wrong password")])
        statuses.append(browser.post("/en/staff/login", body, content_type)[0])
    assert statuses == [200] * 10 + [429]
