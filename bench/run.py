"""The benchmark, in one command: ``python -m bench.run`` (or ``bench/run``).

It builds two throw-away databases (200 monuments with 100,000 tips, and with 1,000 tips), starts
the portal under gunicorn on 127.0.0.1 with rate limits raised, starts four controls under identical
gunicorn settings — a hello-world Flask app (``bench/control.py``), the least a tip POST must do
(``bench/durable_control.py``: parse the same multipart body, one durable insert), the same done
with the portal's libraries (``bench/stack_control.py``, reported beside the tip POST without a
target) and the least the queue must do (``bench/queue_control.py``: the same keyset query, the
same rows in a bare template) — drives them one at a time with ``wrk`` (every run bounded by
``-d`` and ``timeout``), stops every server by its PID and prints each figure as a ratio to its
control measured in the same run, with its target beside it. The exit status is 0 only when every
target is met and every acknowledged tip (the portal's and both tip controls') is stored.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn
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

# Targets (issues 9 and 20).
PUBLIC_TARGET = 0.5  # of the hello-world control's requests/s
POST_RPS_TARGET = 0.5  # tip POST: of the durable-write control's requests/s …
POST_CPU_TARGET = 2.0  # … and at most this multiple of its CPU per request
QUEUE_CPU_TARGET = 3.0  # queue page 1 at 100k tips: at most this multiple of the queue control's CPU
QUEUE_GROWTH_TARGET = 1.5  # queue page 1 CPU at 100k tips ÷ at 1k tips
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


def verdict_line(ok: bool) -> str:
    """A benchmark's last line."""
    return "all targets met" if ok else "SOME TARGETS MISSED"


def script(main: Callable[[], int], name: str) -> NoReturn:
    """Run a benchmark as a command: exit 0 when every target is met, 1 when one is missed, 2 when
    it could not measure (``BenchError``, said in one line, no traceback)."""
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        sys.exit(2)


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
        self.workers = gunicorn.workers
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
                    self._settle(deadline)
                    return self
            time.sleep(0.2)
        raise BenchError(f"{self.name} did not answer within 60 s; see {self.logfile}")

    def _settle(self, deadline: float) -> None:
        """Wait until every worker has booted and gone idle. One worker answering the ready check
        does not mean the others have finished importing the app: a worker still booting while a
        page is measured adds its start-up CPU (and its first renders) to that page's figures."""
        assert self.process is not None
        wanted = self.workers + 1
        previous = -1.0
        while time.monotonic() < deadline:
            pids = process_tree(self.process.pid)
            used = cpu_seconds(pids)
            if len(pids) >= wanted and previous >= 0 and used - previous < 0.02:
                return
            previous = used
            time.sleep(0.5)

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


CONTROL_SCHEMA = "bench_control"


def durable_control_target(workdir: Path, database_url: str | None) -> str:
    """Where the durable-write control stores its rows: a SQLite file beside the portal's, or a
    schema of the PostgreSQL database (as a libpq URL: the control talks to psycopg directly)."""
    if not database_url:
        return str(workdir / "durable-control.sqlite3")
    from sqlalchemy.engine import make_url

    _reset_schema(database_url, CONTROL_SCHEMA, create=True)
    url = make_url(_schema_url(database_url, CONTROL_SCHEMA)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


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


def count_posted_when_settled(count: Any) -> int:
    """``count()`` (the rows a POST run stored) once the requests still queued when wrk stopped
    have been answered."""
    stored = count()
    for _ in range(40):
        time.sleep(0.25)
        again = count()
        if again == stored:
            break
        stored = again
    return int(stored)


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
    target: float | None = None  # minimum ratio of its control's requests/s
    note: str = ""
    control: str = "hello"  # hello, durable or queue: the control this row is compared with
    cpu_target: float | None = None  # maximum multiple of its control's CPU per request


PUBLIC_HEADERS = {"Accept-Encoding": "gzip", "Cookie": f"portal_lang={LANGUAGE}"}
NEW_VISITOR_HEADERS = {"Accept-Encoding": "gzip"}


def measure_public(server: Server, control: Server, load: Load, log: Any) -> tuple[list[Row], list[WrkResult]]:
    """The four public pages and the hello-world control in turns (control, A, B, C, D, twice, half a
    run each), so that a burst of load from elsewhere on the machine falls on the pages and on their
    yardstick alike instead of on whichever page happened to be measured then. Returns the pages'
    rows and the control's runs."""
    base = server.url
    monument = "bench-monument-100"
    public = (("home", f"home /{LANGUAGE}/", f"/{LANGUAGE}/", PUBLIC_HEADERS),
              ("monuments", "monument list", f"/{LANGUAGE}/monuments/", PUBLIC_HEADERS),
              ("monument", "monument page", f"/{LANGUAGE}/monuments/{monument}", PUBLIC_HEADERS),
              ("home_new", "home, first visit (no cookie)", f"/{LANGUAGE}/", NEW_VISITOR_HEADERS))
    for _key, _label, path, headers in public:
        # Every page is fetched (and so stored by each worker's page cache) before any is measured,
        # so that the first page measured does not pay for the workers' first renders.
        check = fetch("GET", base + path, headers=headers)
        if check.status != 200:
            raise BenchError(f"{path} answered {check.status}")
        run_wrk(base + path, load, headers=headers, seconds=load.warmup)
    run_wrk(control.url + "/", load, seconds=load.warmup)
    half = max(1, load.seconds // 2)
    results: dict[str, list[WrkResult]] = {key: [] for key, *_rest in public}
    controls: list[WrkResult] = []
    for _round in range(2):
        log("  hello-world control …")
        controls.append(run_wrk(control.url + "/", load, server=control, seconds=half))
        for key, label, path, headers in public:
            log(f"  {label} …")
            results[key].append(run_wrk(base + path, load, headers=headers, server=server, seconds=half))
    rows = [Row(key, label, _combined(results[key]), PUBLIC_TARGET) for key, label, *_rest in public]
    return rows, controls


def measure_tip_post(server: Server, dataset: Dataset, load: Load, tag: str, log: Any) -> Row:
    """A tip POST: the form's session cookie and CSRF token, a fresh submission_id per request."""
    base = server.url
    visitor = Browser(base, {"portal_lang": LANGUAGE})
    form = visitor.request("GET", f"/{LANGUAGE}/tips/new")
    args = (visitor.cookie_header(), csrf_of(form.body), tag)
    path = f"/{LANGUAGE}/tips/new"
    run_wrk(base + path, load, script=POST_SCRIPT, script_args=(*args[:2], tag + "w"), seconds=load.warmup)
    log("  tip POST …")
    result = run_wrk(base + path, load, script=POST_SCRIPT, script_args=args, server=server)
    note = check_stored(result, count_posted_when_settled(lambda: count_posted(dataset, tag)), load)
    return Row("tip_post", "tip POST (CSRF, multipart)", result, POST_RPS_TARGET, note, control="durable",
               cpu_target=POST_CPU_TARGET)


def measure_queue_1(server: Server, login: StaffLogin, load: Load, log: Any) -> Row:
    base = server.url
    staff = sign_in(base, login)
    path = f"/{LANGUAGE}/staff/queue"
    _check_queue(staff, path)
    staff_headers = {"Accept-Encoding": "gzip", "Cookie": staff.cookie_header()}
    run_wrk(base + path, load, headers=staff_headers, seconds=load.warmup)
    log("  queue page 1 …")
    return Row("queue_1", "queue page 1", run_wrk(base + path, load, headers=staff_headers, server=server),
               control="queue", cpu_target=QUEUE_CPU_TARGET)


def check_stored(result: WrkResult, stored: int, load: Load) -> str:
    """Compare the rows a POST run stored with its 2xx answers; a missing one counts as an error.

    A 2xx answer is a stored tip only if the rows say so: a form shown again with its errors is a
    200 too. Requests still in flight when wrk stopped (at most one per connection) are stored
    without being counted as answers."""
    acknowledged = result.requests - result.errors
    note = (f"{stored:,} stored for {acknowledged:,} 2xx answers (every POST a new submission_id; "
            f"{stored - acknowledged:,} more were still in flight when wrk stopped, at most {load.connections})")
    if stored < acknowledged:
        note += " — TIPS MISSING"
        result.bad_status += acknowledged - stored
    return note


def measure_durable_control(server: Server, target: str, load: Load, tag: str, log: Any) -> Row:
    """The durable-write control, sent the same POST body as the portal (its own run tag)."""
    from bench import durable_control

    url = server.url + "/tip"
    run_wrk(url, load, script=POST_SCRIPT, script_args=("-", "-", tag + "w"), seconds=load.warmup)
    log("  durable-write control …")
    result = run_wrk(url, load, script=POST_SCRIPT, script_args=("-", "-", tag), server=server)
    note = check_stored(result, count_posted_when_settled(lambda: durable_control.count_tagged(target, tag)), load)
    return Row("durable", "durable-write control (parse + 1 commit)", result, note=note, control="durable")


def measure_stack_control(server: Server, target: str, load: Load, tag: str, log: Any) -> Row:
    """The stack control (``bench/stack_control.py``): the same POST with its own session cookie and
    CSRF token, as the portal's tip POST gets them from the form."""
    from bench import durable_control

    visitor = Browser(server.url, {})
    page = visitor.request("GET", "/")
    args = (visitor.cookie_header(), csrf_of(page.body))
    url = server.url + "/tip"
    run_wrk(url, load, script=POST_SCRIPT, script_args=(*args, tag + "w"), seconds=load.warmup)
    log("  stack control …")
    result = run_wrk(url, load, script=POST_SCRIPT, script_args=(*args, tag), server=server)
    note = check_stored(result, count_posted_when_settled(lambda: durable_control.count_tagged(target, tag)), load)
    return Row("stack", "stack control (+ Flask-WTF, limit, SQLAlchemy)", result, note=note, control="durable")


def measure_queue_control(server: Server, load: Load, log: Any) -> Row:
    check = fetch("GET", server.url + "/queue")
    if check.status != 200 or check.body.count(f"/{LANGUAGE}/staff/tips/") < PAGE_SIZE:
        raise BenchError(f"the queue control answered {check.status} without a full page of tips")
    headers = {"Accept-Encoding": "gzip"}
    run_wrk(server.url + "/queue", load, headers=headers, seconds=load.warmup)
    log("  queue control …")
    return Row("queue_control", "queue control (same query, bare page)",
               run_wrk(server.url + "/queue", load, headers=headers, server=server), control="queue")


def measure_small_queue(server: Server, login: StaffLogin, load: Load, log: Any) -> Row:
    """Page 1 of the 1,000-tip portal: the queue's CPU must not grow with the tips behind it."""
    staff = sign_in(server.url, login)
    path = f"/{LANGUAGE}/staff/queue"
    _check_queue(staff, path)
    headers = {"Accept-Encoding": "gzip", "Cookie": staff.cookie_header()}
    run_wrk(server.url + path, load, headers=headers, seconds=load.warmup)
    log(f"  queue page 1 at {SMALL:,} tips …")
    return Row("queue_1_small", f"queue page 1 at {SMALL:,} tips",
               run_wrk(server.url + path, load, headers=headers, server=server), control="queue")


def _check_queue(staff: Browser, path: str) -> None:
    """The first queue page, which also gives the browser its CSRF cookie: the headers wrk sends are
    taken after it, as a browser's next request would be (before, every request made a new token
    and a new cookie, which no browser asks for twice)."""
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


CONTROL_NAMES = {"hello": "hello-world", "durable": "durable-write control", "queue": "queue control"}


def report(rows: list[Row], controls: dict[str, WrkResult], hello_runs: list[WrkResult],
           meta: dict[str, Any]) -> tuple[str, bool]:
    """The table: every figure beside its target, each ratio to the control named in its row."""
    lines: list[str] = []
    ok = True
    hello = controls["hello"]
    lines.append(f"Friendship Portal benchmark — {meta['database']}; {meta['server']}; "
                 f"wrk {meta['threads']} threads, {meta['connections']} connections, {meta['seconds']} s a run")
    lines.append(f"data: {BIG:,} tips, 200 monuments (and {SMALL:,} tips for the growth ratios); public pages "
                 f"with Accept-Encoding: gzip and the language cookie unless marked")
    lines.append(f"hello-world control (Flask, same gunicorn): {_fmt_rps(hello.rps)} req/s "
                 f"(runs: {' / '.join(_fmt_rps(c.rps) for c in hello_runs)}), p50 {hello.p50_ms:.1f} ms, "
                 f"p99 {hello.p99_ms:.1f} ms, server CPU {hello.cpu_us:.0f} µs/request")
    lines.append("")
    header = (f"{'':40} {'vs':>8} {'req/s':>7} {'×ctl':>5} {'target':>7} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'CPU µs':>7} {'×ctl':>5} {'target':>7} {'errors':>6}  ")
    lines.append(header)
    lines.append("-" * len(header))

    for row in rows:
        r = row.result
        control = controls.get(row.control)
        is_control = row.key in ("durable", "queue_control")
        verdicts: list[str] = []
        rps_ratio = cpu_ratio = ""
        rps_target = cpu_target = "—"
        if control is not None and not is_control:
            if control.rps:
                rps_ratio = f"{r.rps / control.rps:.2f}"
            if control.cpu_us:
                cpu_ratio = f"{r.cpu_us / control.cpu_us:.2f}"
            if row.target is not None:
                rps_target = f"≥ {row.target:.2f}"
                passed = bool(control.rps) and r.rps / control.rps >= row.target
                ok &= passed
                verdicts.append("ok" if passed else "MISSED req/s")
            if row.cpu_target is not None:
                cpu_target = f"≤ {row.cpu_target:.2f}"
                passed = bool(control.cpu_us) and r.cpu_us / control.cpu_us <= row.cpu_target
                ok &= passed
                verdicts.append("ok" if passed else "MISSED CPU")
        if r.errors > ERROR_TARGET:
            ok = False
            verdicts.append("ERRORS")
        verdict = " ".join(dict.fromkeys(verdicts)) if "ok" not in verdicts or len(set(verdicts)) > 1 else "ok"
        if row.key == "stack":
            verdict = "(no target)" + (" ERRORS" if r.errors > ERROR_TARGET else "")
        if is_control:
            verdict = "(control)" + (" ERRORS" if r.errors > ERROR_TARGET else "")
        vs = "" if is_control else row.control
        lines.append(
            f"{row.label:40} {vs:>8} {_fmt_rps(r.rps):>7} {rps_ratio:>5} {rps_target:>7} {r.p50_ms:>7.1f} "
            f"{r.p99_ms:>7.1f} {r.cpu_us:>7.0f} {cpu_ratio:>5} {cpu_target:>7} {r.errors:>6}  {verdict}")
    by_key = {row.key: row for row in rows}
    lines.append("")
    lines.append("×ctl: req/s as a share of the row's control (higher is better); CPU per request (all the "
                 "server's processes, from /proc) as a multiple of it (lower is better)")
    stack, tip = by_key.get("stack"), by_key.get("tip_post")
    if stack and tip and stack.result.cpu_us and stack.result.rps:
        lines.append(f"tip POST ÷ stack control (what the portal does beyond its libraries' least; no target): "
                     f"CPU {tip.result.cpu_us:.0f} µs ÷ {stack.result.cpu_us:.0f} µs = "
                     f"{tip.result.cpu_us / stack.result.cpu_us:.2f}, req/s {tip.result.rps / stack.result.rps:.2f}")
    small_1, big_1 = by_key.get("queue_1_small"), by_key.get("queue_1")
    if big_1 and small_1 and small_1.result.cpu_us:
        growth = big_1.result.cpu_us / small_1.result.cpu_us
        passed = growth <= QUEUE_GROWTH_TARGET
        ok &= passed
        lines.append(f"queue page 1 CPU at {BIG:,} tips ÷ at {SMALL:,} tips: {big_1.result.cpu_us:.0f} µs ÷ "
                     f"{small_1.result.cpu_us:.0f} µs = {growth:.2f}  target ≤ {QUEUE_GROWTH_TARGET}  "
                     f"{'ok' if passed else 'MISSED'}")
    big, small = by_key.get("queue_500"), by_key.get("queue_500_small")
    if big and small and small.result.p50_ms:
        deep_ratio = big.result.p50_ms / small.result.p50_ms
        passed = deep_ratio <= DEEP_PAGE_TARGET
        ok &= passed
        lines.append(f"queue page {PAGE} at {BIG:,} tips ÷ deepest page at {SMALL:,} tips (p50): "
                     f"{big.result.p50_ms:.1f} ms ÷ {small.result.p50_ms:.1f} ms = {deep_ratio:.2f}  "
                     f"target ≤ {DEEP_PAGE_TARGET}  {'ok' if passed else 'MISSED'}  "
                     f"(CPU {big.result.cpu_us:.0f} vs {small.result.cpu_us:.0f} µs/request)")
    errors = sum(row.result.errors for row in rows) + sum(c.errors for c in hello_runs)
    lines.append(f"errors at {meta['connections']} connections (failed or timed-out connections, answers other "
                 f"than 2xx/3xx, acknowledged tips not stored): {errors}  target {ERROR_TARGET}  "
                 f"{'ok' if errors <= ERROR_TARGET else 'MISSED'}")
    ok &= errors <= ERROR_TARGET
    for row in rows:
        if row.note:
            lines.append(f"{row.label}: {row.note}")
    lines.append("")
    lines.append(verdict_line(ok))
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
    parser.add_argument("--no-sites", action="store_true", help="leave out the sites growth (bench/sites.py)")
    parser.add_argument("--no-matching", action="store_true",
                        help="leave out the inquiry matching growth (bench/matching.py)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench import durable_control

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
        # The data sets were just written: let the kernel put them on disk now, not while the first
        # pages are measured (a write-back running under the first run made it look slower).
        os.sync()
        totp_key = secrets.token_urlsafe(48)
        logins = {dataset.name: create_moderator(dataset, totp_key) for dataset in datasets}
        big, small = datasets
        control_env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        control = Server("control", "bench.control:app", gunicorn, workdir, control_env, "/")
        durable_target = durable_control_target(workdir, args.database_url)
        durable_control.create_table(durable_target)
        durable = Server("durable-control", "bench.durable_control:app", gunicorn, workdir,
                         {**control_env, "BENCH_CONTROL_DB": durable_target}, "/")
        stack = Server("stack-control", "bench.stack_control:app", gunicorn, workdir,
                       {**control_env, "BENCH_CONTROL_DB": durable_target,
                        "BENCH_CONTROL_SECRET": secrets.token_urlsafe(48)}, "/")
        queue_ctl = Server("queue-control", "bench.queue_control:app", gunicorn, workdir,
                           {**control_env, "BENCH_CONTROL_DB": big.url}, "/")
        hello_runs: list[WrkResult] = []
        rows: list[Row] = []
        portal = Server("portal-100k", "portal.wsgi:app", gunicorn, workdir, portal_env(big, totp_key), "/healthz")
        portal_small = Server("portal-1k", "portal.wsgi:app", gunicorn, workdir, portal_env(small, totp_key),
                              "/healthz")
        # Every server waits in epoll (no CPU) while another is measured.
        with running(control), running(durable), running(stack), running(queue_ctl), running(portal), \
                running(portal_small):
            public_rows, public_controls = measure_public(portal, control, load, log)
            rows += public_rows
            hello_runs += public_controls
            rows.append(measure_durable_control(durable, durable_target, load, tag + "c", log))
            rows.append(measure_stack_control(stack, durable_target, load, tag + "s", log))
            rows.append(measure_tip_post(portal, big, load, tag, log))
            rows.append(measure_queue_control(queue_ctl, load, log))
            rows.append(measure_queue_1(portal, logins[big.name], load, log))
            rows.append(measure_small_queue(portal_small, logins[small.name], load, log))
            rows += measure_deep_pages((portal, portal_small), (big, small),
                                       (logins[big.name], logins[small.name]), load, log)
            log("hello-world control again …")
            hello_runs.append(run_wrk(control.url + "/", load, server=control))
    finally:
        if args.database_url:
            for schema in [dataset.schema for dataset in datasets if dataset.schema] + [CONTROL_SCHEMA]:
                with suppress(Exception):
                    _reset_schema(args.database_url, schema, create=False)
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    hello = WrkResult(rps=statistics.mean(c.rps for c in hello_runs),
                      p50_ms=statistics.mean(c.p50_ms for c in hello_runs),
                      p99_ms=statistics.mean(c.p99_ms for c in hello_runs),
                      cpu_us=statistics.mean(c.cpu_us for c in hello_runs))
    by_key = {row.key: row.result for row in rows}
    controls = {"hello": hello, "durable": by_key["durable"], "queue": by_key["queue_control"]}
    meta = {"database": database, "server": gunicorn.describe(), "threads": load.threads,
            "connections": load.connections, "seconds": load.seconds}
    text, ok = report(rows, controls, hello_runs, meta)
    if not args.no_sites:  # the site queue's and a team packet's growth (issue #18; bench/sites.py)
        from bench import sites

        log("sites growth (1,000 → 100,000 tips, 200 → 20,000 sites) …")
        site_lines, sites_ok = sites.measure()
        text += "\n" + "\n".join(site_lines)
        ok &= sites_ok
    if not args.no_matching:  # proposing tips for a family's inquiry (issue #19; bench/matching.py)
        from bench import matching

        log("matching growth (1,000 → 100,000 tips) …")
        matching_lines, matching_ok = matching.measure()
        text += "\n" + "\n".join(matching_lines)
        ok &= matching_ok
    print(text)
    print(f"(took {time.monotonic() - started:.0f} s)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "postgresql" if args.database_url else "sqlite"
    out = RESULTS / f"bench-{kind}-{stamp}.json"
    out.write_text(json.dumps({
        "meta": meta, "control_runs": [_plain(c) for c in hello_runs],
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
    script(main, "bench")
