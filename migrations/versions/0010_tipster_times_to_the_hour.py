"""Tipster-side times already stored are rounded down to the hour, like every new one.

A tip's received and updated times, its photos' times and its tipster's replies' times were stored
to the microsecond until issue #13, and such a time can be matched to an access-log line that holds
the tipster's address. New rows are written to the hour (``portal.models.tip.tipster_time``); this
rounds the rows written before. Staff messages keep their precision. Audit entries are append-only
(the database refuses UPDATE): their tipster-side rows written before this migration keep their
times; new ones are to the hour. There is nothing to undo: a rounded time cannot be restored.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (table, column, condition): what the tipster's side wrote.
TIPSTER_TIMES = (
    ("tips", "created_at", "1 = 1"),
    ("tips", "updated_at", "1 = 1"),
    ("tip_photos", "created_at", "1 = 1"),
    ("tip_messages", "created_at", "author_kind = 'tipster'"),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, condition in TIPSTER_TIMES:
        # SQLite keeps these as text 'YYYY-MM-DD HH:MM:SS.ffffff'; PostgreSQL as timestamptz.
        hour = f"strftime('%Y-%m-%d %H:00:00.000000', {column})" if sqlite else f"date_trunc('hour', {column})"
        op.execute(f"UPDATE {table} SET {column} = {hour} WHERE {column} IS NOT NULL AND {condition}")  # noqa: S608


def downgrade() -> None:
    pass  # rounding cannot be undone, and nothing depends on the finer times
