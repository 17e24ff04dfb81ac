"""The paper channel: distribution points, batches of printed forms and their reserved receipt codes;
a tip keyed in from a form remembers its distribution point.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

POINT_KINDS = ("commune_office", "pagoda", "school", "veterans", "provincial_committee", "other")


def _moment(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "distribution_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.Enum(*POINT_KINDS, name="point_kind", native_enum=False, length=24,
                                  create_constraint=False), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("district_code", sa.String(4), nullable=True),
        sa.Column("commune_code", sa.String(6), nullable=True),
        sa.Column("village_code", sa.String(8), nullable=True),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_phone", sa.String(60), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        _moment("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_distribution_points"),
    )
    op.create_table(
        "form_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("second_language", sa.String(5), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        _moment("created_at"),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("times_printed", sa.Integer(), nullable=False),
        sa.Column("returned_count", sa.Integer(), nullable=False),
        _moment("voided_at", nullable=True),
        sa.Column("void_reason", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_form_batches"),
        sa.ForeignKeyConstraint(["point_id"], ["distribution_points.id"], ondelete="RESTRICT",
                                name="fk_form_batches_point_id_distribution_points"),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff_user.id"], ondelete="SET NULL",
                                name="fk_form_batches_created_by_id_staff_user"),
    )
    op.create_index("ix_form_batches_point_id", "form_batches", ["point_id"])
    op.create_table(
        "printed_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(64), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        _moment("keyed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_printed_codes"),
        sa.ForeignKeyConstraint(["batch_id"], ["form_batches.id"], ondelete="CASCADE",
                                name="fk_printed_codes_batch_id_form_batches"),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], ondelete="SET NULL", name="fk_printed_codes_tip_id_tips"),
        sa.UniqueConstraint("receipt_hash", name="uq_printed_codes_receipt_hash"),
        sa.UniqueConstraint("tip_id", name="uq_printed_codes_tip_id"),
        sa.UniqueConstraint("batch_id", "serial", name="uq_printed_codes_batch_serial"),
    )
    op.create_index("ix_printed_codes_batch_tip", "printed_codes", ["batch_id", "tip_id"])
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("distribution_point_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_tips_distribution_point_id_distribution_points", "distribution_points",
                                 ["distribution_point_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_tips_distribution_point_id", ["distribution_point_id"])


def downgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.drop_index("ix_tips_distribution_point_id")
        batch.drop_constraint("fk_tips_distribution_point_id_distribution_points", type_="foreignkey")
        batch.drop_column("distribution_point_id")
    op.drop_index("ix_printed_codes_batch_tip", table_name="printed_codes")
    op.drop_table("printed_codes")
    op.drop_index("ix_form_batches_point_id", table_name="form_batches")
    op.drop_table("form_batches")
    op.drop_table("distribution_points")
