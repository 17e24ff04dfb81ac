"""Database plumbing: the declarative base, the engine, one session per request.

SQLite gets WAL, ``synchronous=FULL``, foreign keys and a busy timeout. Its transactions are
started by us rather than by the driver, so a write transaction can begin with
``BEGIN IMMEDIATE``: a concurrent writer then waits for the lock instead of failing
half-way with "database is locked". Writers of one SQLite file also queue on a lock file
(:class:`SQLiteWriteGate`): SQLite's own wait polls with sleeps of up to 100 ms, which under
load cost far more than the write itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "portal_write"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver; "begin" below issues BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class SQLiteWriteGate:
    """One write transaction at a time per SQLite file, across threads and worker processes.

    Waiters block in the kernel (``flock`` on ``<database>-writer.lock``) and wake as soon as the
    writer before them commits, instead of polling SQLite's lock. A process that dies releases
    its lock with it. Readers are never involved (WAL lets them run alongside the writer).
    """

    def __init__(self, database: str) -> None:
        self.path = database + "-writer.lock"
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked worker opens its own
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def held(self) -> Iterator[None]:
        import fcntl

        with self._threads:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


_write_gates: dict[str, SQLiteWriteGate] = {}
_write_gates_lock = threading.Lock()


def _write_gate(session: Session) -> SQLiteWriteGate | None:
    bind = session.get_bind()
    url = bind.engine.url if hasattr(bind, "engine") else None
    if url is None or url.get_backend_name() != "sqlite" or os.name != "posix":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = os.path.realpath(database)
    with _write_gates_lock:
        gate = _write_gates.get(path)
        if gate is None:
            gate = _write_gates[path] = SQLiteWriteGate(path)
    return gate


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["portal.engine"] = engine
    app.extensions["portal.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    engine_: Engine = current_app.extensions["portal.engine"]
    return engine_


def new_session() -> Session:
    """A session outside a request (CLI commands, background work); the caller closes it."""
    session: Session = current_app.extensions["portal.sessionmaker"]()
    return session


def get_session() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = new_session()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


class NestedWriteTransaction(RuntimeError):
    """``write_transaction`` was entered inside another on the same session.

    On SQLite the inner one would wait forever for the write lock the outer one holds; on
    PostgreSQL its rollback of the open transaction would silently drop the outer one's writes.
    """


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block in one write transaction (``BEGIN IMMEDIATE`` on SQLite); commit or roll back.

    A read transaction still open is ended first: upgrading a stale SQLite read snapshot to a
    write fails at once instead of waiting. Nesting raises :class:`NestedWriteTransaction`: the
    service that opened the transaction owns it.
    """
    if session.info.get(WRITE_OPTION):
        raise NestedWriteTransaction("write_transaction() entered inside another write transaction")
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write_transaction() needs a session without pending changes")
    if session.in_transaction():
        session.rollback()
    gate = _write_gate(session)
    with gate.held() if gate is not None else nullcontext():
        session.info[WRITE_OPTION] = True
        try:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info.pop(WRITE_OPTION, None)
