"""The durable-write control: the least a tip POST has to do, served by gunicorn like the portal.

It parses the same 28-field ``multipart/form-data`` body (``bench/wrk/post_tip.lua``) with Flask's
own form parser and stores it with one durable insert, then answers ``201`` — no form library, no
CSRF, no rate limit, no template. On SQLite (``BENCH_CONTROL_DB`` is a file path) that is WAL,
``synchronous=FULL`` and ``BEGIN IMMEDIATE``, with one connection per thread; on PostgreSQL
(``BENCH_CONTROL_DB`` is a ``postgresql://`` URL) an ``INSERT`` and a ``COMMIT`` with the server's
default ``synchronous_commit=on``. Either way the answer leaves only after the row is on disk.

The tip POST's targets are ratios to this app, measured in the same run (issue 20). Its table is
made by ``bench/run`` before the servers start (:func:`create_table`); :func:`count_tagged` counts
the rows a run stored, as for the portal.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import Flask, request

FIELDS = ("csrf_token", "submission_id", "location_source", "website", "province", "district", "commune",
          "village", "place_description", "local_name", "coordinates", "uncertainty", "what_seen",
          "how_known", "period", "estimated_graves", "fallen_names", "fallen_unit", "fallen_hometown",
          "anonymous", "contact_name", "contact_phone", "contact_email", "contact_messaging",
          "contact_language", "on_behalf_relationship", "action")  # and the (empty) file part "photos"
TABLE = "control_tip"
COLUMNS = ", ".join(FIELDS)
SQLITE_BUSY_TIMEOUT_S = 30


def _is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def create_table(target: str) -> None:
    """The control's table (idempotent), with a unique submission id like the portal's."""
    columns = ", ".join(f"{name} TEXT NOT NULL" for name in FIELDS if name != "submission_id")
    ddl = (f"CREATE TABLE IF NOT EXISTS {TABLE} (id {'BIGSERIAL' if _is_postgres(target) else 'INTEGER'} "
           f"PRIMARY KEY, submission_id TEXT NOT NULL UNIQUE, {columns})")
    connection = _connect(target)
    try:
        connection.execute(ddl)
        if not _is_postgres(target):
            connection.execute("PRAGMA journal_mode=WAL")
        else:
            connection.commit()
    finally:
        connection.close()


def count_tagged(target: str, tag: str) -> int:
    connection = _connect(target)
    try:
        placeholder = "%s" if _is_postgres(target) else "?"
        row = connection.execute(f"SELECT count(*) FROM {TABLE} WHERE place_description LIKE {placeholder}",
                                 (f"%(run {tag})",)).fetchone()
        return int(row[0]) if row else 0
    finally:
        connection.close()


def _connect(target: str) -> Any:
    if _is_postgres(target):
        import psycopg

        return psycopg.connect(target, autocommit=True)
    import sqlite3

    connection = sqlite3.connect(target, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_S,
                                 check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    return connection


app = Flask(__name__)
TARGET = os.environ.get("BENCH_CONTROL_DB", "")
PLACEHOLDERS = ", ".join(["%s" if _is_postgres(TARGET) else "?"] * len(FIELDS))
INSERT = f"INSERT INTO {TABLE} ({COLUMNS}) VALUES ({PLACEHOLDERS})"
_local = threading.local()


def _connection() -> Any:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = _connect(TARGET)
    return connection


@app.get("/")
def ready() -> str:
    return "ready"


@app.post("/tip")
def store_tip() -> tuple[str, int]:
    form = request.form
    values = [form.get(name, "") for name in FIELDS]
    connection = _connection()
    if _is_postgres(TARGET):
        with connection.transaction():
            connection.execute(INSERT, values)
    else:
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(INSERT, values)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return "stored", 201
