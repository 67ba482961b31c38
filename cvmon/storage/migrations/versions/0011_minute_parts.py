"""Write identity: every minute write is stored as its source's part of the minute.

``minute_parts`` and ``camera_minute_parts`` hold one row per key and write source (see
``Database.write_minutes``); ``minute_stats`` and ``camera_minutes`` stay the tables everything reads,
kept as the sum of their key's parts. Every row stored before this revision becomes its key's only
part, of the source ``legacy``, so every sum is what the row held. On PostgreSQL the parts tables are
partitioned by month like the minute tables (``cvmon.storage.partitions``). The downgrade drops them
(the minute rows keep their sums).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection, text

from cvmon.storage.partitions import create_month, ensure_partitions

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY = "legacy"
PARTS = {"minute_parts": "minute_stats", "camera_minute_parts": "camera_minutes"}
ZONE_COLUMNS = (
    "camera_id, zone_id, minute, zone_kind, samples, count_sum, count_max, seconds_observed, seconds_staffed, "
    "seconds_offline, seconds_over_capacity, visits, visit_seconds_sum, visit_hist, t_first_s, t_last_s"
)
CAMERA_COLUMNS = (
    "camera_id, minute, frames_analysed, seconds_online, seconds_offline, t_first_s, t_last_s, "
    "inference_ms_sum, inference_ms_max, frames_detected"
)


def upgrade() -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    partitioned: dict[str, Any] = {"postgresql_partition_by": "RANGE (minute)"} if postgres else {}
    op.create_table(
        "minute_parts",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("t_first_s", sa.Float(), nullable=False),
        sa.Column("t_last_s", sa.Float(), nullable=False),
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
            "samples >= 0 AND count_sum >= 0 AND count_max >= 0 AND visits >= 0 "
            "AND seconds_observed >= 0 AND seconds_staffed >= 0 AND seconds_offline >= 0 "
            "AND seconds_over_capacity >= 0 AND visit_seconds_sum >= 0",
            name=op.f("ck_minute_parts_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id", "zone_id"],
            ["zones.camera_id", "zones.zone_id"],
            name=op.f("fk_minute_parts_camera_id_zone_id_zones"),
        ),
        sa.PrimaryKeyConstraint("camera_id", "zone_id", "minute", "source", name=op.f("pk_minute_parts")),
        **partitioned,
    )
    op.create_index("ix_minute_parts_minute", "minute_parts", ["minute"])
    op.create_table(
        "camera_minute_parts",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("frames_analysed", sa.Integer(), nullable=False),
        sa.Column("seconds_online", sa.Float(), nullable=False),
        sa.Column("seconds_offline", sa.Float(), nullable=False),
        sa.Column("t_first_s", sa.Float(), nullable=False),
        sa.Column("t_last_s", sa.Float(), nullable=False),
        sa.Column("inference_ms_sum", sa.Float(), nullable=False),
        sa.Column("inference_ms_max", sa.Float(), nullable=False),
        sa.Column("frames_detected", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "frames_analysed >= 0 AND seconds_online >= 0 AND seconds_offline >= 0",
            name=op.f("ck_camera_minute_parts_non_negative"),
        ),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"], name=op.f("fk_camera_minute_parts_camera_id_cameras")),
        sa.PrimaryKeyConstraint("camera_id", "minute", "source", name=op.f("pk_camera_minute_parts")),
        **partitioned,
    )
    op.create_index("ix_camera_minute_parts_minute", "camera_minute_parts", ["minute"])
    if postgres:
        for parts, rows in PARTS.items():
            _partition_like(conn, parts, rows)
        ensure_partitions(conn, datetime.now(UTC))
    for parts, rows, columns in (
        ("minute_parts", "minute_stats", ZONE_COLUMNS),
        ("camera_minute_parts", "camera_minutes", CAMERA_COLUMNS),
    ):
        conn.execute(
            text(f"INSERT INTO {parts} ({columns}, source) SELECT {columns}, :legacy FROM {rows}"), {"legacy": LEGACY}
        )


def downgrade() -> None:
    op.drop_index("ix_camera_minute_parts_minute", table_name="camera_minute_parts")
    op.drop_table("camera_minute_parts")
    op.drop_index("ix_minute_parts_minute", table_name="minute_parts")
    op.drop_table("minute_parts")


def _partition_like(conn: Connection, parts: str, rows: str) -> None:
    """The default partition of ``parts`` and a partition for every month that ``rows`` holds."""
    conn.execute(text(f'CREATE TABLE "{parts}_default" PARTITION OF "{parts}" DEFAULT'))
    months = conn.execute(text(f"SELECT DISTINCT date_trunc('month', minute AT TIME ZONE 'UTC') FROM \"{rows}\""))
    for month in sorted(months.scalars()):
        create_month(conn, parts, month.replace(tzinfo=UTC))
