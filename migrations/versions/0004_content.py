"""Public content: monuments (with text per language and photos), pages, figures, news.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _stamps(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.DateTime(timezone=True), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "monument",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("district_code", sa.String(4), nullable=True),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("built_year", sa.Integer(), nullable=True),
        sa.Column("restored_year", sa.Integer(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        *_stamps("created_at", "updated_at"),
        sa.UniqueConstraint("slug", name="uq_monument_slug"),
    )
    op.create_index("ix_monument_province_code", "monument", ["province_code"])
    op.create_index("ix_monument_published_province", "monument", ["published", "province_code"])

    op.create_table(
        "monument_text",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("monument_id", sa.Integer(),
                  sa.ForeignKey("monument.id", ondelete="CASCADE",
                                name="fk_monument_text_monument_id_monument"), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("visiting", sa.Text(), nullable=False),
        sa.Column("ceremonies", sa.Text(), nullable=False),
        sa.UniqueConstraint("monument_id", "lang", name="uq_monument_text_monument_id"),
    )

    op.create_table(
        "monument_photo",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("monument_id", sa.Integer(),
                  sa.ForeignKey("monument.id", ondelete="CASCADE",
                                name="fk_monument_photo_monument_id_monument"), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alt_vi", sa.String(300), nullable=False),
        sa.Column("alt_km", sa.String(300), nullable=False),
        sa.Column("alt_en", sa.String(300), nullable=False),
        sa.Column("credit", sa.String(200), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_stamps("created_at"),
    )
    op.create_index("ix_monument_photo_monument_id", "monument_photo", ["monument_id"])

    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        *_stamps("updated_at"),
        sa.UniqueConstraint("slug", name="uq_page_slug"),
    )
    op.create_table(
        "page_text",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("page_id", sa.Integer(),
                  sa.ForeignKey("page.id", ondelete="CASCADE", name="fk_page_text_page_id_page"),
                  nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("page_id", "lang", name="uq_page_text_page_id"),
    )

    op.create_table(
        "figure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("season", sa.String(9), nullable=True),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source_publisher", sa.String(200), nullable=False),
        sa.Column("source_title", sa.String(300), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=True),
        sa.Column("is_official", sa.Boolean(), nullable=False),
        *_stamps("created_at", "updated_at"),
    )
    op.create_index("ix_figure_season_province", "figure", ["season", "province_code"])
    op.create_table(
        "figure_text",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("figure_id", sa.Integer(),
                  sa.ForeignKey("figure.id", ondelete="CASCADE", name="fk_figure_text_figure_id_figure"),
                  nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.UniqueConstraint("figure_id", "lang", name="uq_figure_text_figure_id"),
    )

    op.create_table(
        "news_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("source_publisher", sa.String(200), nullable=False),
        sa.Column("source_title", sa.String(300), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_stamps("created_at", "updated_at"),
        sa.UniqueConstraint("slug", name="uq_news_item_slug"),
    )
    op.create_index("ix_news_item_published_on", "news_item", ["published_on"])
    op.create_table(
        "news_text",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("news_item_id", sa.Integer(),
                  sa.ForeignKey("news_item.id", ondelete="CASCADE",
                                name="fk_news_text_news_item_id_news_item"),
                  nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(600), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("news_item_id", "lang", name="uq_news_text_news_item_id"),
    )


def downgrade() -> None:
    op.drop_table("news_text")
    op.drop_index("ix_news_item_published_on", table_name="news_item")
    op.drop_table("news_item")
    op.drop_table("figure_text")
    op.drop_index("ix_figure_season_province", table_name="figure")
    op.drop_table("figure")
    op.drop_table("page_text")
    op.drop_table("page")
    op.drop_index("ix_monument_photo_monument_id", table_name="monument_photo")
    op.drop_table("monument_photo")
    op.drop_table("monument_text")
    op.drop_index("ix_monument_published_province", table_name="monument")
    op.drop_index("ix_monument_province_code", table_name="monument")
    op.drop_table("monument")
