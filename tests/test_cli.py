"""The flask commands: schema, demo content, backup and restore."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import write_transaction
from portal.models import AuditEntry
from portal.services.audit import record


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "downgrade"], ["db", "current"], ["demo"],
                                     ["content", "load-monuments"], ["backup"], ["restore"]])
def test_every_command_explains_itself(runner, command):
    result = runner.invoke(args=[*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.split("\n\n")[1].strip()) > 20  # a sentence of help, not just usage


def test_db_upgrade_reports_the_revision(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert result.output.startswith("Database at 0")


def test_demo_content_loads_and_loading_twice_adds_nothing_new(runner, app, db_session):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = _row_counts(app)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert _row_counts(app) == counts


def test_demo_adds_no_sample_monuments(runner, app):
    from portal.models.content import Monument

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.extensions["portal.sessionmaker"]() as session:
        assert session.scalar(select(func.count()).select_from(Monument)) == 0


def test_load_monuments_adds_the_real_monuments_once(runner, app):
    from portal.data.monuments import MONUMENTS
    from portal.models.content import Monument, MonumentSource

    first = runner.invoke(args=["content", "load-monuments"])
    assert first.exit_code == 0, first.output
    assert f"Monuments: {len(MONUMENTS)} added, 0 updated, 0 already there and kept." in first.output
    counts = _row_counts(app)
    second = runner.invoke(args=["content", "load-monuments"])
    assert second.exit_code == 0
    assert f"0 added, 0 updated, {len(MONUMENTS)} already there and kept." in second.output
    assert _row_counts(app) == counts
    with app.extensions["portal.sessionmaker"]() as session:
        monuments = session.scalars(select(Monument)).all()
        assert len(monuments) >= 15 and not any(m.is_sample for m in monuments)
        assert session.scalar(select(func.count()).select_from(MonumentSource)) == sum(
            len(r.sources) for r in MONUMENTS)
    assert "updated" in runner.invoke(args=["content", "load-monuments", "--update"]).output
    assert _row_counts(app) == counts


def _row_counts(app):
    from sqlalchemy import inspect, text

    engine = app.extensions["portal.engine"]
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()  # noqa: S608
                for t in inspect(engine).get_table_names() if t != "alembic_version"}


def test_backup_restores_every_row(runner, app, db_session, tmp_path):
    with write_transaction(db_session):
        for n in range(3):
            record(db_session, "test.before_backup", subject=f"row {n}", note="ផ្នូរ – mộ")
    backup_file = tmp_path / "backup.bin"
    result = runner.invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert backup_file.stat().st_size > 0

    with write_transaction(db_session):
        record(db_session, "test.after_backup")
    db_session.close()

    result = runner.invoke(args=["restore", "--yes", str(backup_file)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = app.extensions["portal.sessionmaker"]()
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        session.close()
    assert [e.action for e in entries] == ["test.before_backup"] * 3
    assert entries[0].detail == {"note": "ផ្នូរ – mộ"}


def test_restore_refuses_a_file_that_is_not_a_backup(runner, app, db_session, tmp_path):
    with write_transaction(db_session):
        record(db_session, "test.survives")
    db_session.close()
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert "Error" in result.output
    with app.app_context():
        session = app.extensions["portal.sessionmaker"]()
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
        session.close()


@pytest.mark.parametrize(("language", "expected"), [
    ("km", "មូលដ្ឋានទិន្នន័យ"), ("vi", "Cơ sở dữ liệu"), ("en", "Database at"),
])
def test_command_output_is_in_the_staff_members_language(runner, monkeypatch, language, expected):
    monkeypatch.setenv("PORTAL_CLI_LANGUAGE", language)
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert expected in result.output
