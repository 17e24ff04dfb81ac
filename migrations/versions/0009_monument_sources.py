"""Monument sources: the public reports a monument's facts come from, and an approximate-position flag.

``monument_source`` holds one row per report cited on a monument's page (publisher, title, date as
precise as the report gives it, address, the report's language). ``monument.position_approximate``
says the place shown (and any coordinates) is only the town or province, because no report gives
the monument's own position. The reviewed monuments themselves are loaded by
``flask content load-monuments`` (``portal/data/monuments.py``), not by this migration.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monument") as batch:
        batch.add_column(sa.Column("position_approximate", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "monument_source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("monument_id", sa.Integer(),
                  sa.ForeignKey("monument.id", ondelete="CASCADE",
                                name="fk_monument_source_monument_id_monument"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("published", sa.String(10), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
    )
    op.create_index("ix_monument_source_monument_id", "monument_source", ["monument_id"])


def downgrade() -> None:
    op.drop_index("ix_monument_source_monument_id", table_name="monument_source")
    op.drop_table("monument_source")
    with op.batch_alter_table("monument") as batch:
        batch.drop_column("position_approximate")
