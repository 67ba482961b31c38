"""Staff or customer, and the flow through a camera's journey: more columns of zone figures.

Every table of zone figures (minute rows and their parts, hourly and daily roll-ups) gains the staff
counts of a customer zone (``cvmon.figures.STAFF_COUNTS``, ``staff_seconds``) and a camera's journey
counts (``FLOW_COUNTS``, ``journey_seconds_sum``, ``journey_hist``), 0 (an empty histogram) for the rows
already stored: nothing was measured then. The downgrade drops them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURE_TABLES = ("minute_stats", "minute_parts", "hourly_stats", "daily_stats")
COUNTS = (
    "staff_count_sum",
    "unsure_count_sum",
    "arrivals",
    "met_at_door",
    "joined_midway",
    "guided_before_queue",
    "queued",
    "abandoned",
    "reached_counter",
    "skipped_required",
    "journeys_unsure",
)
SECONDS = ("staff_seconds", "journey_seconds_sum")
EMPTY_HISTOGRAM_SQL = """'{"v": 2, "b": []}'"""


def upgrade() -> None:
    for table in FIGURE_TABLES:
        for name in COUNTS:
            op.add_column(table, sa.Column(name, sa.Integer(), server_default=text("0"), nullable=False))
        for name in SECONDS:
            op.add_column(table, sa.Column(name, sa.Float(), server_default=text("0"), nullable=False))
        op.add_column(
            table, sa.Column("journey_hist", sa.JSON(), server_default=text(EMPTY_HISTOGRAM_SQL), nullable=False)
        )


def downgrade() -> None:
    for table in FIGURE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in (*COUNTS, *SECONDS, "journey_hist"):
                batch_op.drop_column(name)
