"""The portal under real gunicorn (and Redis) for the load tests: start, find workers, stop.

Everything listens on 127.0.0.1 only. Every process started here is stopped by its own PID
(never by name) in the caller's ``finally``. HTTP goes through ``http.client`` with a small
cookie jar, so the tests need no client library.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger
from sqlalchemy import text

from portal import PROJECT_ROOT, migrate
from portal.db import Base, make_engine

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt-code"[^>]*>\s*([^<\s]+)\s*<')
SECRET_KEY = "load-test-secret-key-" + "s" * 40
RECEIPT_KEY = "load-test-receipt-key-" + "r" * 40
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
ARTIFACTS = Path(PROJECT_ROOT) / "test-artifacts"


def write_figures(name: str, figures: dict[str, Any]) -> None:
    """Keep a run's figures (requests sent, receipts, rows found, …) with CI's artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    database = "postgresql" if os.environ.get("PORTAL_TEST_DATABASE_URL") else "sqlite"
    (ARTIFACTS / f"{name}-{database}.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server_database(directory: Path) -> Iterator[str]:
    """A migrated, empty database for a server: a new SQLite file in ``directory`` or, when
    ``PORTAL_TEST_DATABASE_URL`` is set, that PostgreSQL database emptied before and after
    (the other tests share it)."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL") or f"sqlite:///{directory / 'server.sqlite3'}"
    prepare_database(url)
    try:
        yield url
    finally:
        if url.startswith("postgresql"):
            engine = make_engine(url)
            empty_postgres(engine)
            engine.dispose()


def prepare_database(url: str) -> None:
    """Migrate the database the server will use (a fresh SQLite file, or PostgreSQL emptied)."""
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        if engine.dialect.name == "postgresql":
            empty_postgres(engine)
    finally:
        engine.dispose()


def empty_postgres(engine: Any) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers), from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class WorkerTally(GunicornLogger):
    """gunicorn's logger, also writing ``pid method path status`` for every request to a file of the
    test's: the test learns which worker answered a request whose access line the portal drops."""

    FILE_VARIABLE = "PORTAL_TEST_WORKER_TALLY"

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        line = f"{os.getpid()} {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} {str(resp.status)[:3]}\n"
        descriptor = os.open(os.environ[self.FILE_VARIABLE], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode("utf-8", "replace"))  # one write: lines never interleave
        finally:
            os.close(descriptor)
        super().access(resp, req, environ, request_time)


@dataclass
class Gunicorn:
    """One gunicorn master with its workers, serving ``portal.wsgi:app``."""

    workdir: Path
    env: dict[str, str]
    workers: int = 4
    worker_class: str = "sync"
    access_log: bool = False
    extra_args: tuple[str, ...] = ()  # e.g. ("-c", "python:portal.gunicorn_conf")
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    worker_pids_seen: set[int] = field(default_factory=set)

    @property
    def pid_file(self) -> Path:
        return self.workdir / "gunicorn.pid"

    @property
    def log_file(self) -> Path:
        return self.workdir / "gunicorn.log"

    @property
    def access_file(self) -> Path:
        return self.workdir / "access.log"

    @property
    def master_pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Gunicorn:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update({"PORTAL_SECRET_KEY": SECRET_KEY, "PORTAL_RECEIPT_KEY": RECEIPT_KEY,
                    "PYTHONUNBUFFERED": "1", **self.env})
        args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--worker-class", self.worker_class,
                "--pid", str(self.pid_file), "--timeout", "60", "--graceful-timeout", "10",
                "--error-logfile", "-", "--log-level", "warning"]
        if self.access_log:
            # Which worker answered each request, tallied before the portal's log filters (which
            # write no access line at all for a tip POST): see WorkerTally.
            env[WorkerTally.FILE_VARIABLE] = str(self.access_file)
            args += ["--logger-class", "tests.gunicorn_server.WorkerTally"]
        args += [*self.extra_args, "portal.wsgi:app"]
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _headers, body = request("GET", self.port, "/healthz", timeout=2)
            except OSError:
                status, body = 0, b""
            if status == 200 and body == b"ok" and len(self.workers_now()) == self.workers:
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def workers_now(self) -> list[int]:
        pids = [pid for pid in children(self.master_pid) if alive(pid)]
        self.worker_pids_seen.update(pids)
        return pids

    def kill_worker(self, pid: int) -> None:
        assert pid in children(self.master_pid), "only a worker of this server may be killed"
        os.kill(pid, signal.SIGKILL)

    def wait_for_workers(self, count: int, timeout: float = START_TIMEOUT) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.workers_now()
            if len(pids) == count:
                return pids
            time.sleep(0.1)
        return self.workers_now()

    def stop(self) -> None:
        """SIGTERM to the master (graceful), then SIGKILL to whatever of ours is left."""
        if self.process is None:
            return
        workers = set(self.workers_now()) if self.process.poll() is None else set()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        for pid in workers | self.worker_pids_seen:
            if alive(pid) and _is_ours(pid, self.port):
                os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _is_ours(pid: int, port: int) -> bool:
    """A leftover worker is ours if its command line is the gunicorn we started on this port."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"gunicorn" in b" ".join(cmdline) and f"127.0.0.1:{port}".encode() in cmdline


@dataclass
class RedisServer:
    """Debian's redis-server on a unix socket in a temporary directory, nothing saved to disk.

    The directory is a short one under the system's temporary directory: a unix socket's path
    may be at most 107 bytes, which pytest's ``tmp_path`` can exceed.
    """

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="portal-redis-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> Path:
        return self.workdir / "redis.sock"

    @property
    def url(self) -> str:
        return f"redis+unix://{self.socket_path}"

    @staticmethod
    def executable() -> str | None:
        return shutil.which("redis-server")

    def start(self) -> RedisServer:
        binary = self.executable()
        assert binary is not None
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {(self.workdir / 'redis.log').read_text()}")
            if self.socket_path.exists() and self._ping():
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def _ping(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            try:
                sock.connect(str(self.socket_path))
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        shutil.rmtree(self.workdir, ignore_errors=True)


# -- HTTP -------------------------------------------------------------------------------------

def request(method: str, port: int, path: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30.0) -> tuple[int, Any, bytes]:
    """One request on a new connection; returns (status, headers, body). Raises OSError and
    ``http.client`` errors when the connection breaks (a killed worker)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]] = ()
              ) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it; returns (body, content type)."""
    boundary = "----portal" + uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + value.encode("utf-8") + b"\r\n")
    for name, filename, data, mime in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A visitor: cookies kept between requests, like one browser session."""

    def __init__(self, port: int, timeout: float = 30.0, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.headers = headers or {}

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {**self.headers, **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep_cookies(self, headers: Any) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def get(self, path: str) -> tuple[int, str]:
        status, headers, body = request("GET", self.port, path, headers=self._headers(), timeout=self.timeout)
        self._keep_cookies(headers)
        return status, body.decode("utf-8", "replace")

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str]:
        status, headers, data = request("POST", self.port, path, body=body,
                                        headers=self._headers({"Content-Type": content_type}),
                                        timeout=self.timeout)
        self._keep_cookies(headers)
        return status, data.decode("utf-8", "replace")

    def csrf_token(self, path: str) -> str:
        status, html = self.get(path)
        match = CSRF_INPUT.search(html)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path} gave {status} without a CSRF token")
        return match.group(1)
