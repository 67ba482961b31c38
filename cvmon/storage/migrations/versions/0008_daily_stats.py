"""Daily roll-ups of the hourly figures, per local calendar day, kept for years.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_stats",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("zone_kind", sa.String(length=32), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("count_sum", sa.Integer(), nullable=False),
        sa.Column("count_max", sa.Integer(), nullable=False),
        sa.Column("seconds_observed", sa.Float(), nullable=False),
        sa.Column("seconds_staffed", sa.Float(), nullable=False),
        sa.Column("seconds_offline", sa.Float(), nullable=False),
        sa.Column("seconds_over_capacity", sa.Float(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("visit_seconds_sum", sa.Float(), nullable=False),
        sa.Column("visit_hist", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "hours >= 0 AND samples >= 0 AND count_sum >= 0 AND count_max >= 0 AND visits >= 0 "
            "AND seconds_observed >= 0 AND seconds_staffed >= 0 AND seconds_offline >= 0 "
            "AND seconds_over_capacity >= 0 AND visit_seconds_sum >= 0",
            name=op.f("ck_daily_stats_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id", "zone_id"],
            ["zones.camera_id", "zones.zone_id"],
            name=op.f("fk_daily_stats_camera_id_zone_id_zones"),
        ),
        sa.PrimaryKeyConstraint("camera_id", "zone_id", "day", name=op.f("pk_daily_stats")),
    )
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.create_index("ix_daily_stats_day", ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("daily_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_stats_day")
    op.drop_table("daily_stats")
