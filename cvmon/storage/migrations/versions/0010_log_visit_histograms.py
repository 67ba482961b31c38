"""Visit histograms in log-spaced buckets (layout 2, quantiles within 1.9 %), the layout stored with each.

Every stored histogram of ``minute_stats``, ``hourly_stats`` and ``daily_stats`` is rewritten from
the fixed buckets of layout 1 (a plain list of 28 counts) into layout 2
(``{"v": 2, "b": [[bucket, count], ...]}``, see ``cvmon.histogram``): each old bucket's visits are
placed evenly inside it, at the middles of as many equal parts, which is where its old linear
interpolation read them, and counted in the new bucket of that position. No visit is lost: every
row keeps its number of visits. A duration known only as "somewhere in 60-90 s" cannot become more
precise than that, so percentiles of old rows stay as good as they were; new rows are within 1.9 %.
Readers also accept layout 1 where it is still found (a spool written before this revision).

Rows without a visit hold the same histogram and are rewritten in one statement; the others row by
row. The downgrade puts each new bucket's visits into the old bucket of its value (counts kept).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from alembic import op
from sqlalchemy import Connection, text

from cvmon.histogram import DurationHistogram, from_legacy, to_legacy

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"minute_stats": "minute", "hourly_stats": "hour", "daily_stats": "day"}
BATCH = 1000


def upgrade() -> None:
    conn = op.get_bind()
    for table, time in TABLES.items():
        _rewrite(conn, table, time, _to_layout_2)


def downgrade() -> None:
    conn = op.get_bind()
    for table, time in TABLES.items():
        _rewrite(conn, table, time, _to_layout_1)


def _to_layout_2(stored: Any) -> Any | None:
    if isinstance(stored, dict):
        return None  # already layout 2
    return from_legacy([int(v) for v in stored]).to_json()


def _to_layout_1(stored: Any) -> Any | None:
    if not isinstance(stored, dict):
        return None
    return to_legacy(DurationHistogram.from_json(stored))


def _rewrite(conn: Connection, table: str, time: str, convert: Callable[[Any], Any | None]) -> None:
    """Convert every histogram of ``table``: the rows without a visit by their (few) distinct texts, the
    others by key, in batches."""
    value = "CAST(:new AS json)" if conn.dialect.name == "postgresql" else ":new"
    empty = conn.execute(text(f"SELECT DISTINCT CAST(visit_hist AS TEXT) FROM {table} WHERE visits = 0")).scalars()
    for old in list(empty):
        new = convert(json.loads(old))
        if new is not None:
            conn.execute(
                text(f"UPDATE {table} SET visit_hist = {value} WHERE visits = 0 AND CAST(visit_hist AS TEXT) = :old"),
                {"new": json.dumps(new), "old": old},
            )
    rows = conn.execute(
        text(f"SELECT camera_id, zone_id, {time}, CAST(visit_hist AS TEXT) FROM {table} WHERE visits <> 0")
    ).all()
    update = text(f"UPDATE {table} SET visit_hist = {value} WHERE camera_id = :c AND zone_id = :z AND {time} = :t")
    changes = []
    for camera_id, zone_id, ts, old in rows:
        new = convert(json.loads(old))
        if new is not None:
            changes.append({"new": json.dumps(new), "c": camera_id, "z": zone_id, "t": ts})
    for start in range(0, len(changes), BATCH):
        conn.execute(update, changes[start : start + BATCH])
