"""The benchmark, in one command: ``python -m bench.run`` (or ``bench/run``).

It builds two throw-away databases (200 monuments with 100,000 tips, and with 1,000 tips), starts
the portal under gunicorn on 127.0.0.1 with rate limits raised, starts the control (a hello-world
Flask app, ``bench/control.py``) under identical gunicorn settings, drives them one at a time with
``wrk`` (every run bounded by ``-d`` and ``timeout``), stops every server by its PID and prints each
figure as a ratio to the control measured in the same run, with its target beside it.

``--database-url postgresql+psycopg://…`` runs the same on PostgreSQL: the two data sets go into
schemas ``bench_100k`` and ``bench_1k`` of that database, dropped again at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
POST_SCRIPT = ROOT / "bench" / "wrk" / "post_tip.lua"
HOST = "127.0.0.1"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LANGUAGE = "vi"
BIG, SMALL = 100_000, 1_000
PAGE = 500  # the deep queue page
PAGE_SIZE = 50  # portal.services.queue.PAGE_SIZE

# Targets (issue 9).
PUBLIC_TARGET = 0.5  # of the control's requests/s
POST_TARGET = 0.25
DEEP_PAGE_TARGET = 1.5  # page 500 at 100k tips ÷ the same at 1k, median latency
ERROR_TARGET = 0


# ---------------------------------------------------------------------------------------------
# wrk


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    socket_errors: int = 0
    bad_status: int = 0
    cpu_us: float = 0.0  # the server's CPU time (all its processes) per request
    output: str = ""

    @property
    def errors(self) -> int:
        return self.socket_errors + self.bad_status


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    result = WrkResult(output=output)
    if match := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output):
        result.requests = int(match.group(1))
        result.seconds = _ms(match.group(2) + match.group(3)) / 1000
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(match.group(1))
    if match := re.search(r"^\s+50%\s+([\d.]+\w+)", output, re.M):
        result.p50_ms = _ms(match.group(1))
    if match := re.search(r"^\s+99%\s+([\d.]+\w+)", output, re.M):
        result.p99_ms = _ms(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        result.socket_errors = sum(int(n) for n in match.groups())
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.bad_status = int(match.group(1))
    return result


@dataclass
class Load:
    threads: int
    connections: int
    seconds: int
    warmup: int


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (a gunicorn master and its workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += [child for child, parent in parents.items() if parent == current]
    return tree


def cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        with suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, load: Load, *, headers: dict[str, str] | None = None, script: Path | None = None,
            script_args: tuple[str, ...] = (), seconds: int | None = None, server: Server | None = None) -> WrkResult:
    seconds = load.seconds if seconds is None else seconds
    command = ["timeout", "--kill-after=5", str(seconds + 30), "wrk", f"-t{load.threads}",
               f"-c{load.connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    pids = process_tree(server.process.pid) if server is not None and server.process is not None else []
    cpu_before = cpu_seconds(pids)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu_used = cpu_seconds(pids) - cpu_before
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}) on {url}: {done.stderr.strip() or done.stdout.strip()}")
    result = parse_wrk(done.stdout)
    if pids and result.requests:
        result.cpu_us = cpu_used / result.requests * 1e6
    return result


class BenchError(RuntimeError):
    pass


# ---------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Gunicorn:
    workers: int
    threads: int

    def command(self, app: str, port: int, pidfile: Path, logfile: Path) -> list[str]:
        return [str(Path(sys.executable).with_name("gunicorn")), "--worker-class", "gthread",
                "--workers", str(self.workers), "--threads", str(self.threads),
                "--bind", f"{HOST}:{port}", "--pid", str(pidfile), "--error-logfile", str(logfile),
                "--graceful-timeout", "5", "--timeout", "60", "--no-control-socket", app]

    def describe(self) -> str:
        return f"gunicorn gthread, {self.workers} workers × {self.threads} threads"


class Server:
    """One gunicorn master, started and stopped by its PID."""

    def __init__(self, name: str, app: str, gunicorn: Gunicorn, workdir: Path, env: dict[str, str],
                 ready_path: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.pidfile = workdir / f"{name}.pid"
        self.logfile = workdir / f"{name}.log"
        self.command = gunicorn.command(app, self.port, self.pidfile, self.logfile)
        self.env = env
        self.ready_path = ready_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited at start; see {self.logfile}:\n{self._log_tail()}")
            with suppress(OSError):
                if fetch("GET", self.url + self.ready_path).status == 200:
                    return self
            time.sleep(0.2)
        raise BenchError(f"{self.name} did not answer within 60 s; see {self.logfile}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def _log_tail(self) -> str:
        with suppress(OSError):
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-20:])
        return ""


@contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server.start()
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# A tiny HTTP client with a cookie jar (to sign in and to fetch a form's CSRF token)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Browser:
    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> Reply:
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        reply = fetch(method, self.base + path, data=data, headers=headers)
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply


def fetch(method: str, url: str, *, data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> Reply:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=30)
    body = urlencode(data) if data is not None else None
    all_headers = dict(headers or {})
    if body is not None:
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=all_headers)
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def csrf_of(html: str) -> str:
    match = CSRF_INPUT.search(html)
    if not match:
        raise BenchError("no CSRF token in the page")
    return match.group(1)


# ---------------------------------------------------------------------------------------------
# Data sets, accounts and the portal's environment


@dataclass
class Dataset:
    name: str
    tips: int
    url: str
    schema: str | None = None


@dataclass
class StaffLogin:
    username: str
    password: str
    totp_secret: str


def _schema_url(url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def prepare_datasets(workdir: Path, database_url: str | None) -> list[Dataset]:
    if database_url:
        return [Dataset(f"{n // 1000}k", n, _schema_url(database_url, f"bench_{n // 1000}k"), f"bench_{n // 1000}k")
                for n in (BIG, SMALL)]
    return [Dataset(f"{n // 1000}k", n, f"sqlite:///{workdir / f'portal-{n // 1000}k.sqlite3'}") for n in (BIG, SMALL)]


def _reset_schema(database_url: str, schema: str, *, create: bool) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            if create:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    finally:
        engine.dispose()


def build_dataset(dataset: Dataset, database_url: str | None) -> dict[str, float]:
    from bench import dataset as data
    from portal.db import make_engine

    if dataset.schema and database_url:
        _reset_schema(database_url, dataset.schema, create=True)
    engine = make_engine(dataset.url)
    try:
        return data.build(engine, tips=dataset.tips)
    finally:
        engine.dispose()


def create_moderator(dataset: Dataset, totp_key: str) -> StaffLogin:
    """A ready moderator account (password and TOTP), created through the service; its TOTP secret
    is encrypted with ``totp_key``, the portal's ``PORTAL_TOTP_KEY`` in this run."""
    import pyotp
    from sqlalchemy import update

    from portal import create_app
    from portal.db import new_session
    from portal.models.staff import StaffUser
    from portal.services import staff_accounts

    app = create_app({"DATABASE_URL": dataset.url, "SECRET_KEY": secrets.token_urlsafe(48),
                      "RECEIPT_KEY": secrets.token_urlsafe(48), "TOTP_KEY": totp_key,
                      "PASSWORD_HASH_PARAMS": {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1}})
    login = StaffLogin("benchmoderator", secrets.token_urlsafe(18), pyotp.random_base32())
    with app.app_context():
        session = new_session()
        try:
            user, _codes = staff_accounts.create_enrolled_account(
                session, username=login.username, role="moderator", language=LANGUAGE, password=login.password,
                totp_secret=login.totp_secret, code=pyotp.TOTP(login.totp_secret).now(), actor_name="bench")
            # Let the same code sign in once more right away.
            session.execute(update(StaffUser).where(StaffUser.id == user.id).values(totp_last_step=None))
            session.commit()
        finally:
            session.close()
    app.extensions["portal.engine"].dispose()
    return login


def deep_cursor(dataset: Dataset, position: int) -> str:
    """The cursor the "next page" link carries to reach the page after row ``position`` (newest first)."""
    from sqlalchemy import select

    from portal.db import make_engine
    from portal.models.tip import Tip
    from portal.services.queue import encode_cursor

    engine = make_engine(dataset.url)
    try:
        with engine.connect() as conn:
            created_at, tip_id = conn.execute(
                select(Tip.created_at, Tip.id).order_by(Tip.created_at.desc(), Tip.id.desc())
                .offset(position - 1).limit(1)).one()
    finally:
        engine.dispose()
    return encode_cursor(created_at, tip_id)


def count_posted(dataset: Dataset, tag: str) -> int:
    """The tips stored by the wrk run tagged ``tag``: their place description ends with
    ``(run TAG)`` (bench/wrk/post_tip.lua). The submission ids the requests carry cannot be looked
    for: the portal stores them only as keyed hashes."""
    from sqlalchemy import func, select

    from portal.db import make_engine
    from portal.models.tip import Tip

    engine = make_engine(dataset.url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count(Tip.id)).where(
                Tip.place_description.like(f"%(run {tag})"))) or 0)
    finally:
        engine.dispose()


def count_posted_when_settled(dataset: Dataset, tag: str) -> int:
    """:func:`count_posted` once the requests still queued when wrk stopped have been answered."""
    count = count_posted(dataset, tag)
    for _ in range(40):
        time.sleep(0.25)
        again = count_posted(dataset, tag)
        if again == count:
            break
        count = again
    return count


def portal_env(dataset: Dataset, totp_key: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env.update({
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_RECEIPT_KEY": secrets.token_urlsafe(48),
        "PORTAL_TOTP_KEY": totp_key,  # production requires one; the moderator's secret is encrypted with it
        "PORTAL_DATABASE_URL": dataset.url,
        # One client sends everything here: raise the per-address limits out of the way.
        "PORTAL_TIP_RATE_LIMIT": "1000000/hour",
        "PORTAL_RECEIPT_RATE_LIMIT": "1000000/hour",
        "PORTAL_LOGIN_RATE_LIMIT": "1000/minute",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


_signed_in: dict[tuple[str, str], Browser] = {}


def sign_in(base: str, login: StaffLogin) -> Browser:
    """A moderator's session on this server (signed in once: a TOTP code is never accepted twice)."""
    import pyotp

    if (base, login.username) in _signed_in:
        return _signed_in[base, login.username]
    browser = Browser(base)
    page = browser.request("GET", f"/{LANGUAGE}/staff/login")
    reply = browser.request("POST", f"/{LANGUAGE}/staff/login", {
        "username": login.username, "password": login.password, "csrf_token": csrf_of(page.body)})
    if reply.status != 302:
        raise BenchError(f"sign-in (password) answered {reply.status}")
    page = browser.request("GET", f"/{LANGUAGE}/staff/login/code")
    reply = browser.request("POST", f"/{LANGUAGE}/staff/login/code", {
        "code": pyotp.TOTP(login.totp_secret).now(), "csrf_token": csrf_of(page.body)})
    if reply.status != 302 or "/staff/login" in (reply.headers.get("Location") or ""):
        raise BenchError(f"sign-in (second factor) answered {reply.status}")
    _signed_in[base, login.username] = browser
    return browser


# ---------------------------------------------------------------------------------------------
# The runs


@dataclass
class Row:
    key: str
    label: str
    result: WrkResult
    target: float | None = None  # minimum ratio of the control's requests/s
    note: str = ""


PUBLIC_HEADERS = {"Accept-Encoding": "gzip", "Cookie": f"portal_lang={LANGUAGE}"}
NEW_VISITOR_HEADERS = {"Accept-Encoding": "gzip"}


def measure_portal(server: Server, dataset: Dataset, login: StaffLogin, load: Load, tag: str,
                   log: Any) -> list[Row]:
    rows: list[Row] = []
    base = server.url
    monument = "bench-monument-100"
    public = (("home", f"home /{LANGUAGE}/", f"/{LANGUAGE}/", PUBLIC_HEADERS),
              ("monuments", "monument list", f"/{LANGUAGE}/monuments/", PUBLIC_HEADERS),
              ("monument", "monument page", f"/{LANGUAGE}/monuments/{monument}", PUBLIC_HEADERS),
              ("home_new", "home, first visit (no cookie)", f"/{LANGUAGE}/", NEW_VISITOR_HEADERS))
    for key, label, path, headers in public:
        check = fetch("GET", base + path, headers=headers)
        if check.status != 200:
            raise BenchError(f"{path} answered {check.status}")
        run_wrk(base + path, load, headers=headers, seconds=load.warmup)
        log(f"  {label} …")
        rows.append(Row(key, label, run_wrk(base + path, load, headers=headers, server=server), PUBLIC_TARGET))

    # A tip POST: the form's session cookie and CSRF token, a fresh submission_id per request.
    visitor = Browser(base, {"portal_lang": LANGUAGE})
    form = visitor.request("GET", f"/{LANGUAGE}/tips/new")
    args = (visitor.cookie_header(), csrf_of(form.body), tag)
    path = f"/{LANGUAGE}/tips/new"
    run_wrk(base + path, load, script=POST_SCRIPT, script_args=(*args[:2], tag + "w"), seconds=load.warmup)
    log("  tip POST …")
    result = run_wrk(base + path, load, script=POST_SCRIPT, script_args=args, server=server)
    stored = count_posted_when_settled(dataset, tag)
    # A 2xx answer is a stored tip only if the rows say so: a form shown again with its errors is a
    # 200 too. Requests still in flight when wrk stopped (at most one per connection) are stored
    # without being counted as answers.
    acknowledged = result.requests - result.errors
    note = (f"{stored:,} tips stored for {acknowledged:,} 2xx answers (every POST a new submission_id; "
            f"{stored - acknowledged:,} more were still in flight when wrk stopped, at most {load.connections})")
    if stored < acknowledged:
        note += " — TIPS MISSING"
        result.bad_status += acknowledged - stored
    rows.append(Row("tip_post", "tip POST (CSRF, multipart)", result, POST_TARGET, note))

    staff = sign_in(base, login)
    staff_headers = {"Accept-Encoding": "gzip", "Cookie": staff.cookie_header()}
    path = f"/{LANGUAGE}/staff/queue"
    _check_queue(staff, path)
    run_wrk(base + path, load, headers=staff_headers, seconds=load.warmup)
    log("  queue page 1 …")
    rows.append(Row("queue_1", "queue page 1", run_wrk(base + path, load, headers=staff_headers, server=server)))
    return rows


def _check_queue(staff: Browser, path: str) -> None:
    check = staff.request("GET", path)
    if check.status != 200 or check.body.count(f"/{LANGUAGE}/staff/tips/") < PAGE_SIZE:
        raise BenchError(f"{path} answered {check.status} without a full page of tips")


def _combined(results: list[WrkResult]) -> WrkResult:
    return WrkResult(
        requests=sum(r.requests for r in results), seconds=sum(r.seconds for r in results),
        rps=statistics.mean(r.rps for r in results), p50_ms=statistics.mean(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results), socket_errors=sum(r.socket_errors for r in results),
        bad_status=sum(r.bad_status for r in results), cpu_us=statistics.mean(r.cpu_us for r in results))


def measure_deep_pages(servers: tuple[Server, Server], datasets: tuple[Dataset, Dataset],
                       logins: tuple[StaffLogin, StaffLogin], load: Load, log: Any) -> list[Row]:
    """Page 500 at 100,000 tips against the same request at 1,000 tips, measured in turns (A B A B,
    half a run each) so that whatever else the machine does falls on both alike. A 1,000-tip queue
    has only 20 pages: there the same request is its deepest full page."""
    targets = []
    for server, dataset, login in zip(servers, datasets, logins, strict=True):
        staff = sign_in(server.url, login)
        page = min(PAGE, dataset.tips // PAGE_SIZE)
        path = f"/{LANGUAGE}/staff/queue?after={deep_cursor(dataset, (page - 1) * PAGE_SIZE)}"
        _check_queue(staff, path)
        headers = {"Accept-Encoding": "gzip", "Cookie": staff.cookie_header()}
        run_wrk(server.url + path, load, headers=headers, seconds=load.warmup)
        targets.append((server, dataset, page, path, headers))
    results: list[list[WrkResult]] = [[], []]
    half = max(1, load.seconds // 2)
    for _round in range(2):
        for index, (server, dataset, page, path, headers) in enumerate(targets):
            log(f"  queue page {page} at {dataset.tips:,} tips …")
            results[index].append(run_wrk(server.url + path, load, headers=headers, server=server, seconds=half))
    (_s, big, big_page, _p, _h), (_s2, small, small_page, _p2, _h2) = targets
    return [Row("queue_500", f"queue page {big_page}", _combined(results[0])),
            Row("queue_500_small", f"queue page {small_page} (last) at {small.tips:,} tips", _combined(results[1]))]


# ---------------------------------------------------------------------------------------------
# The report


def _fmt_rps(value: float) -> str:
    return f"{value:,.0f}"


def report(rows: list[Row], control: WrkResult, controls: list[WrkResult], meta: dict[str, Any]) -> tuple[str, bool]:
    lines: list[str] = []
    ok = True
    lines.append(f"Friendship Portal benchmark — {meta['database']}; {meta['server']}; "
                 f"wrk {meta['threads']} threads, {meta['connections']} connections, {meta['seconds']} s a run")
    lines.append(f"data: {BIG:,} tips, 200 monuments (and {SMALL:,} tips for the deep-page ratio); public pages "
                 f"with Accept-Encoding: gzip and the language cookie unless marked")
    lines.append(f"control (hello-world Flask, same gunicorn): {_fmt_rps(control.rps)} req/s "
                 f"(runs: {' / '.join(_fmt_rps(c.rps) for c in controls)}), p50 {control.p50_ms:.1f} ms, "
                 f"p99 {control.p99_ms:.1f} ms, server CPU {control.cpu_us:.0f} µs/request")
    lines.append("")
    header = (f"{'':34} {'req/s':>7} {'×ctl':>5} {'target':>7} {'p50 ms':>7} {'×ctl':>6} "
              f"{'p99 ms':>7} {'×ctl':>6} {'CPU µs':>7} {'×ctl':>6} {'errors':>6}  ")
    lines.append(header)
    lines.append("-" * len(header))

    def times(value: float, base: float) -> str:
        return f"{value / base:>6.2f}" if base else f"{'—':>6}"

    for row in rows:
        r = row.result
        ratio = r.rps / control.rps if control.rps else 0.0
        target = f"≥ {row.target:.2f}" if row.target is not None else "—"
        verdict = ""
        if row.target is not None:
            passed = ratio >= row.target
            ok &= passed
            verdict = "ok" if passed else "MISSED"
        if r.errors > ERROR_TARGET:
            ok = False
            verdict = (verdict + " ERRORS").strip()
        lines.append(
            f"{row.label:34} {_fmt_rps(r.rps):>7} {ratio:>5.2f} {target:>7} {r.p50_ms:>7.1f} "
            f"{times(r.p50_ms, control.p50_ms)} {r.p99_ms:>7.1f} {times(r.p99_ms, control.p99_ms)} "
            f"{r.cpu_us:>7.0f} {times(r.cpu_us, control.cpu_us)} {r.errors:>6}  {verdict}")
    by_key = {row.key: row for row in rows}
    big, small = by_key.get("queue_500"), by_key.get("queue_500_small")
    lines.append("")
    lines.append("×ctl: req/s as a share of the control's (higher is better); latency and CPU per request as a "
                 "multiple of the control's (lower is better)")
    if big and small and small.result.p50_ms:
        deep_ratio = big.result.p50_ms / small.result.p50_ms
        passed = deep_ratio <= DEEP_PAGE_TARGET
        ok &= passed
        lines.append(f"queue page {PAGE} at {BIG:,} tips ÷ deepest page at {SMALL:,} tips (p50): "
                     f"{big.result.p50_ms:.1f} ms ÷ {small.result.p50_ms:.1f} ms = {deep_ratio:.2f}  "
                     f"target ≤ {DEEP_PAGE_TARGET}  {'ok' if passed else 'MISSED'}  "
                     f"(CPU {big.result.cpu_us:.0f} vs {small.result.cpu_us:.0f} µs/request)")
    errors = sum(row.result.errors for row in rows) + sum(c.errors for c in controls)
    lines.append(f"errors at {meta['connections']} connections (failed or timed-out connections, answers other "
                 f"than 2xx/3xx): {errors}  target {ERROR_TARGET}  {'ok' if errors <= ERROR_TARGET else 'MISSED'}")
    for row in rows:
        if row.note:
            lines.append(f"{row.label}: {row.note}")
    lines.append("")
    lines.append("all targets met" if ok else "SOME TARGETS MISSED")
    return "\n".join(lines), ok


# ---------------------------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed: apt-get install -y wrk")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (SQLAlchemy form) instead of SQLite in a temp dir")
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="length of the warm-up before each run (default 2)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for the portal and the control")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (databases, logs)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    ensure_wrk()
    load = Load(args.wrk_threads, args.connections, args.seconds, args.warmup)
    gunicorn = Gunicorn(args.workers, args.threads)
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    tag = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
    database = "PostgreSQL" if args.database_url else "SQLite (synchronous=FULL, WAL)"
    started = time.monotonic()
    datasets = prepare_datasets(workdir, args.database_url)
    try:
        for dataset in datasets:
            timings = build_dataset(dataset, args.database_url)
            log(f"data set {dataset.name}: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        totp_key = secrets.token_urlsafe(48)
        logins = {dataset.name: create_moderator(dataset, totp_key) for dataset in datasets}
        big, small = datasets
        control_env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        control = Server("control", "bench.control:app", gunicorn, workdir, control_env, "/")
        controls: list[WrkResult] = []
        rows: list[Row] = []
        with running(control):
            run_wrk(control.url + "/", load, seconds=load.warmup)
            log("control …")
            controls.append(run_wrk(control.url + "/", load, server=control))
            portal = Server("portal-100k", "portal.wsgi:app", gunicorn, workdir, portal_env(big, totp_key), "/healthz")
            portal_small = Server("portal-1k", "portal.wsgi:app", gunicorn, workdir, portal_env(small, totp_key),
                                  "/healthz")
            with running(portal), running(portal_small):  # the idle one waits in epoll: no CPU
                rows += measure_portal(portal, big, logins[big.name], load, tag, log)
                rows += measure_deep_pages((portal, portal_small), (big, small),
                                           (logins[big.name], logins[small.name]), load, log)
            log("control again …")
            controls.append(run_wrk(control.url + "/", load, server=control))
    finally:
        if args.database_url:
            for dataset in datasets:
                if dataset.schema:
                    with suppress(Exception):
                        _reset_schema(args.database_url, dataset.schema, create=False)
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    mean = WrkResult(rps=statistics.mean(c.rps for c in controls), p50_ms=statistics.mean(c.p50_ms for c in controls),
                     p99_ms=statistics.mean(c.p99_ms for c in controls),
                     cpu_us=statistics.mean(c.cpu_us for c in controls))
    meta = {"database": database, "server": gunicorn.describe(), "threads": load.threads,
            "connections": load.connections, "seconds": load.seconds}
    text, ok = report(rows, mean, controls, meta)
    print(text)
    print(f"(took {time.monotonic() - started:.0f} s)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "postgresql" if args.database_url else "sqlite"
    out = RESULTS / f"bench-{kind}-{stamp}.json"
    out.write_text(json.dumps({
        "meta": meta, "control_runs": [_plain(c) for c in controls],
        "rows": [{**asdict(row), "result": _plain(row.result)} for row in rows], "ok": ok, "table": text,
    }, indent=2, ensure_ascii=False))
    print(f"results: {out.relative_to(ROOT)}")
    return 0 if ok else 1


def _plain(result: WrkResult) -> dict[str, Any]:
    data = asdict(result)
    data.pop("output", None)
    data["errors"] = result.errors
    return data


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
