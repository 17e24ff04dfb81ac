"""Where a request's time goes: the tip POST or the queue, run in-process under a profiler.

    python -m bench.profile tip   [--requests 2000] [--profiler cprofile|pyinstrument|none]
    python -m bench.profile queue [--tips 100000] [--requests 300]

The portal is built as ``bench/run`` starts it (production settings, CSRF and rate limits on, a
file SQLite database migrated by ``portal.migrate.upgrade``, ``--database-url`` for PostgreSQL) and
called as a WSGI app in a loop, with the body ``bench/wrk/post_tip.lua`` sends (built by
:func:`tip_body`, field for field). ``none`` prints the CPU time per request only; ``cprofile``
prints the top functions by cumulative and own time; ``pyinstrument`` (``pip install pyinstrument``
into the virtualenv: not a dependency of the portal) prints its call tree.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BOUNDARY = "----portal-bench-7d1c6f0a"
LANGUAGE = "vi"


def tip_fields(csrf: str, submission_id: str, tag: str) -> list[tuple[str, str, str | None]]:
    """The 28 parts of ``bench/wrk/post_tip.lua``'s body: (name, value, filename)."""
    return [
        ("csrf_token", csrf, None), ("submission_id", submission_id, None), ("location_source", "typed", None),
        ("website", "", None), ("province", "12", None), ("district", "", None), ("commune", "", None),
        ("village", "", None),
        ("place_description", f"[Bench] Behind the old pagoda, near two tamarind trees by the pond. (run {tag})",
         None),
        ("local_name", "", None), ("coordinates", "", None), ("uncertainty", "", None),
        ("what_seen", "[Bench] My father showed me where soldiers were buried after the fighting.", None),
        ("how_known", "told", None), ("period", "1979", None), ("estimated_graves", "3", None),
        ("fallen_names", "", None), ("fallen_unit", "", None), ("fallen_hometown", "", None),
        ("photos", "", ""), ("anonymous", "y", None), ("contact_name", "", None), ("contact_phone", "", None),
        ("contact_email", "", None), ("contact_messaging", "", None), ("contact_language", "", None),
        ("on_behalf_relationship", "", None), ("action", "submit", None),
    ]


def tip_body(csrf: str, submission_id: str, tag: str) -> bytes:
    parts = []
    for name, value, filename in tip_fields(csrf, submission_id, tag):
        if filename is None:
            parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
        else:
            parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         "Content-Type: application/octet-stream\r\n\r\n\r\n")
    parts.append(f"--{BOUNDARY}--\r\n")
    return "".join(parts).encode("utf-8")


def environ(method: str, path: str, *, cookie: str = "", body: bytes = b"", content_type: str = "",
            query: str = "", gzip: bool = True) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    if content_type:
        env["CONTENT_TYPE"] = content_type
    if gzip:  # as wrk sends it (bench/run): the answer is compressed
        env["HTTP_ACCEPT_ENCODING"] = "gzip"
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def call(app: Callable[..., Any], env: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> Callable[..., Any]:
        answer["status"], answer["headers"] = status, headers
        return lambda _data: None

    chunks = app(env, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], body


def build_portal(database_url: str | None, workdir: Path, tips: int) -> tuple[Any, str]:
    """The portal as bench/run starts it (production mode, limits raised), on a fresh database."""
    from bench import dataset as data
    from bench.run import _reset_schema, _schema_url
    from portal.db import make_engine

    if database_url:
        url = _schema_url(database_url, "bench_profile")
        _reset_schema(database_url, "bench_profile", create=True)
    else:
        url = f"sqlite:///{workdir / 'profile.sqlite3'}"
    engine = make_engine(url)
    data.build(engine, tips=tips)
    engine.dispose()
    os.environ.update({
        "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_RECEIPT_KEY": secrets.token_urlsafe(48), "PORTAL_TOTP_KEY": secrets.token_urlsafe(48),
        "PORTAL_DATABASE_URL": url, "PORTAL_TIP_RATE_LIMIT": "1000000/hour",
        "PORTAL_RECEIPT_RATE_LIMIT": "1000000/hour", "PORTAL_LOGIN_RATE_LIMIT": "1000/minute",
    })
    from portal import create_app

    return create_app(), url


def cookies_of(headers: list[tuple[str, str]]) -> str:
    return "; ".join(value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie")


def tip_loop(app: Any) -> Callable[[int], None]:
    from bench.run import CSRF_INPUT

    path = f"/{LANGUAGE}/tips/new"
    status, headers, body = call(app, environ("GET", path, cookie=f"portal_lang={LANGUAGE}", gzip=False))
    match = CSRF_INPUT.search(body.decode())
    if not (status.startswith("200") and match):
        raise RuntimeError(f"the tip form answered {status}")
    cookie = f"portal_lang={LANGUAGE}; " + cookies_of(headers)
    csrf = match.group(1)
    tag = secrets.token_hex(4)
    counter = [0]

    def run(n: int) -> None:
        for _ in range(n):
            counter[0] += 1
            payload = tip_body(csrf, f"profile{tag}-{counter[0]:09d}", tag)
            status, _headers, _body = call(app, environ(
                "POST", path, cookie=cookie, body=payload, content_type=f"multipart/form-data; boundary={BOUNDARY}"))
            assert status.startswith("201"), status

    return run


def queue_loop(app: Any, url: str) -> Callable[[int], None]:
    import pyotp

    from bench.run import CSRF_INPUT, Dataset, create_moderator

    login = create_moderator(Dataset("profile", 0, url), os.environ["PORTAL_TOTP_KEY"])
    jar: dict[str, str] = {}

    def request(method: str, path: str, form: dict[str, str] | None = None) -> tuple[str, str]:
        from urllib.parse import urlencode

        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = urlencode(form).encode() if form else b""
        content_type = "application/x-www-form-urlencoded" if form else ""
        status, headers, page = call(app, environ(method, path, cookie=cookie, body=body, content_type=content_type,
                                                  gzip=False))
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                jar[key] = rest.split(";", 1)[0]
        return status, page.decode()

    def csrf(path: str) -> str:
        match = CSRF_INPUT.search(request("GET", path)[1])
        assert match
        return match.group(1)

    base = f"/{LANGUAGE}/staff/login"
    request("POST", base, {"username": login.username, "password": login.password, "csrf_token": csrf(base)})
    status, _ = request("POST", base + "/code", {"code": pyotp.TOTP(login.totp_secret).now(),
                                                 "csrf_token": csrf(base + "/code")})
    assert status.startswith("302"), status
    path = f"/{LANGUAGE}/staff/queue"
    request("GET", path)  # as bench/run does: the first page gives the browser its CSRF cookie
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())

    def run(n: int) -> None:
        for _ in range(n):
            status, headers, body = call(app, environ("GET", path, cookie=cookie))
            if ("Content-Encoding", "gzip") in headers:
                body = gzip.decompress(body)
            if not (status.startswith("200") and body.count(b"/staff/tips/") >= 50):
                raise RuntimeError(f"the queue answered {status} without a full page")

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("tip", "queue"))
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--tips", type=int, default=1_000, help="tips in the database (queue: 100000)")
    parser.add_argument("--profiler", choices=("none", "cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument("--database-url", help="PostgreSQL URL: a schema bench_profile is made there and dropped")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    requests = args.requests or (2000 if args.what == "tip" else 300)
    with tempfile.TemporaryDirectory(prefix="portal-profile-") as tmp:
        try:
            app, url = build_portal(args.database_url, Path(tmp), args.tips)
            run = tip_loop(app) if args.what == "tip" else queue_loop(app, url)
            run(max(20, requests // 10))  # warm-up: caches, pools, compiled templates
            start_cpu, start = time.process_time(), time.perf_counter()
            if args.profiler == "cprofile":
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(run, requests)
                stats = pstats.Stats(profiler).strip_dirs()
                stats.sort_stats("cumulative").print_stats(args.top)
                stats.sort_stats("tottime").print_stats(args.top)
            elif args.profiler == "pyinstrument":
                from pyinstrument import Profiler

                with Profiler(interval=0.0002) as profiler:
                    run(requests)
                print(profiler.output_text(unicode=True, show_all=False, short_mode=False))
            else:
                run(requests)
            cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start
            print(f"{args.what}: {requests} requests, CPU {cpu / requests * 1e6:,.0f} µs/request, "
                  f"wall {wall / requests * 1e6:,.0f} µs/request ({args.profiler})")
        finally:
            if args.database_url:
                from bench.run import _reset_schema

                _reset_schema(args.database_url, "bench_profile", create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
