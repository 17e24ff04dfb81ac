"""The review queue: assignment, rejection reasons, duplicates, field outcomes, internal notes.

Joins the schema's branches (staff, tips, content, site state) into one head.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = ("0002", "0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("search_team", sa.String(120), nullable=True))
        batch.add_column(sa.Column("searched_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("remains_count", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_tips_assignee_id_staff_user", "staff_user", ["assignee_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_foreign_key("fk_tips_duplicate_of_id_tips", "tips", ["duplicate_of_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_tips_created_id", ["created_at", "id"])
        batch.create_index("ix_tips_province_created_id", ["province_code", "created_at", "id"])
        batch.create_index("ix_tips_district_created_id", ["district_code", "created_at", "id"])
        batch.create_index("ix_tips_assignee_created_id", ["assignee_id", "created_at", "id"])
    with op.batch_alter_table("tip_messages") as batch:
        batch.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_tip_messages_staff_id_staff_user", "staff_user", ["staff_id"], ["id"],
                                 ondelete="SET NULL")
    op.create_table(
        "tip_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tip_id", sa.Integer(), sa.ForeignKey("tips.id", name="fk_tip_notes_tip_id_tips",
                                                        ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(),
                  sa.ForeignKey("staff_user.id", name="fk_tip_notes_author_id_staff_user",
                                ondelete="SET NULL"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tip_notes_tip_created", "tip_notes", ["tip_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tip_notes_tip_created", table_name="tip_notes")
    op.drop_table("tip_notes")
    with op.batch_alter_table("tip_messages") as batch:
        batch.drop_constraint("fk_tip_messages_staff_id_staff_user", type_="foreignkey")
        batch.drop_column("staff_id")
    with op.batch_alter_table("tips") as batch:
        for index in ("ix_tips_assignee_created_id", "ix_tips_district_created_id",
                      "ix_tips_province_created_id", "ix_tips_created_id"):
            batch.drop_index(index)
        batch.drop_constraint("fk_tips_duplicate_of_id_tips", type_="foreignkey")
        batch.drop_constraint("fk_tips_assignee_id_staff_user", type_="foreignkey")
        for column in ("remains_count", "searched_on", "search_team", "duplicate_of_id", "rejection_reason",
                       "assignee_id"):
            batch.drop_column(column)
