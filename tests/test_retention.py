"""Retention: ``flask purge`` removes contact details and photos of long-finished tips, and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from portal import migrate
from portal.db import make_engine, new_session, write_transaction
from portal.models.audit import AuditEntry
from portal.models.staff import StaffUser
from portal.models.tip import Tip, TipOutcome, TipPhoto, TipStatus
from portal.models.types import utcnow
from portal.services import retention, workflow
from tests.tip_factory import make_tip

PHONE, NAME, MESSAGING = "+855 99 888 777", "Chan Dara", "zalo 0912345678"
OLD, RECENT = timedelta(days=800), timedelta(days=10)  # the default retention is 730 days


def finish(app, tip_id: int, status: TipStatus, ago: timedelta) -> None:
    """Put a tip in ``status`` as if its status had changed ``ago``."""
    with app.app_context():
        session = new_session()
        try:
            with write_transaction(session):
                session.execute(update(Tip).where(Tip.id == tip_id).values(
                    status=status, status_changed_at=utcnow() - ago,
                    outcome=TipOutcome.NOTHING_FOUND if status == TipStatus.CLOSED else None))
        finally:
            session.close()


def state(app, tip_id: int) -> dict:
    with app.app_context():
        session = new_session()
        try:
            tip = session.get(Tip, tip_id)
            photos = session.scalar(select(func.count(TipPhoto.id)).where(TipPhoto.tip_id == tip_id))
            return {"name": tip.contact_name, "phone": tip.contact_phone, "email": tip.contact_email,
                    "messaging": tip.contact_messaging, "language": tip.contact_language,
                    "anonymous": tip.anonymous, "what_seen": tip.what_seen, "status": tip.status,
                    "outcome": tip.outcome, "photos": photos}
        finally:
            session.close()


def purged_entries(app) -> list[AuditEntry]:
    with app.app_context():
        session = new_session()
        try:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "tip.purged")
                                        .order_by(AuditEntry.tip_id)))
        finally:
            session.close()


@pytest.fixture
def tips(app) -> dict[str, int]:
    contact = {"contact_name": NAME, "contact_phone": PHONE, "consent": True}
    made = {
        "old_closed": make_tip(app, photos=2, what_seen="Two graves by the pond", **contact).tip_id,
        "old_rejected": make_tip(app, **contact).tip_id,
        "old_duplicate": make_tip(app, photos=1, anonymous=True, contact_messaging=MESSAGING, consent=True).tip_id,
        "old_clean": make_tip(app).tip_id,
        "recent_closed": make_tip(app, photos=1, **contact).tip_id,
        "old_open": make_tip(app, photos=1, **contact).tip_id,
        "new": make_tip(app, photos=1, **contact).tip_id,
    }
    finish(app, made["old_closed"], TipStatus.CLOSED, OLD)
    finish(app, made["old_rejected"], TipStatus.REJECTED, OLD)
    finish(app, made["old_duplicate"], TipStatus.DUPLICATE, OLD)
    finish(app, made["old_clean"], TipStatus.CLOSED, OLD)
    finish(app, made["recent_closed"], TipStatus.CLOSED, RECENT)
    finish(app, made["old_open"], TipStatus.PASSED_TO_TEAM, OLD)
    return made


def test_purge_removes_contact_details_and_photos_of_long_finished_tips_only(app, runner, tips):
    before = {name: state(app, tip_id) for name, tip_id in tips.items()}
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    purged = sorted(tips[name] for name in ("old_closed", "old_rejected", "old_duplicate"))
    assert "Removed: contact details of 3 tips, 3 photos of 2 tips." in result.output
    assert f"Tips: {', '.join(map(str, purged))}" in result.output
    for secret in (PHONE, NAME, MESSAGING, "Two graves"):
        assert secret not in result.output

    for name in ("old_closed", "old_rejected", "old_duplicate"):
        after = state(app, tips[name])
        assert (after["name"], after["phone"], after["email"], after["messaging"], after["language"]) == \
            (None, None, None, None, None), name
        assert after["photos"] == 0
        # What the tip says, its state and the anonymous flag stay.
        for kept in ("what_seen", "status", "outcome", "anonymous"):
            assert after[kept] == before[name][kept], (name, kept)
    assert state(app, tips["old_duplicate"])["anonymous"] is True
    for name in ("recent_closed", "old_open", "new", "old_clean"):
        assert state(app, tips[name]) == before[name], name

    entries = purged_entries(app)
    assert [e.tip_id for e in entries] == purged
    details = {e.tip_id: e.detail for e in entries}
    assert details[tips["old_closed"]] == {"contact_removed": True, "photos_removed": 2, "retention_days": 730}
    assert details[tips["old_duplicate"]]["photos_removed"] == 1
    assert details[tips["old_rejected"]]["photos_removed"] == 0
    assert all(e.actor_name == "flask purge" for e in entries)


def test_a_dry_run_lists_but_changes_nothing(app, runner, tips):
    before = {name: state(app, tip_id) for name, tip_id in tips.items()}
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would remove: contact details of 3 tips, 3 photos of 2 tips." in result.output
    assert str(tips["old_closed"]) in result.output
    assert {name: state(app, tip_id) for name, tip_id in tips.items()} == before
    assert purged_entries(app) == []


def test_a_second_purge_finds_nothing_left(app, runner, tips):
    runner.invoke(args=["purge"])
    result = runner.invoke(args=["purge"])
    assert "Removed: contact details of 0 tips, 0 photos of 0 tips." in result.output
    assert "Tips:" not in result.output
    assert len(purged_entries(app)) == 3


def test_the_retention_period_comes_from_the_configuration(app, tips):
    app.config["RETENTION_DAYS"] = 5
    result = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert str(tips["recent_closed"]) in result.output.split("Tips:")[1]


def test_age_counts_from_the_last_status_change_made_by_the_workflow(app, moderator, tips):
    """A tip closed long ago and reopened today is open again: nothing is removed from it."""
    reopened = tips["old_closed"]
    with app.app_context():
        session = new_session()
        try:
            with write_transaction(session):
                tip = session.get(Tip, reopened)
                old = tip.status_changed_at
                workflow.apply_transition(session, tip, TipStatus.IN_REVIEW, session.get(StaffUser, moderator.id))
            assert session.get(Tip, reopened).status_changed_at > old + timedelta(days=700)
            report = retention.purge(session, 730)
        finally:
            session.close()
    assert reopened not in report.tip_ids
    assert state(app, reopened)["phone"] == PHONE and state(app, reopened)["photos"] == 2


def test_the_migration_fills_status_changed_at_from_updated_at(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        migrate.upgrade(engine, "0006")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO tips (status, created_at, updated_at, place_description, local_name, what_seen, "
                "period, fallen_names, fallen_unit, fallen_hometown, on_behalf, anonymous, consent, language, "
                "channel, receipt_hash, search_text) VALUES ('closed', '2023-01-02 03:04:05.000000', "
                "'2023-05-06 07:08:09.000000', '', '', 'x', '', '', '', '', 0, 0, 0, 'vi', 'web', 'h', '')"))
        migrate.upgrade(engine, "0007")  # the migration under test (0010 then rounds updated_at to the hour)
        with engine.connect() as conn:
            changed, updated = conn.execute(text("SELECT status_changed_at, updated_at FROM tips")).one()
        assert changed == updated == "2023-05-06 07:08:09.000000"
    finally:
        engine.dispose()
