"""Minute rows are rolled up into hourly rows before they are deleted, and the roll-up is idempotent."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from cvmon.config.models import RetentionConfig
from cvmon.histogram import DurationHistogram
from cvmon.storage import Database
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.retention import HourlyRow, RetentionReport, hour_start, hourly_rows, run_retention
from cvmon.types import MinuteRow
from tests.retention.conftest import (
    CURRENT_HOUR,
    DAY,
    HOUR,
    HOURLY_CUTOFF,
    MINUTE_CUTOFF,
    NOW,
    POLICY,
    Seeded,
    varied_row,
)


def expected_hourly(
    rows: list[MinuteRow], final_before: datetime, since: datetime = HOURLY_CUTOFF, until: datetime = CURRENT_HOUR
) -> list[HourlyRow]:
    """Hourly rows summed by hand from minute rows, for the hours in ``[since, until)``."""
    groups: dict[tuple[str, str, datetime], list[MinuteRow]] = defaultdict(list)
    for row in rows:
        hour = row.minute.replace(minute=0)
        if since <= hour < until:
            groups[(row.camera_id, row.zone_id, hour)].append(row)
    out = []
    for (camera_id, zone_id, hour), group in sorted(groups.items()):
        hist = DurationHistogram()
        for row in group:
            hist = hist + row.visit_hist
        out.append(
            HourlyRow(
                camera_id=camera_id,
                zone_id=zone_id,
                zone_kind=group[0].zone_kind,
                hour=hour,
                minutes=len(group),
                samples=sum(r.samples for r in group),
                count_sum=sum(r.count_sum for r in group),
                count_max=max(r.count_max for r in group),
                seconds_observed=sum(r.seconds_observed for r in group),
                seconds_staffed=sum(r.seconds_staffed for r in group),
                seconds_offline=sum(r.seconds_offline for r in group),
                seconds_over_capacity=sum(r.seconds_over_capacity for r in group),
                visits=sum(r.visits for r in group),
                visit_seconds_sum=sum(r.visit_seconds_sum for r in group),
                visit_hist=hist,
                final=hour < final_before,
            )
        )
    return out


def test_hourly_rows_are_the_sums_of_the_minute_rows(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    report = run_retention(synced, store, POLICY, NOW)

    expected = expected_hourly(seeded.rows, MINUTE_CUTOFF)
    assert hourly_rows(synced) == expected
    assert any(h.final for h in expected) and any(not h.final for h in expected)
    assert any(h.visits > 1 for h in expected) and any(h.count_max > 0 for h in expected)
    assert report.hours_rolled_up == sum(not h.final for h in expected)
    assert report.hours_finalised == sum(h.final for h in expected)


def test_old_minute_rows_are_deleted_by_whole_hours(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    report = run_retention(synced, store, POLICY, NOW)

    kept = [r for r in seeded.rows if r.minute >= MINUTE_CUTOFF]
    assert MinuteRepository(synced).minute_rows() == sorted(kept, key=lambda r: (r.camera_id, r.zone_id, r.minute))
    assert report.minute_rows_deleted == len(seeded.rows) - len(kept)
    assert min(r.minute for r in kept) == MINUTE_CUTOFF  # the cutoff hour is kept whole...
    assert any(r.minute.replace(minute=0) == MINUTE_CUTOFF - HOUR for r in seeded.rows)  # ...the one before is gone
    kept_cameras = sorted(
        (c for c in seeded.cameras if c.minute >= MINUTE_CUTOFF), key=lambda c: (c.camera_id, c.minute)
    )
    assert MinuteRepository(synced).camera_minutes() == kept_cameras
    assert report.camera_minutes_deleted == len(seeded.cameras) - len(kept_cameras)
    # Hours older than the hourly period are not rolled up; the current hour is not complete yet.
    hours = {h.hour for h in hourly_rows(synced)}
    assert min(hours) >= HOURLY_CUTOFF
    assert max(hours) == CURRENT_HOUR - HOUR


def test_running_twice_changes_nothing(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    run_retention(synced, store, POLICY, NOW)
    before = (
        hourly_rows(synced),
        MinuteRepository(synced).minute_rows(),
        MinuteRepository(synced).camera_minutes(),
        synced.count_rows(),
    )

    report = run_retention(synced, store, POLICY, NOW)

    assert report == RetentionReport()
    assert (
        hourly_rows(synced),
        MinuteRepository(synced).minute_rows(),
        MinuteRepository(synced).camera_minutes(),
        synced.count_rows(),
    ) == before


def test_minutes_arriving_later_update_a_kept_hour(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    run_retention(synced, store, POLICY, NOW)
    hour = CURRENT_HOUR - HOUR
    late = varied_row("cam-hall", "queue-1", "queue", hour + timedelta(minutes=42), 7)
    rerun = varied_row("cam-hall", "queue-1", "queue", hour, 99)  # same minute, same source: replaces it
    MinuteRepository(synced).write_minutes([late, rerun], source="test")

    report = run_retention(synced, store, POLICY, NOW)

    assert report.hours_rolled_up == 1
    replaced = ("cam-hall", "queue-1", hour)
    rows = [r for r in seeded.rows if (r.camera_id, r.zone_id, r.minute) != replaced] + [late, rerun]
    assert hourly_rows(synced) == expected_hourly(rows, MINUTE_CUTOFF)


def test_a_final_hour_keeps_its_row_when_its_minutes_are_gone(
    synced: Database, seeded: Seeded, store: EvidenceStore
) -> None:
    first = run_retention(synced, store, POLICY, NOW)
    final = {(h.camera_id, h.zone_id, h.hour): h for h in hourly_rows(synced) if h.final}
    assert first.hours_finalised == len(final) > 0
    old_hour = MINUTE_CUTOFF - HOUR
    assert ("cam-hall", "queue-1", old_hour) in final
    # A late minute of a final hour (e.g. an old recording processed again) must not replace its sum.
    late = varied_row("cam-hall", "queue-1", "queue", old_hour + timedelta(minutes=10), 3)
    MinuteRepository(synced).write_minutes([late], source="test")

    second = run_retention(synced, store, POLICY, NOW)

    assert second.late_minute_rows_dropped == 1
    assert second.hours_finalised == second.hours_rolled_up == 0
    assert MinuteRepository(synced).minute_rows(end=MINUTE_CUTOFF) == []
    assert [h for h in hourly_rows(synced) if h.final] == list(final.values())


def test_a_later_run_finalises_newer_hours_and_keeps_older_ones(
    synced: Database, seeded: Seeded, store: EvidenceStore
) -> None:
    run_retention(synced, store, POLICY, NOW)
    later = NOW + DAY
    report = run_retention(synced, store, POLICY, later)

    # Everything rolled up before keeps its sums; the rows of the day that crossed the cutoff are final.
    hourly_cutoff = hour_start(later - timedelta(days=POLICY.hourly_rows_days))
    assert hourly_rows(synced) == expected_hourly(seeded.rows, MINUTE_CUTOFF + DAY, hourly_cutoff, CURRENT_HOUR + DAY)
    assert report.hours_finalised == len(
        {
            (r.camera_id, r.zone_id, r.minute.replace(minute=0))
            for r in seeded.rows
            if MINUTE_CUTOFF <= r.minute < MINUTE_CUTOFF + DAY
        }
    )
    assert report.hourly_rows_deleted == len(expected_hourly(seeded.rows, MINUTE_CUTOFF, HOURLY_CUTOFF, hourly_cutoff))
    assert report.hourly_rows_deleted > 0
    assert MinuteRepository(synced).minute_rows(end=MINUTE_CUTOFF + DAY) == []


def test_hourly_rows_are_deleted_after_their_period(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    run_retention(synced, store, POLICY, NOW)
    much_later = NOW + timedelta(days=10)

    report = run_retention(synced, store, POLICY, much_later)

    assert hourly_rows(synced) == []
    assert MinuteRepository(synced).minute_rows() == [] and MinuteRepository(synced).camera_minutes() == []
    assert report.hourly_rows_deleted > 0


def test_hourly_rows_filters(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    run_retention(synced, store, POLICY, NOW)
    every = hourly_rows(synced)
    start, end = MINUTE_CUTOFF - HOUR, CURRENT_HOUR - HOUR

    assert hourly_rows(synced, camera_id="cam-door") == [h for h in every if h.camera_id == "cam-door"]
    assert hourly_rows(synced, start=start, end=end) == [h for h in every if start <= h.hour < end]
    with pytest.raises(ValueError, match="timezone-aware"):
        hourly_rows(synced, start=datetime(2024, 5, 1))


def test_naive_now_is_refused(synced: Database, store: EvidenceStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        run_retention(synced, store, POLICY, datetime(2024, 5, 10, 10))


def test_a_policy_without_old_data_deletes_nothing(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    keep_all = RetentionConfig(minute_rows_days=30, hourly_rows_days=60, snapshots_days=30, alerts_days=60)

    report = run_retention(synced, store, keep_all, NOW)

    assert MinuteRepository(synced).minute_rows() == sorted(
        seeded.rows, key=lambda r: (r.camera_id, r.zone_id, r.minute)
    )
    assert report.minute_rows_deleted == report.hours_finalised == 0
    assert not any(h.final for h in hourly_rows(synced))
    assert {h.hour for h in hourly_rows(synced)} == {
        r.minute.replace(minute=0) for r in seeded.rows if r.minute < CURRENT_HOUR
    }


def test_workers_keep_writing_while_retention_runs(synced: Database, seeded: Seeded, store: EvidenceStore) -> None:
    """New minutes written during runs are all kept; the runs only touch old data."""
    errors: list[BaseException] = []
    written: list[MinuteRow] = []
    stop = threading.Event()

    def worker() -> None:
        minute = CURRENT_HOUR + timedelta(minutes=21)
        try:
            for i in range(30):
                row = varied_row("cam-door", "satpam", "post", minute + timedelta(minutes=i), i)
                MinuteRepository(synced).write_minutes([row], source="test")
                written.append(row)
        except BaseException as err:
            errors.append(err)
        finally:
            stop.set()

    thread = threading.Thread(target=worker)
    thread.start()
    runs = 0
    while not stop.is_set() or runs == 0:
        run_retention(synced, store, POLICY, NOW)
        runs += 1
    thread.join(timeout=60)

    assert errors == []
    assert (
        MinuteRepository(synced).minute_rows(camera_id="cam-door", start=CURRENT_HOUR + timedelta(minutes=21))
        == written
    )
    assert hourly_rows(synced) == expected_hourly(seeded.rows, MINUTE_CUTOFF)
