"""Retention and duplicates: when a tip's status last changed, and a latitude index.

``status_changed_at`` is filled from ``updated_at`` for the tips that exist already.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE tips SET status_changed_at = updated_at")
    with op.batch_alter_table("tips") as batch:
        batch.alter_column("status_changed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_tips_status_changed", ["status", "status_changed_at"])
        batch.create_index("ix_tips_latitude", ["latitude"])


def downgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.drop_index("ix_tips_latitude")
        batch.drop_index("ix_tips_status_changed")
        batch.drop_column("status_changed_at")
