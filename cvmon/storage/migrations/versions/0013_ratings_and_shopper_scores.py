"""Customer ratings per unit and day, and mystery-shopper scores per visit, touchpoint and aspect.

Two new tables, empty until the first import (``cvmon import ratings``, ``cvmon import mystery-shopper``
or the API); nothing existing changes. The downgrade drops both.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rating_days",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("csat_count", sa.Integer(), nullable=False),
        sa.Column("csat_mean", sa.Float(), nullable=True),
        sa.Column("nps_promoters", sa.Integer(), nullable=False),
        sa.Column("nps_passives", sa.Integer(), nullable=False),
        sa.Column("nps_detractors", sa.Integer(), nullable=False),
        sa.Column("ces_count", sa.Integer(), nullable=False),
        sa.Column("ces_mean", sa.Float(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "csat_count >= 0 AND nps_promoters >= 0 AND nps_passives >= 0 AND nps_detractors >= 0 AND ces_count >= 0",
            name=op.f("ck_rating_days_non_negative"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rating_days_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", "day", "channel", "service", name=op.f("pk_rating_days")),
    )
    with op.batch_alter_table("rating_days", schema=None) as batch_op:
        batch_op.create_index("ix_rating_days_day", ["day"], unique=False)
    op.create_table(
        "shopper_scores",
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("visit_time", sa.String(length=5), nullable=False),
        sa.Column("touchpoint", sa.String(length=64), nullable=False),
        sa.Column("aspect", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("weight > 0 AND score >= 0 AND score <= 100", name=op.f("ck_shopper_scores_score_range")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_shopper_scores_unit_id_units")),
        sa.PrimaryKeyConstraint(
            "unit_id", "visit_date", "visit_time", "touchpoint", "aspect", name=op.f("pk_shopper_scores")
        ),
    )
    with op.batch_alter_table("shopper_scores", schema=None) as batch_op:
        batch_op.create_index("ix_shopper_scores_visit_date", ["visit_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shopper_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_shopper_scores_visit_date")
    op.drop_table("shopper_scores")
    with op.batch_alter_table("rating_days", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_days_day")
    op.drop_table("rating_days")
