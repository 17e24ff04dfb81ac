"""Figures and news describe their source in each language (``source_title`` of their texts).

A figure's or news item's source was one line, entered in English, and read English on Vietnamese and
Khmer pages. Publisher and year stay on the figure or item; the description of the report now lives
with the other per-language texts, falling back to the one line when a language has none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("figure_text", "news_text")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("source_title", sa.String(300), nullable=False, server_default=""))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source_title")
