"""Database plumbing: SQLite settings, write transactions, migrations, the health check."""

from __future__ import annotations

import os
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from portal import migrate
from portal.db import Base, NestedWriteTransaction, make_engine, new_session, write_transaction
from portal.models import AuditEntry
from portal.services.audit import record
from tests.conftest import POSTGRES_URL, make_app

sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite settings")


@sqlite_only
def test_sqlite_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(app):
    with app.app_context():
        engine = app.extensions["portal.engine"]
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


@sqlite_only
def test_write_transaction_takes_the_write_lock_before_its_first_statement(app, db_session):
    path = app.extensions["portal.engine"].url.database
    with write_transaction(db_session):
        db_session.execute(text("SELECT 1"))  # nothing written yet, but the lock is already held
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # released after the block
    other.execute("ROLLBACK")
    other.close()


def test_write_transaction_commits_or_rolls_back_as_a_whole(db_session):
    with write_transaction(db_session):
        record(db_session, "test.kept")
    def fail_half_way() -> None:
        with write_transaction(db_session):
            record(db_session, "test.lost")
            db_session.flush()
            raise RuntimeError("half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        fail_half_way()
    actions = db_session.scalars(text("SELECT action FROM audit_log ORDER BY id")).all()
    assert actions == ["test.kept"]


def test_write_transaction_refuses_a_session_with_pending_changes(db_session):
    db_session.add(AuditEntry(action="pending", actor_name="", subject="", detail={}))
    with pytest.raises(RuntimeError, match="pending"), write_transaction(db_session):
        pass


def test_a_nested_write_transaction_raises_at_once_and_keeps_the_outer_writes(db_session):
    """On SQLite the inner one used to wait forever for the outer one's lock; on PostgreSQL its
    rollback silently dropped what the outer one had written. Now it raises, whatever the database."""
    import signal

    def give_up(_signum, _frame):
        raise TimeoutError("the nested write_transaction() waited instead of raising")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(10)
    try:
        with write_transaction(db_session):
            record(db_session, "test.outer")
            db_session.flush()
            with pytest.raises(NestedWriteTransaction), write_transaction(db_session):
                record(db_session, "test.inner")
            record(db_session, "test.outer.after")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    actions = db_session.scalars(text("SELECT action FROM audit_log ORDER BY id")).all()
    assert actions == ["test.outer", "test.outer.after"]
    with write_transaction(db_session):  # the session is usable again
        record(db_session, "test.next")
    assert db_session.scalars(text("SELECT action FROM audit_log ORDER BY id")).all()[-1] == "test.next"


def test_migrations_upgrade_downgrade_upgrade(database_url):
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        heads = migrate.current(engine)
        assert heads
        migrate.downgrade(engine, "base")
        assert migrate.current(engine) == set()
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert migrate.current(engine) == heads
        assert "audit_log" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_models_and_migrations_describe_the_same_schema(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_audit_log_refuses_update_and_delete(db_session):
    with write_transaction(db_session):
        record(db_session, "test.append_only", subject="x")
    for statement in ("UPDATE audit_log SET action = 'changed'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), write_transaction(db_session):
            db_session.execute(text(statement))
    assert db_session.scalar(text("SELECT action FROM audit_log")) == "test.append_only"


def test_each_request_closes_its_session(app):
    from flask import g

    from portal.db import get_session

    with app.test_request_context("/vi/"):
        session = get_session()
        assert get_session() is session
        app.do_teardown_appcontext()
        assert "db_session" not in g


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    down = "sqlite:///" + str(tmp_path / "no-such-directory" / "portal.sqlite3")
    if POSTGRES_URL:
        down = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = make_app(down, tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.postgres
def test_postgres_really_runs(app):
    """CI's second pass sets PORTAL_EXPECT_POSTGRES: there, a silent fall-back to SQLite fails."""
    if not POSTGRES_URL:
        assert not os.environ.get("PORTAL_EXPECT_POSTGRES"), "PostgreSQL pass without a database URL"
        pytest.skip("PORTAL_TEST_DATABASE_URL is not set")
    with app.app_context():
        engine = app.extensions["portal.engine"]
        assert engine.dialect.name == "postgresql"
        with engine.connect() as conn:
            assert "PostgreSQL" in conn.execute(text("SELECT version()")).scalar()


def _migrated_again_from(app, database_url: str, revision: str):
    """The app's database taken back to ``revision`` and up to the head again (a data migration runs)."""
    from portal import migrate

    app.extensions["portal.engine"].dispose()
    engine = make_engine(database_url)
    migrate.downgrade(engine, revision)
    migrate.upgrade(engine)
    return engine


def test_migration_0010_rounds_tipster_times_written_before_it(app, database_url):
    """Times stored to the microsecond before issue #13 could be matched to an access log."""
    from datetime import UTC, datetime

    from sqlalchemy import select, update

    from portal.models.tip import Tip
    from portal.services.tips import add_followup
    from tests.tip_factory import make_tip

    tip_id = make_tip(app, photos=1).tip_id
    precise = datetime(2024, 3, 5, 14, 27, 31, 123456, tzinfo=UTC)
    with app.app_context():
        session = new_session()
        add_followup(session, tip_id, "One more thing")
        for table in ("tips", "tip_photos", "tip_messages"):
            session.execute(text(f"UPDATE {table} SET created_at = :t"), {"t": precise})  # noqa: S608
        session.execute(update(Tip).values(updated_at=precise))
        session.commit()
        session.close()
    engine = _migrated_again_from(app, database_url, "0009")
    with engine.connect() as conn:
        for table, column in (("tips", "created_at"), ("tips", "updated_at"), ("tip_photos", "created_at"),
                              ("tip_messages", "created_at")):
            value = conn.execute(text(f"SELECT {column} FROM {table}")).scalar_one()  # noqa: S608
            shown = value if isinstance(value, str) else value.isoformat(" ")
            assert shown.startswith("2024-03-05 14:00:00"), (table, column, value)
            assert "27" not in shown.split(" ")[1], (table, column, value)
        assert conn.scalar(select(Tip.id)) == tip_id
    engine.dispose()


def test_migration_0011_folds_stored_search_text_again(app, database_url):
    """Search text stored before hyphens read as spaces is folded again, so "kra che" finds it."""
    from sqlalchemy import update

    from portal.models.tip import Tip
    from tests.tip_factory import make_tip

    make_tip(app, place_description="Gò Mả, Kra-chê")
    with app.app_context():
        session = new_session()
        session.execute(update(Tip).values(search_text="go ma, kra-che\nmo (ba ngoi)"))
        session.commit()
        session.close()
    engine = _migrated_again_from(app, database_url, "0010")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search_text FROM tips")).scalar_one() == "go ma kra che\nmo ba ngoi"
    engine.dispose()


def test_a_migration_that_rebuilds_the_tips_table_keeps_every_photo_and_message(app, database_url):
    """SQLite rebuilds a table to add a foreign key (0013 adds the tip's distribution point): with
    foreign keys on, dropping the old table cascaded and deleted every tip's photos and messages."""
    from portal.services.tips import add_followup
    from tests.tip_factory import make_tip

    tip_id = make_tip(app, photos=2).tip_id
    with app.app_context():
        session = new_session()
        add_followup(session, tip_id, "One more thing")
        session.close()
    engine = _migrated_again_from(app, database_url, "0012")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tip_photos WHERE tip_id = :t"), {"t": tip_id}).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM tip_messages WHERE tip_id = :t"), {"t": tip_id}).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE tip_id = :t"), {"t": tip_id}).scalar() >= 1
    engine.dispose()
