"""Fixtures: ``app``, ``client``, ``runner``, ``db_session``; a fresh schema for every test.

The schema comes from the Alembic migrations, run once per session: on SQLite into a template
file copied for each test, on PostgreSQL (``PORTAL_TEST_DATABASE_URL``) into the database that
is emptied after each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal import create_app, migrate
from portal.db import Base, make_engine

pytest_plugins = ["tests.staff_fixtures"]

# Hypothesis: the README's test command is the same on every clone — derandomised examples, no
# example database carried between runs. Long random runs are a separate command
# (HYPOTHESIS_PROFILE=random, see the README); what they find becomes an explicit @example.
settings.register_profile("deterministic", max_examples=40, derandomize=True, database=None, deadline=None,
                          print_blob=True)
settings.register_profile("random", max_examples=1000, derandomize=False, database=None, deadline=None,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
# Command output in English whatever the machine's LANG (tests/test_cli.py checks the other languages).
os.environ["PORTAL_CLI_LANGUAGE"] = "en"
IN_CI = os.environ.get("CI", "").lower() == "true"

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-" + "x" * 32,
    "RECEIPT_KEY": "test-receipt-key-" + "y" * 32,
    "TOTP_KEY": "test-totp-key-" + "z" * 32,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PASSWORD_HASH_PARAMS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    "SERVER_NAME": None,
    # Most tests change content behind the services' back; tests/test_page_cache.py turns it on.
    "PAGE_CACHE_DISABLED": True,
}


def skip_or_fail(reason: str) -> None:
    """Skip a test whose tool is missing — except in CI, where a missing tool is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run every migration once; return the URL of the migrated database (or template file)."""
    if POSTGRES_URL:
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        return POSTGRES_URL
    template = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return f"sqlite:///{template}"


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL:
        yield POSTGRES_URL
        _empty_postgres(POSTGRES_URL)
        return
    copy = tmp_path / "portal.sqlite3"
    shutil.copyfile(migrated_database.removeprefix("sqlite:///"), copy)
    yield f"sqlite:///{copy}"


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    if tables:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


_apps_made: list[Flask] = []


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    """Close the connection pools of every app a test made (no leaked connections)."""
    yield
    while _apps_made:
        _apps_made.pop().extensions["portal.engine"].dispose()


def make_app(database_url: str, tmp_path: Path, **overrides: Any) -> Flask:
    config = {**TEST_CONFIG, "DATABASE_URL": database_url, **overrides}
    app = create_app(config)
    _apps_made.append(app)
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Flask:
    return make_app(database_url, tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session of its own, outside any request (no app context is kept pushed, so each test
    request gets a fresh ``g`` as in production)."""
    session: Session = app.extensions["portal.sessionmaker"]()
    yield session
    session.close()


@pytest.fixture
def csrf_app(database_url: str, tmp_path: Path) -> Flask:
    """The app with CSRF checking on, as in production."""
    return make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
