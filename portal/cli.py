"""``flask`` commands: the database, demo content, backups."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from portal import migrate
from portal.db import engine, new_session
from portal.demo import load_demo
from portal.i18n import in_cli_language
from portal.services import backup as backups
from portal.services import retention
from portal.services.reviewed_monuments import load_reviewed_monuments

db_cli = AppGroup("db", help="Create, upgrade and inspect the database schema.")


@db_cli.command("upgrade", help="Create the database or bring it up to date (Alembic migrations).")
@click.option("--revision", default=migrate.HEAD, show_default=True, help="Target revision.")
@in_cli_language
def db_upgrade(revision: str) -> None:
    migrate.upgrade(engine(), revision)
    click.echo(_("Database at %(revision)s.", revision=", ".join(sorted(migrate.current(engine()))) or "base"))


@db_cli.command("downgrade", help="Undo migrations down to a revision ('base' removes every table).")
@click.argument("revision")
@click.confirmation_option(prompt="This removes data. Continue?")
@in_cli_language
def db_downgrade(revision: str) -> None:
    migrate.downgrade(engine(), revision)
    click.echo(_("Database at %(revision)s.", revision=", ".join(sorted(migrate.current(engine()))) or "base"))


@db_cli.command("current", help="Show the schema revision the database is at.")
@in_cli_language
def db_current() -> None:
    click.echo(", ".join(sorted(migrate.current(engine()))) or "base")


content_cli = AppGroup("content", help="Reviewed public content shipped with the portal.")


@content_cli.command("load-monuments", help="Add the real Friendship Monuments, each fact with its source "
                                             "(portal/data/monuments.py). Safe to run again.")
@click.option("--update", is_flag=True, help="Also replace the facts and sources of monuments already there "
                                             "(photos and the visiting and ceremony texts are kept).")
@in_cli_language
def load_monuments(update: bool) -> None:
    session = new_session()
    try:
        report = load_reviewed_monuments(session, update=update)
    finally:
        session.close()
    click.echo(_("Monuments: %(added)s added, %(updated)s updated, %(kept)s already there and kept.",
                 added=len(report.added), updated=len(report.updated), kept=len(report.kept)))


@click.command("demo", help="Load demo content (sample data, clearly labelled) into an upgraded database.")
@with_appcontext
@in_cli_language
def demo() -> None:
    session = new_session()
    try:
        for line in load_demo(session):
            click.echo(line)
    finally:
        session.close()


@click.command("seed-teams", help="Add the search teams that public reports name (portal/services/teams.py).")
@with_appcontext
def seed_teams() -> None:
    from portal.services.teams import seed_teams as seed

    session = new_session()
    try:
        added = seed(session)
        click.echo(", ".join(added) if added else "-")
    finally:
        session.close()


@click.command("backup", help="Write a consistent backup of the live database to a file.")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path), required=False)
@with_appcontext
@in_cli_language
def backup(destination: Path | None) -> None:
    if destination is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        suffix = "sqlite3" if engine().dialect.name == "sqlite" else "pgdump"
        destination = Path(current_app.instance_path) / "backups" / f"portal-{stamp}.{suffix}"
    try:
        written = backups.backup(engine(), destination)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Backup written to %(path)s", path=written))


@click.command("restore", help="Replace the database's contents with a backup (stop the site first).")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces everything in the database. Continue?")
@with_appcontext
@in_cli_language
def restore(source: Path) -> None:
    try:
        backups.restore(engine(), source)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Restored from %(path)s", path=source))


@click.command("purge", help="Remove contact details and photos of tips closed, rejected or duplicate for "
                              "longer than PORTAL_RETENTION_DAYS (run daily from cron).")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@with_appcontext
@in_cli_language
def purge(dry_run: bool) -> None:
    days = int(current_app.config["RETENTION_DAYS"])
    session = new_session()
    try:
        report = retention.purge(session, days, dry_run=dry_run)
    finally:
        session.close()
    click.echo(_("Retention: %(days)s days (tips finished before %(cutoff)s UTC).", days=days,
                 cutoff=f"{report.cutoff:%Y-%m-%d %H:%M}"))
    counts = {"contacts": len(report.contact_tip_ids), "photos": report.photos, "photo_tips": len(report.photo_tip_ids)}
    if dry_run:
        click.echo(_("Would remove: contact details of %(contacts)s tips, %(photos)s photos of %(photo_tips)s tips.",
                     **counts))
    else:
        click.echo(_("Removed: contact details of %(contacts)s tips, %(photos)s photos of %(photo_tips)s tips.",
                     **counts))
    if report.tip_ids:
        click.echo(_("Tips: %(ids)s", ids=", ".join(str(tip_id) for tip_id in report.tip_ids)))
    if report.inquiry_ids:
        click.echo(_("Family contact details of closed inquiries: %(ids)s",
                     ids=", ".join(str(inquiry_id) for inquiry_id in report.inquiry_ids)))


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(content_cli)
    for command in (demo, seed_teams, backup, restore, purge):
        app.cli.add_command(command)
    from portal.staff.cli import staff_cli  # staff accounts: flask staff create / reset-second-factor / list
    app.cli.add_command(staff_cli)
