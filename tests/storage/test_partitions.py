"""PostgreSQL's month partitions of the minute tables: made by the migration and ahead of time,
rows routed to their month, late rows moved out of the default partition, emptied months dropped
by retention after their roll-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from cvmon.config.models import RetentionConfig
from cvmon.storage import Database
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.partitions import (
    PARTITIONED_TABLES,
    create_month,
    ensure_partitions,
    is_partitioned,
    month_start,
    monthly_partitions,
    next_month,
)
from cvmon.storage.retention import hourly_rows, run_retention
from tests.storage.conftest import make_camera_minute, make_minute_row

pytestmark = pytest.mark.postgres
NOW = datetime.now(UTC)


def where_rows_are(db: Database, table: str) -> dict[str, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1")).all()
    return {name: n for name, n in rows}


@pytest.fixture
def pg(synced: Database) -> Database:
    if synced.engine.dialect.name != "postgresql":
        pytest.skip("partitions exist on PostgreSQL only")
    return synced


def test_sqlite_tables_stay_plain(synced: Database) -> None:
    if synced.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite case")
    with synced.engine.connect() as conn:
        assert not any(is_partitioned(conn, t) for t in PARTITIONED_TABLES)
        assert ensure_partitions(conn, NOW) == []


def test_the_minute_tables_are_partitioned_by_month_ahead_of_time(pg: Database) -> None:
    this_month = month_start(NOW)
    wanted = [this_month, next_month(this_month), next_month(next_month(this_month))]
    with pg.engine.connect() as conn:
        for table in PARTITIONED_TABLES:
            assert is_partitioned(conn, table)
            assert set(wanted) <= set(monthly_partitions(conn, table))
    minute = NOW.replace(second=0, microsecond=0)
    MinuteRepository(pg).write_minutes(
        [make_minute_row(minute=minute)], [make_camera_minute(minute=minute)], source="test"
    )
    name = f"y{this_month.year:04d}m{this_month.month:02d}"
    assert where_rows_are(pg, "minute_stats") == {f"minute_stats_{name}": 1}
    assert where_rows_are(pg, "camera_minutes") == {f"camera_minutes_{name}": 1}
    assert where_rows_are(pg, "minute_parts") == {f"minute_parts_{name}": 1}
    assert where_rows_are(pg, "camera_minute_parts") == {f"camera_minute_parts_{name}": 1}


def test_a_month_made_late_takes_its_rows_out_of_the_default_partition(pg: Database) -> None:
    """ensure_partitions leaves a month whose rows already wait (cameras may be writing it);
    create_month, run where nothing writes that month, moves them into their partition."""
    old = datetime(2020, 2, 10, 9, 0, tzinfo=UTC)  # a recording of long ago
    MinuteRepository(pg).write_minutes(
        [make_minute_row(minute=old + timedelta(minutes=i)) for i in range(3)], source="test"
    )
    assert where_rows_are(pg, "minute_stats") == {"minute_stats_default": 3}
    assert where_rows_are(pg, "minute_parts") == {"minute_parts_default": 3}
    with pg.engine.begin() as conn:  # the months whose rows wait are not made
        assert ensure_partitions(conn, old, ahead=0) == ["camera_minutes_y2020m02", "camera_minute_parts_y2020m02"]
        assert create_month(conn, "minute_stats", month_start(old)) == "minute_stats_y2020m02"
        assert create_month(conn, "minute_parts", month_start(old)) == "minute_parts_y2020m02"
    assert where_rows_are(pg, "minute_stats") == {"minute_stats_y2020m02": 3}
    assert where_rows_are(pg, "minute_parts") == {"minute_parts_y2020m02": 3}
    assert len(MinuteRepository(pg).minute_rows()) == 3  # nothing lost on the way
    again = make_minute_row(minute=old + timedelta(minutes=1), count_sum=99)
    MinuteRepository(pg).write_minutes([again], source="test")  # the same part again, across partitions: replaced
    assert [r.count_sum for r in MinuteRepository(pg).minute_rows()].count(99) == 1 and len(
        MinuteRepository(pg).minute_rows()
    ) == 3


def test_retention_drops_a_month_once_its_rows_are_rolled_up(pg: Database, tmp_path: Path) -> None:
    old = datetime(2021, 5, 3, 8, 0, tzinfo=UTC)
    with pg.engine.begin() as conn:
        ensure_partitions(conn, old, ahead=0)
    MinuteRepository(pg).write_minutes(
        [make_minute_row(minute=old + timedelta(minutes=i)) for i in range(60)],
        [make_camera_minute(minute=old + timedelta(minutes=i)) for i in range(60)],
        source="test",
    )
    report = run_retention(pg, EvidenceStore(tmp_path), RetentionConfig(hourly_rows_days=10_000), NOW)
    assert report.minute_rows_deleted == 60 and report.partitions_dropped == len(PARTITIONED_TABLES)
    with pg.engine.connect() as conn:
        assert not any(month.year == 2021 for t in PARTITIONED_TABLES for month in monthly_partitions(conn, t))
    (hour,) = hourly_rows(pg)
    assert (hour.hour, hour.minutes, hour.final) == (old, 60, True)
    again = run_retention(pg, EvidenceStore(tmp_path), RetentionConfig(hourly_rows_days=10_000), NOW)
    assert (again.partitions_dropped, again.partitions_made) == (0, 0)
