"""Configuration history: the periods over which each camera and zone was configured, with its settings.

``camera_versions`` and ``zone_versions`` hold one row per period ``[valid_from, valid_to)`` of a camera
or zone (see ``cvmon.storage.config_history``); the open period (``valid_to`` NULL) is the configuration
now. Every camera and zone stored before this revision gets one open period, from the first data or
event of its camera (else the camera's ``updated_at``), with the settings its row holds and the service
hours and rules unknown (NULL): reports count such a period by the configuration of the day, as before.
The next ``sync_config`` closes the period of a camera or zone no longer configured where its data ends.
The downgrade drops both tables.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection, text

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "camera_versions",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("source_kind", sa.String(length=8), nullable=False),
        sa.Column("analysis_fps", sa.Float(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("service_hours", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"], name=op.f("fk_camera_versions_camera_id_cameras")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_camera_versions_unit_id_units")),
        sa.PrimaryKeyConstraint("camera_id", "valid_from", name=op.f("pk_camera_versions")),
    )
    op.create_table(
        "zone_versions",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("queue_zone_id", sa.String(length=64), nullable=True),
        sa.Column("counter_zone_id", sa.String(length=64), nullable=True),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id", "zone_id"],
            ["zones.camera_id", "zones.zone_id"],
            name=op.f("fk_zone_versions_camera_id_zone_id_zones"),
        ),
        sa.PrimaryKeyConstraint("camera_id", "zone_id", "valid_from", name=op.f("pk_zone_versions")),
    )
    _carry_forward(op.get_bind())


def downgrade() -> None:
    op.drop_table("zone_versions")
    op.drop_table("camera_versions")


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


CAMERA_VERSIONS = sa.table(
    "camera_versions",
    *(sa.column(name) for name in ("camera_id", "unit_id", "name", "source_kind", "analysis_fps")),
    sa.column("valid_from", sa.DateTime(timezone=True)),
)
ZONE_VERSIONS = sa.table(
    "zone_versions",
    *(sa.column(name) for name in ("camera_id", "zone_id", "kind", "name", "capacity")),
    *(sa.column(name) for name in ("queue_zone_id", "counter_zone_id")),
    sa.column("points", sa.JSON()),
    sa.column("valid_from", sa.DateTime(timezone=True)),
)


def _bind(conn: Connection, moment: datetime) -> datetime:
    """A UTC instant as the column stores it (naive UTC on SQLite, like ``UTCDateTime``)."""
    return moment.replace(tzinfo=None) if conn.dialect.name == "sqlite" else moment


def _carry_forward(conn: Connection) -> None:
    """One open period per stored camera and zone, from the camera's first data (or its ``updated_at``)."""
    starts: dict[str, datetime] = {}
    cameras = conn.execute(text("SELECT id, unit_id, name, source_kind, analysis_fps, updated_at FROM cameras"))
    for camera_id, unit_id, name, source_kind, fps, updated_at in cameras.all():
        first = [_utc(updated_at)]
        for query in (
            "SELECT min(minute) FROM camera_minutes WHERE camera_id = :c",
            "SELECT min(ts) FROM camera_events WHERE camera_id = :c",
        ):
            found = conn.execute(text(query), {"c": camera_id}).scalar()
            if found is not None:
                first.append(_utc(found))
        starts[camera_id] = min(first)
        values = {"unit_id": unit_id, "name": name, "source_kind": source_kind, "analysis_fps": fps}
        conn.execute(
            CAMERA_VERSIONS.insert().values(camera_id=camera_id, valid_from=_bind(conn, starts[camera_id]), **values)
        )
    zones = conn.execute(
        text("SELECT camera_id, zone_id, kind, name, capacity, queue_zone_id, counter_zone_id, points FROM zones")
    )
    for camera_id, zone_id, kind, name, capacity, queue, counter, points in zones.all():
        conn.execute(
            ZONE_VERSIONS.insert().values(
                camera_id=camera_id,
                zone_id=zone_id,
                valid_from=_bind(conn, starts[camera_id]),
                kind=kind,
                name=name,
                capacity=capacity,
                queue_zone_id=queue,
                counter_zone_id=counter,
                points=json.loads(points) if isinstance(points, str) else points,  # SQLite returns JSON as text
            )
        )
