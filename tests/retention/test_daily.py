"""Daily roll-ups: each zone's figures per local calendar day (WITA here, UTC+8), summed from the
hourly rows, recomputed while late rows may come, filled in for old days, deleted after their period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cvmon.config.models import RetentionConfig
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.daily import RECHECK_DAYS, daily_rows, day_bounds
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.retention import hourly_rows, run_retention
from tests.storage.conftest import make_config, make_minute_row

POLICY = RetentionConfig(minute_rows_days=30, hourly_rows_days=60, daily_rows_days=400)
LATE_MAR_4 = datetime(2024, 3, 4, 15, 30, tzinfo=UTC)  # 23:30 WITA, 4 March
EARLY_MAR_5 = datetime(2024, 3, 4, 16, 10, tzinfo=UTC)  # 00:10 WITA, 5 March
NOW = datetime(2024, 3, 7, 9, 0, tzinfo=UTC)


def retention(db: Database, tmp_path: Path, now: datetime, policy: RetentionConfig = POLICY) -> dict[str, int]:
    return run_retention(db, EvidenceStore(tmp_path / "evidence"), policy, now).as_dict()


def test_a_local_day_sums_its_own_hours_in_its_time_zone(database: Database, tmp_path: Path) -> None:
    sync_config(database, make_config())
    MinuteRepository(database).write_minutes(
        [
            make_minute_row(minute=LATE_MAR_4, count_sum=100, count_max=3),
            make_minute_row(minute=LATE_MAR_4 + timedelta(minutes=1), count_sum=200, count_max=5),
            make_minute_row(minute=EARLY_MAR_5, count_sum=300, count_max=4),
        ],
        source="test",
    )
    report = retention(database, tmp_path, NOW)
    assert report["days_rolled_up"] == 2
    by_day = {r.day: r for r in daily_rows(database, "cam-hall")}
    mar4, mar5 = by_day[date(2024, 3, 4)], by_day[date(2024, 3, 5)]
    assert (mar4.hours, mar4.samples, mar4.count_sum, mar4.count_max) == (1, 600, 300, 5)
    assert (mar5.hours, mar5.samples, mar5.count_sum, mar5.count_max) == (1, 300, 300, 4)
    assert mar4.visits == 4 and mar4.visit_hist.total == 4  # two rows of two visits each
    assert mar4.mean_count == 0.5
    assert day_bounds(date(2024, 3, 5), ZoneInfo("Asia/Makassar")) == (
        datetime(2024, 3, 4, 16, tzinfo=UTC),
        datetime(2024, 3, 5, 16, tzinfo=UTC),
    )


def test_late_rows_change_a_recent_day_and_an_old_day_is_left_alone(database: Database, tmp_path: Path) -> None:
    sync_config(database, make_config())
    MinuteRepository(database).write_minutes([make_minute_row(minute=EARLY_MAR_5, count_sum=300)], source="test")
    retention(database, tmp_path, NOW)
    late = make_minute_row(minute=EARLY_MAR_5 + timedelta(hours=2), count_sum=60)
    MinuteRepository(database).write_minutes([late], source="test")  # from a spool
    retention(database, tmp_path, NOW)
    (mar5,) = daily_rows(database)
    assert (mar5.hours, mar5.count_sum) == (2, 360)
    # RECHECK_DAYS later the day is no longer recomputed, even when its hourly rows change
    later = NOW + timedelta(days=RECHECK_DAYS + 1)
    MinuteRepository(database).write_minutes(
        [make_minute_row(minute=EARLY_MAR_5 + timedelta(hours=3), count_sum=1)], source="test"
    )
    retention(database, tmp_path, later)
    assert [h.count_sum for h in hourly_rows(database)][-1] == 1  # the hour itself is rolled up
    assert daily_rows(database)[0].count_sum == 360


def test_old_days_are_filled_in_and_deleted_after_their_period(database: Database, tmp_path: Path) -> None:
    sync_config(database, make_config())
    days = [EARLY_MAR_5 + timedelta(days=i) for i in range(20)]
    MinuteRepository(database).write_minutes([make_minute_row(minute=m) for m in days], source="test")
    retention(database, tmp_path, NOW + timedelta(days=25), RetentionConfig(minute_rows_days=60, hourly_rows_days=60))
    assert len(daily_rows(database)) == 20  # older than the recheck window: filled in all the same
    short = RetentionConfig(minute_rows_days=60, hourly_rows_days=60, daily_rows_days=20)
    report = retention(database, tmp_path, NOW + timedelta(days=25), short)
    kept = [r.day for r in daily_rows(database)]
    assert report["daily_rows_deleted"] == 20 - len(kept) > 0
    assert min(kept) == (NOW + timedelta(days=25) - timedelta(days=20)).date()
