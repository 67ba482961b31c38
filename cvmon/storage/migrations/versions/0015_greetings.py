"""Greetings (PS4): a staff zone's greeting figures, snapshots of missed greetings, reference greetings.

Every table of zone figures (minute rows and their parts, hourly and daily roll-ups) gains the
greeting counts of ``cvmon.figures.GREETING_COUNTS`` (0 for the rows already stored: nothing was
judged then); the evidence kinds widen with ``greeting_missed``; ``greeting_references`` holds each
staff zone's reference greeting as normalised keypoints. The downgrade drops them again (and the
rows of missed-greeting snapshots: their files become orphans that ``cvmon retention run`` removes).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

from cvmon.storage.columns import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURE_TABLES = ("minute_stats", "minute_parts", "hourly_stats", "daily_stats")
GREETING_COUNTS = ("greet_arrivals", "greeted", "greet_missed", "greet_unseen", "seated")
OLD_KINDS = "kind IN ('open', 'peak', 'periodic', 'room_reference', 'room_opening', 'room_check')"
NEW_KINDS = "kind IN ('open', 'peak', 'periodic', 'room_reference', 'room_opening', 'room_check', 'greeting_missed')"


def upgrade() -> None:
    for table in FIGURE_TABLES:
        for name in GREETING_COUNTS:
            op.add_column(table, sa.Column(name, sa.Integer(), server_default=text("0"), nullable=False))
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_evidence_kind"), NEW_KINDS)
    op.create_table(
        "greeting_references",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id", "zone_id"],
            ["zones.camera_id", "zones.zone_id"],
            name=op.f("fk_greeting_references_camera_id_zone_id_zones"),
        ),
        sa.PrimaryKeyConstraint("camera_id", "zone_id", name=op.f("pk_greeting_references")),
    )


def downgrade() -> None:
    op.drop_table("greeting_references")
    op.execute(text("DELETE FROM evidence WHERE kind = 'greeting_missed'"))
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_evidence_kind"), OLD_KINDS)
    for table in FIGURE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in GREETING_COUNTS:
                batch_op.drop_column(name)
