"""Backups that restore: ``flask backup``'s file, restored with ``flask restore`` into an EMPTY
database (a new SQLite file; on PostgreSQL a new database created on the same server), gives
back every tip, message, photo (byte for byte), note, account, page and audit entry — and the
restored database works: at the schema's head, audit log still append-only, new tips get new ids.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from portal import migrate
from portal.db import Base, make_engine, new_session, write_transaction
from portal.models.audit import AuditEntry
from portal.models.review import TipNote
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipMessage, TipPhoto, TipStatus
from portal.services import moderation, tips, workflow
from tests.conftest import POSTGRES_URL, make_app
from tests.content_helpers import make_monument, make_news
from tests.staff_fixtures import create_staff
from tests.tip_factory import make_tip, photo


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even a schema."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'restored' / 'empty.sqlite3'}"
        return
    name = f"portal_restore_{secrets.token_hex(4)}"
    server = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def fill(app: Flask) -> dict[str, int]:
    """Everything the portal keeps: tips with photos, replies with photos, staff messages, notes,
    a tip moved through the workflow, staff accounts, content and, with all of it, audit entries."""
    moderator = create_staff(app, "moderator", username="restore-moderator")
    first = make_tip(app, photos=2, what_seen="ផ្នូរបី — ba ngôi mộ", contact_name="Trần Thị B",
                     contact_phone="+855 12 345 678", consent=True)
    second = make_tip(app, photos=1, language="vi", province_code="03")
    make_tip(app, what_seen="No photos, anonymous", anonymous=True)
    with app.app_context():
        session = new_session()
        try:
            tips.add_followup(session, first.tip_id, "Thêm ảnh — បន្ថែមរូបថត", [photo("navy"), photo("teal")])
            actor = session.get(StaffUser, moderator.id)
            with write_transaction(session):
                tip = session.get(Tip, second.tip_id)
                moderation.send_message(session, tip, "Xin cảm ơn. Could you tell us more?", actor)
                moderation.add_note(session, tip, "Only staff read this.", actor)
                workflow.apply_transition(session, tip, TipStatus.IN_REVIEW, actor)
            with write_transaction(session):
                moderation.reveal_contact(session, session.get(Tip, first.tip_id), actor)
            make_monument(session, "restore-monument")
            make_news(session, "restore-news", date(2024, 12, 1))
        finally:
            session.close()
    return {"first": first.tip_id, "second": second.tip_id}


def everything(engine: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (ids, times and bytes included), in primary-key order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return rows


def test_a_backup_restores_into_an_empty_database_with_everything_intact(app, runner, tmp_path, empty_database):
    ids = fill(app)
    original = everything(app.extensions["portal.engine"])
    assert len(original["tips"]) == 3
    assert len(original["tip_photos"]) == 5
    assert len(original["tip_messages"]) == 2
    assert len(original["audit_log"]) >= 8

    backup_file = tmp_path / "portal-backup.bin"
    result = runner.invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output

    restored_app = make_app(empty_database, tmp_path / "restored")
    restored_engine = restored_app.extensions["portal.engine"]
    assert inspect(restored_engine).get_table_names() == []  # really empty: no schema at all
    result = restored_app.test_cli_runner().invoke(args=["restore", "--yes", str(backup_file)])
    assert result.exit_code == 0, result.output

    restored = everything(restored_engine)
    assert restored.keys() == original.keys()
    for name in original:
        assert restored[name] == original[name], f"table {name} differs after the restore"
    with restored_app.app_context():
        session = new_session()
        try:
            first = session.get(Tip, ids["first"])
            assert first.what_seen == "ផ្នូរបី — ba ngôi mộ"
            assert first.contact_name == "Trần Thị B"
            photos = session.scalars(select(TipPhoto).where(TipPhoto.tip_id == ids["first"])).all()
            assert len(photos) == 4
            assert all(hashlib.sha256(p.data).hexdigest() == p.sha256 for p in photos)  # bytes intact
            assert session.scalar(select(func.count(TipMessage.id))) == 2
            assert session.scalar(select(func.count(TipNote.id))) == 1
            actions = set(session.scalars(select(AuditEntry.action)))
            assert {"tip.received", "tip.followup", "tip.message_sent", "tip.contact_viewed"} <= actions
        finally:
            session.close()

    # The restored database is a working one.
    assert migrate.current(restored_engine) == migrate.current(app.extensions["portal.engine"])
    newer = make_tip(restored_app, photos=1)
    assert newer.tip_id > max(row[0] for row in original["tips"])
    with pytest.raises(DBAPIError), restored_engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'forged'"))
    restored_engine.dispose()


def test_a_restore_into_an_empty_database_refuses_a_file_that_is_not_a_backup(tmp_path, empty_database):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"PGDMP" + b"\x00" * 200 if POSTGRES_URL else b"SQLite format 3\x00" + b"\x00" * 200)
    restored_app = make_app(empty_database, tmp_path / "restored")
    result = restored_app.test_cli_runner().invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert "Error" in result.output
    restored_app.extensions["portal.engine"].dispose()
