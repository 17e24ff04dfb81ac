"""Back up and restore the database: SQLite's online backup API, or pg_dump/pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404  (argument lists only, never a shell)
from pathlib import Path

from sqlalchemy.engine import Engine, make_url


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _pg_args(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = ["--dbname", str(url.database)]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (it comes with the PostgreSQL client tools)")
    return found


def backup(engine: Engine, destination: Path) -> Path:
    """Write a consistent copy of the live database to ``destination``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif engine.dialect.name == "postgresql":
        args, env = _pg_args(engine)
        result = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file",
                                 str(destination), *args], env=env, capture_output=True, text=True,
                                check=False)
        if result.returncode != 0:
            raise BackupError(result.stderr.strip() or "pg_dump failed")
    else:
        raise BackupError(f"no backup method for {engine.dialect.name}")
    return destination


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with a backup made by :func:`backup`."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        origin = sqlite3.connect(source)
        try:
            if origin.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{source} is not an intact SQLite database")
            target = sqlite3.connect(_sqlite_path(engine))
            try:
                origin.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a SQLite database: {exc}") from exc
        finally:
            origin.close()
    elif engine.dialect.name == "postgresql":
        engine.dispose()
        args, env = _pg_args(engine)
        result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                                 "--single-transaction", *args, str(source)],
                                env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(result.stderr.strip() or "pg_restore failed")
    else:
        raise BackupError(f"no restore method for {engine.dialect.name}")
