"""Families' inquiries, their messages and their links to tips and sites; the keys matching looks
up for each tip that names someone or a unit (filled here for the tips already stored); the audit
log read by subject (#19).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _enum(name: str, values: tuple[str, ...], length: int) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def _moment(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", _enum("inquiry_status", ("received", "looking", "closed"), 20), nullable=False),
        _moment("created_at"), _moment("updated_at"), _moment("status_changed_at"),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("receipt_hash", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=True),
        sa.Column("fallen_name", sa.String(200), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("hometown_written", sa.String(300), nullable=False),
        sa.Column("hometown_province_code", sa.String(2), nullable=True),
        sa.Column("hometown_commune_code", sa.String(5), nullable=True),
        sa.Column("unit", sa.String(300), nullable=False),
        sa.Column("death_date", sa.String(200), nullable=False),
        sa.Column("death_year", sa.Integer(), nullable=True),
        sa.Column("death_place", sa.String(300), nullable=False),
        sa.Column("death_province_code", sa.String(2), nullable=True),
        sa.Column("family_knows", sa.Text(), nullable=False),
        sa.Column("dna_sample", _enum("dna_sample", ("yes", "no", "unsure"), 10), nullable=True),
        sa.Column("relationship_to_fallen", sa.String(200), nullable=True),
        sa.Column("contact_name", sa.String(200), nullable=True),
        sa.Column("contact_phone", sa.String(60), nullable=True),
        sa.Column("contact_email", sa.String(254), nullable=True),
        sa.Column("contact_language", sa.String(5), nullable=True),
        sa.UniqueConstraint("receipt_hash", name="uq_inquiries_receipt_hash"),
        sa.UniqueConstraint("idempotency_key", name="uq_inquiries_idempotency_key"),
    )
    op.create_index("ix_inquiries_status_id", "inquiries", ["status", "id"])
    op.create_index("ix_inquiries_status_changed", "inquiries", ["status", "status_changed_at"])
    op.create_table(
        "inquiry_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inquiry_id", sa.Integer(), sa.ForeignKey("inquiries.id", ondelete="CASCADE",
                                                           name="fk_inquiry_messages_inquiry_id_inquiries"),
                  nullable=False),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="SET NULL",
                                                         name="fk_inquiry_messages_staff_id_staff_user"),
                  nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        _moment("created_at"),
    )
    op.create_index("ix_inquiry_messages_inquiry_id", "inquiry_messages", ["inquiry_id"])
    op.create_table(
        "inquiry_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inquiry_id", sa.Integer(), sa.ForeignKey("inquiries.id", ondelete="CASCADE",
                                                           name="fk_inquiry_links_inquiry_id_inquiries"),
                  nullable=False),
        sa.Column("tip_id", sa.Integer(), sa.ForeignKey("tips.id", ondelete="CASCADE",
                                                       name="fk_inquiry_links_tip_id_tips"), nullable=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="CASCADE",
                                                        name="fk_inquiry_links_site_id_sites"), nullable=True),
        sa.Column("decision", _enum("link_decision", ("confirmed", "dismissed"), 10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("staff_user.id", ondelete="SET NULL",
                                                              name="fk_inquiry_links_decided_by_id_staff_user"),
                  nullable=True),
        _moment("decided_at"),
        sa.UniqueConstraint("inquiry_id", "tip_id", name="uq_inquiry_links_inquiry_tip"),
        sa.UniqueConstraint("inquiry_id", "site_id", name="uq_inquiry_links_inquiry_site"),
    )
    op.create_index("ix_inquiry_links_inquiry_id", "inquiry_links", ["inquiry_id"])
    op.create_index("ix_inquiry_links_tip_id", "inquiry_links", ["tip_id"])
    op.create_index("ix_inquiry_links_site_id", "inquiry_links", ["site_id"])
    keys = op.create_table(
        "tip_match_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tip_id", sa.Integer(), sa.ForeignKey("tips.id", ondelete="CASCADE",
                                                       name="fk_tip_match_keys_tip_id_tips"), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
    )
    op.create_index("ix_tip_match_keys_tip_id", "tip_match_keys", ["tip_id"])
    op.create_index("ix_tip_match_keys_key_tip", "tip_match_keys", ["key", "tip_id"])
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])

    # The keys of the tips already stored, worked out as new tips get theirs.
    from portal.services.inquiry_matching import tip_keys

    bind = op.get_bind()
    tips = sa.table("tips", sa.column("id", sa.Integer), sa.column("fallen_names", sa.Text),
                    sa.column("fallen_unit", sa.String))
    rows = bind.execute(sa.select(tips.c.id, tips.c.fallen_names, tips.c.fallen_unit)
                        .where(sa.or_(tips.c.fallen_names != "", tips.c.fallen_unit != ""))).all()
    values = [{"tip_id": tip_id, "key": key} for tip_id, names, unit in rows for key in tip_keys(names, unit)]
    for start in range(0, len(values), 1000):
        op.bulk_insert(keys, values[start:start + 1000])


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_index("ix_tip_match_keys_key_tip", table_name="tip_match_keys")
    op.drop_index("ix_tip_match_keys_tip_id", table_name="tip_match_keys")
    op.drop_table("tip_match_keys")
    for name in ("ix_inquiry_links_site_id", "ix_inquiry_links_tip_id", "ix_inquiry_links_inquiry_id"):
        op.drop_index(name, table_name="inquiry_links")
    op.drop_table("inquiry_links")
    op.drop_index("ix_inquiry_messages_inquiry_id", table_name="inquiry_messages")
    op.drop_table("inquiry_messages")
    op.drop_index("ix_inquiries_status_changed", table_name="inquiries")
    op.drop_index("ix_inquiries_status_id", table_name="inquiries")
    op.drop_table("inquiries")
