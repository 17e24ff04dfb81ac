"""Staff accounts, their recovery codes and one-time set-up links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(60), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("role", sa.Enum("moderator", "editor", "admin", name="role", native_enum=False,
                                  length=20, create_constraint=False), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_confirmed", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("session_generation", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_user"),
        sa.UniqueConstraint("username", name="uq_staff_user_username"),
        sa.CheckConstraint("role IN ('moderator', 'editor', 'admin')", name=op.f("ck_staff_user_role")),
    )
    op.create_table(
        "staff_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_recovery_code"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE",
                                name="fk_staff_recovery_code_user_id_staff_user"),
    )
    op.create_index("ix_staff_recovery_code_user_id", "staff_recovery_code", ["user_id"])
    op.create_table(
        "staff_setup_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_setup_link"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE",
                                name="fk_staff_setup_link_user_id_staff_user"),
        sa.UniqueConstraint("token_hash", name="uq_staff_setup_link_token_hash"),
    )
    op.create_index("ix_staff_setup_link_user_id", "staff_setup_link", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_staff_setup_link_user_id", table_name="staff_setup_link")
    op.drop_table("staff_setup_link")
    op.drop_index("ix_staff_recovery_code_user_id", table_name="staff_recovery_code")
    op.drop_table("staff_recovery_code")
    op.drop_table("staff_user")
