"""Tips from the public, their photos and their message threads.

There is no column for a client address, and only a keyed hash of each receipt code.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def _enum(name: str, values: tuple[str, ...], length: int = 20) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


TIP_STATUS = ("new", "in_review", "verified", "passed_to_team", "closed", "rejected", "duplicate")
TIP_OUTCOME = ("remains_recovered", "nothing_found", "already_known", "not_searchable")
TIP_CHANNEL = ("web", "phone", "paper", "in_person")
LOCATION_SOURCE = ("typed", "device", "photo")
HOW_KNOWN = ("saw", "told", "documents")
AUTHOR_KIND = ("tipster", "staff")


def upgrade() -> None:
    op.create_table(
        "tips",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", _enum("tip_status", TIP_STATUS), nullable=False),
        sa.Column("outcome", _enum("tip_outcome", TIP_OUTCOME, 30), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("district_code", sa.String(4), nullable=True),
        sa.Column("commune_code", sa.String(6), nullable=True),
        sa.Column("village_code", sa.String(8), nullable=True),
        sa.Column("place_description", sa.Text(), nullable=False),
        sa.Column("local_name", sa.String(200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("uncertainty_m", sa.Integer(), nullable=True),
        sa.Column("location_source", _enum("location_source", LOCATION_SOURCE, 10), nullable=True),
        sa.Column("what_seen", sa.Text(), nullable=False),
        sa.Column("how_known", _enum("how_known", HOW_KNOWN, 12), nullable=True),
        sa.Column("period", sa.String(200), nullable=False),
        sa.Column("estimated_graves", sa.Integer(), nullable=True),
        sa.Column("fallen_names", sa.Text(), nullable=False),
        sa.Column("fallen_unit", sa.String(300), nullable=False),
        sa.Column("fallen_hometown", sa.String(300), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("on_behalf_relationship", sa.String(200), nullable=True),
        sa.Column("contact_name", sa.String(200), nullable=True),
        sa.Column("contact_phone", sa.String(60), nullable=True),
        sa.Column("contact_email", sa.String(254), nullable=True),
        sa.Column("contact_messaging", sa.String(200), nullable=True),
        sa.Column("contact_language", sa.String(5), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("channel", _enum("tip_channel", TIP_CHANNEL), nullable=False),
        sa.Column("receipt_hash", sa.String(64), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_tips_idempotency_key"),
    )
    op.create_index("ix_tips_receipt_hash", "tips", ["receipt_hash"], unique=True)
    op.create_index("ix_tips_status_created_id", "tips", ["status", "created_at", "id"])
    op.create_index("ix_tips_province_code", "tips", ["province_code"])
    op.create_index("ix_tips_created_at", "tips", ["created_at"])

    op.create_table(
        "tip_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tip_id", sa.Integer(),
                  sa.ForeignKey("tips.id", ondelete="CASCADE", name="fk_tip_messages_tip_id_tips"),
                  nullable=False),
        sa.Column("author_kind", _enum("author_kind", AUTHOR_KIND, 10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tip_messages_tip_created", "tip_messages", ["tip_id", "created_at"])

    op.create_table(
        "tip_photos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tip_id", sa.Integer(),
                  sa.ForeignKey("tips.id", ondelete="CASCADE", name="fk_tip_photos_tip_id_tips"),
                  nullable=False),
        sa.Column("message_id", sa.Integer(),
                  sa.ForeignKey("tip_messages.id", ondelete="SET NULL",
                                name="fk_tip_photos_message_id_tip_messages"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("mime_type", sa.String(20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_tip_photos_tip_id", "tip_photos", ["tip_id"])
    op.create_index("ix_tip_photos_message_id", "tip_photos", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_tip_photos_message_id", table_name="tip_photos")
    op.drop_index("ix_tip_photos_tip_id", table_name="tip_photos")
    op.drop_table("tip_photos")
    op.drop_index("ix_tip_messages_tip_created", table_name="tip_messages")
    op.drop_table("tip_messages")
    op.drop_index("ix_tips_created_at", table_name="tips")
    op.drop_index("ix_tips_province_code", table_name="tips")
    op.drop_index("ix_tips_status_created_id", table_name="tips")
    op.drop_index("ix_tips_receipt_hash", table_name="tips")
    op.drop_table("tips")
