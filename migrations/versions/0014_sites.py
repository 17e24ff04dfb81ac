"""Sites, search teams and their visits; a tip tells about a site (``tips.site_id``) (#18).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SITE_STATUS = ("reported", "survey_planned", "surveyed", "excavation", "remains_recovered", "nothing_found",
               "repatriated")
VISIT_FINDING = ("surveyed", "signs_found", "remains_recovered", "nothing_found")


def _enum(name: str, values: tuple[str, ...], length: int = 20) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def upgrade() -> None:
    op.create_table(
        "search_teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("season", sa.String(9), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.UniqueConstraint("code", name="uq_search_teams_code"),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", _enum("site_status", SITE_STATUS), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("district_code", sa.String(4), nullable=True),
        sa.Column("commune_code", sa.String(6), nullable=True),
        sa.Column("village_code", sa.String(8), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("uncertainty_m", sa.Integer(), nullable=True),
        sa.Column("corroboration", sa.Integer(), nullable=False),
        sa.Column("tip_count", sa.Integer(), nullable=False),
        sa.Column("season", sa.String(9), nullable=True),
        sa.Column("team_id", sa.Integer(),
                  sa.ForeignKey("search_teams.id", name="fk_sites_team_id_search_teams", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("planned_month", sa.Date(), nullable=True),
        sa.Column("remains_count", sa.Integer(), nullable=False),
        sa.Column("surveyed_on", sa.Date(), nullable=True),
        sa.Column("recovered_on", sa.Date(), nullable=True),
        sa.Column("repatriated_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_sites_status_id", "sites", ["status", "id"])
    op.create_index("ix_sites_corroboration_id", "sites", ["corroboration", "id"])
    op.create_index("ix_sites_province_id", "sites", ["province_code", "id"])
    op.create_index("ix_sites_team_season", "sites", ["team_id", "season", "planned_month", "id"])
    op.create_index("ix_sites_commune_code", "sites", ["commune_code"])
    op.create_index("ix_sites_latitude", "sites", ["latitude"])
    op.create_table(
        "site_visits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(),
                  sa.ForeignKey("sites.id", name="fk_site_visits_site_id_sites", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("team_id", sa.Integer(),
                  sa.ForeignKey("search_teams.id", name="fk_site_visits_team_id_search_teams",
                                ondelete="SET NULL"), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("finding", _enum("visit_finding", VISIT_FINDING), nullable=False),
        sa.Column("remains_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(),
                  sa.ForeignKey("staff_user.id", name="fk_site_visits_staff_id_staff_user", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_site_visits_site_id", "site_visits", ["site_id", "id"])
    # Added in place, never by rebuilding ``tips`` (on SQLite a rebuild drops the old table, whose
    # implicit DELETE would cascade to the tips' photos and messages).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE tips ADD COLUMN site_id INTEGER "
                   "CONSTRAINT fk_tips_site_id_sites REFERENCES sites (id)")
    else:
        op.add_column("tips", sa.Column("site_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_tips_site_id_sites", "tips", "sites", ["site_id"], ["id"])
    op.create_index("ix_tips_site_id", "tips", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_tips_site_id", table_name="tips")
    if op.get_bind().dialect.name == "sqlite":
        # A column-level foreign key does not stop SQLite (3.35+) dropping the column in place;
        # rebuilding ``tips`` would cascade (see upgrade).
        op.execute("ALTER TABLE tips DROP COLUMN site_id")
    else:
        op.drop_constraint("fk_tips_site_id_sites", "tips", type_="foreignkey")
        op.drop_column("tips", "site_id")
    op.drop_index("ix_site_visits_site_id", table_name="site_visits")
    op.drop_table("site_visits")
    for index in ("ix_sites_latitude", "ix_sites_commune_code", "ix_sites_team_season", "ix_sites_province_id",
                  "ix_sites_corroboration_id", "ix_sites_status_id"):
        op.drop_index(index, table_name="sites")
    op.drop_table("sites")
    op.drop_table("search_teams")
