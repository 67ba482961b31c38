"""Initial schema: units, cameras, zones, minute_stats, camera_events, camera_minutes.

Revision ID: 0001
Revises:
Create Date: 2025-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name="fk_units_parent_id_units"),
    )
    op.create_index("ix_units_parent_id", "units", ["parent_id"])

    op.create_table(
        "cameras",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("source_kind", sa.String(8), nullable=False),
        sa.Column("analysis_fps", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cameras"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_cameras_unit_id_units"),
        sa.CheckConstraint("source_kind IN ('rtsp', 'file')", name="ck_cameras_source_kind"),
    )
    op.create_index("ix_cameras_unit_id", "cameras", ["unit_id"])

    op.create_table(
        "zones",
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("zone_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("queue_zone_id", sa.String(64), nullable=True),
        sa.Column("counter_zone_id", sa.String(64), nullable=True),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", "zone_id", name="pk_zones"),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"], name="fk_zones_camera_id_cameras"),
    )

    op.create_table(
        "minute_stats",
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("zone_id", sa.String(64), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("zone_kind", sa.String(32), nullable=False),
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
        sa.Column("t_first_s", sa.Float(), nullable=False),
        sa.Column("t_last_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", "zone_id", "minute", name="pk_minute_stats"),
        sa.ForeignKeyConstraint(
            ["camera_id", "zone_id"],
            ["zones.camera_id", "zones.zone_id"],
            name="fk_minute_stats_camera_id_zone_id_zones",
        ),
        sa.CheckConstraint(
            "samples >= 0 AND count_sum >= 0 AND count_max >= 0 AND visits >= 0 "
            "AND seconds_observed >= 0 AND seconds_staffed >= 0 AND seconds_offline >= 0 "
            "AND seconds_over_capacity >= 0 AND visit_seconds_sum >= 0",
            name="ck_minute_stats_non_negative",
        ),
    )
    op.create_index("ix_minute_stats_camera_id_minute", "minute_stats", ["camera_id", "minute"])
    op.create_index("ix_minute_stats_minute", "minute_stats", ["minute"])

    op.create_table(
        "camera_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_camera_events"),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"], name="fk_camera_events_camera_id_cameras"),
        sa.UniqueConstraint("camera_id", "ts", "kind", name="uq_camera_events_camera_id_ts_kind"),
        sa.CheckConstraint("kind IN ('online', 'offline')", name="ck_camera_events_kind"),
    )

    op.create_table(
        "camera_minutes",
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frames_analysed", sa.Integer(), nullable=False),
        sa.Column("seconds_online", sa.Float(), nullable=False),
        sa.Column("seconds_offline", sa.Float(), nullable=False),
        sa.Column("t_first_s", sa.Float(), nullable=False),
        sa.Column("t_last_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", "minute", name="pk_camera_minutes"),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"], name="fk_camera_minutes_camera_id_cameras"),
        sa.CheckConstraint(
            "frames_analysed >= 0 AND seconds_online >= 0 AND seconds_offline >= 0",
            name="ck_camera_minutes_non_negative",
        ),
    )
    op.create_index("ix_camera_minutes_minute", "camera_minutes", ["minute"])


def downgrade() -> None:
    op.drop_index("ix_camera_minutes_minute", table_name="camera_minutes")
    op.drop_table("camera_minutes")
    op.drop_table("camera_events")
    op.drop_index("ix_minute_stats_minute", table_name="minute_stats")
    op.drop_index("ix_minute_stats_camera_id_minute", table_name="minute_stats")
    op.drop_table("minute_stats")
    op.drop_table("zones")
    op.drop_index("ix_cameras_unit_id", table_name="cameras")
    op.drop_table("cameras")
    op.drop_index("ix_units_parent_id", table_name="units")
    op.drop_table("units")
