"""Staff sign-in hardening: server-side sessions, per-client sign-in throttle, set-up link proofs.

``staff_session`` holds one row per signed-in browser (the cookie only carries a random id whose
SHA-256 is stored). ``staff_sign_in_throttle`` counts failed sign-ins per account name and client
(both keyed hashes). Set-up links get ``opened_at`` and ``proof_hash`` (a link works in the
browser that opened it first). ``staff_user.totp_secret`` is widened to hold ciphertext; on
SQLite the length is not enforced, so the column is left as it is there rather than rebuilding
the table. Existing clear TOTP secrets keep working until ``flask staff rotate-totp-key``
encrypts them (a migration does not know the key). Downgrading on PostgreSQL needs every secret
back in clear first, which no command does: restore a backup instead.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(30), nullable=False),
        sa.Column("user_agent", sa.String(60), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_session"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE",
                                name="fk_staff_session_user_id_staff_user"),
        sa.UniqueConstraint("token_hash", name="uq_staff_session_token_hash"),
    )
    op.create_index("ix_staff_session_user_active", "staff_session", ["user_id", "ended_at"])
    op.create_table(
        "staff_sign_in_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_hash", sa.String(64), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sign_in_throttle"),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE",
                                name="fk_staff_sign_in_throttle_user_id_staff_user"),
        sa.UniqueConstraint("account_hash", "client_hash", name="uq_staff_sign_in_throttle_account_client"),
    )
    op.create_index("ix_staff_sign_in_throttle_user_id", "staff_sign_in_throttle", ["user_id"])
    with op.batch_alter_table("staff_setup_link") as batch:
        batch.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("proof_hash", sa.String(64), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("staff_user", "totp_secret", existing_type=sa.String(64), type_=sa.String(255),
                        existing_nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("staff_user", "totp_secret", existing_type=sa.String(255), type_=sa.String(64),
                        existing_nullable=True)
    with op.batch_alter_table("staff_setup_link") as batch:
        batch.drop_column("proof_hash")
        batch.drop_column("opened_at")
    op.drop_index("ix_staff_sign_in_throttle_user_id", table_name="staff_sign_in_throttle")
    op.drop_table("staff_sign_in_throttle")
    op.drop_index("ix_staff_session_user_active", table_name="staff_session")
    op.drop_table("staff_session")
