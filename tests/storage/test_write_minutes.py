"""write_minutes: insert, replace a re-run, merge a resumed minute, all or nothing; UTC round trips."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cvmon.errors import StorageError
from cvmon.histogram import DurationHistogram
from cvmon.storage import Database
from tests.storage.conftest import MINUTE, make_camera_minute, make_minute_row

WITA = ZoneInfo("Asia/Makassar")


def test_insert_round_trip(synced: Database) -> None:
    rows = [make_minute_row(), make_minute_row(zone_id="loket-1", zone_kind="counter_customer", visit_durations=())]
    synced.write_minutes(rows, [make_camera_minute()])
    assert synced.minute_rows() == sorted(rows, key=lambda r: (r.camera_id, r.zone_id, r.minute))
    assert synced.camera_minutes() == [make_camera_minute()]


def test_rerun_of_the_same_rows_replaces_not_doubles(synced: Database) -> None:
    rows = [make_minute_row(), make_minute_row(minute=MINUTE + timedelta(minutes=1))]
    synced.write_minutes(rows, [make_camera_minute()])
    synced.write_minutes(rows, [make_camera_minute()])
    assert synced.minute_rows() == rows
    assert synced.camera_minutes() == [make_camera_minute()]
    assert synced.count_rows()["minute_stats"] == 2


def test_rerun_with_other_figures_replaces_them(synced: Database) -> None:
    synced.write_minutes([make_minute_row()], [make_camera_minute()])
    rerun = make_minute_row(samples=290, count_sum=500, count_max=3, visit_durations=(12.0,), t_first_s=0.2)
    rerun_coverage = make_camera_minute(frames_analysed=290, inference_ms_sum=3625.0, inference_ms_max=19.75)
    synced.write_minutes([rerun], [rerun_coverage])
    assert synced.minute_rows() == [rerun]
    assert synced.camera_minutes() == [rerun_coverage]


def test_inference_time_round_trips_exactly(synced: Database) -> None:
    coverage = make_camera_minute(inference_ms_sum=4321.123456789, inference_ms_max=87.654321)
    synced.write_minutes([], [coverage])
    [stored] = synced.camera_minutes()
    assert (stored.inference_ms_sum, stored.inference_ms_max) == (4321.123456789, 87.654321)


def test_resumed_minute_is_merged(synced: Database) -> None:
    first = make_minute_row(
        samples=150,
        count_sum=300,
        count_max=4,
        seconds_observed=30.0,
        seconds_over_capacity=2.0,
        visit_durations=(40.0,),
        t_first_s=0.0,
        t_last_s=29.8,
    )
    second = make_minute_row(
        samples=140,
        count_sum=200,
        count_max=2,
        seconds_observed=28.0,
        seconds_offline=2.0,
        seconds_over_capacity=0.0,
        visit_durations=(40.0, 300.0),
        t_first_s=32.0,
        t_last_s=59.8,
    )
    synced.write_minutes(
        [first],
        [
            make_camera_minute(
                frames_analysed=150, seconds_online=30.0, t_last_s=29.8, inference_ms_sum=3000.0, inference_ms_max=35.5
            )
        ],
    )
    synced.write_minutes(
        [second],
        [
            make_camera_minute(
                frames_analysed=140,
                seconds_online=28.0,
                seconds_offline=2.0,
                t_first_s=32.0,
                inference_ms_sum=2912.25,
                inference_ms_max=48.0,
            )
        ],
    )
    [merged] = synced.minute_rows()
    assert (merged.samples, merged.count_sum, merged.count_max) == (290, 500, 4)
    assert (merged.seconds_observed, merged.seconds_offline, merged.seconds_over_capacity) == (58.0, 2.0, 2.0)
    assert (merged.visits, merged.visit_seconds_sum) == (3, 380.0)
    assert (merged.t_first_s, merged.t_last_s) == (0.0, 59.8)
    [coverage] = synced.camera_minutes()
    assert (coverage.frames_analysed, coverage.seconds_online, coverage.seconds_offline) == (290, 58.0, 2.0)
    assert (coverage.t_first_s, coverage.t_last_s) == (0.0, 59.8)
    assert (coverage.inference_ms_sum, coverage.inference_ms_max) == (5912.25, 48.0)


def test_histograms_merge_element_wise(synced: Database) -> None:
    first = make_minute_row(visit_durations=(3.0, 40.0, 40.0), t_first_s=0.0, t_last_s=20.0)
    second = make_minute_row(visit_durations=(40.0, 8000.0), t_first_s=25.0, t_last_s=59.0)
    synced.write_minutes([first])
    synced.write_minutes([second])
    [merged] = synced.minute_rows()
    assert merged.visit_hist == first.visit_hist + second.visit_hist
    assert merged.visit_hist == DurationHistogram.of([3.0, 40.0, 40.0, 40.0, 8000.0])
    assert merged.visit_hist.total == 5


def test_empty_histogram_round_trips(synced: Database) -> None:
    synced.write_minutes([make_minute_row(visits=0, visit_seconds_sum=0.0, visit_hist=DurationHistogram())])
    assert synced.minute_rows()[0].visit_hist == DurationHistogram()
    assert synced.minute_rows()[0].visit_hist.total == 0


def test_same_key_twice_in_one_batch_follows_the_rule(synced: Database) -> None:
    first = make_minute_row(samples=100, t_first_s=0.0, t_last_s=19.8)
    second = make_minute_row(samples=200, t_first_s=20.0, t_last_s=59.8)
    synced.write_minutes([first, second])
    assert synced.minute_rows()[0].samples == 300
    synced.write_minutes([first, first])
    assert synced.minute_rows()[0].samples == 100


@pytest.mark.parametrize(
    "bad_change",
    [
        pytest.param({"zone_id": "no-such-zone"}, id="unknown-zone"),
        pytest.param({"camera_id": "no-such-camera"}, id="unknown-camera"),
        pytest.param({"samples": -1}, id="negative-samples"),
    ],
)
def test_a_failing_batch_writes_nothing(synced: Database, bad_change: dict[str, Any]) -> None:
    stored = make_minute_row(zone_id="loket-1", zone_kind="counter_customer", t_first_s=0.0, t_last_s=20.0)
    synced.write_minutes([stored])
    before = synced.count_rows()
    batch = [
        make_minute_row(minute=MINUTE + timedelta(minutes=1)),
        replace(stored, t_first_s=30.0, t_last_s=59.0),  # would merge into the stored row
        make_minute_row(**{"minute": MINUTE + timedelta(minutes=2), **bad_change}),
        make_minute_row(minute=MINUTE + timedelta(minutes=3)),
    ]
    with pytest.raises(StorageError, match="cannot write minute figures") as info:
        synced.write_minutes(batch, [make_camera_minute()])
    assert "\n" not in str(info.value)
    assert synced.count_rows() == before
    assert synced.minute_rows() == [stored]
    assert synced.camera_minutes() == []


def test_a_failing_camera_minute_rolls_back_the_rows(synced: Database) -> None:
    with pytest.raises(StorageError):
        synced.write_minutes([make_minute_row()], [make_camera_minute(camera_id="no-such-camera")])
    assert synced.count_rows()["minute_stats"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"minute": datetime(2024, 3, 4, 2, 30)}, "timezone-aware"),
        ({"minute": MINUTE + timedelta(seconds=5)}, "truncated to the minute"),
    ],
)
def test_invalid_rows_are_refused_before_writing(synced: Database, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        synced.write_minutes([make_minute_row(), make_minute_row(**change)])
    assert synced.count_rows()["minute_stats"] == 0


def test_minutes_come_back_as_aware_utc(synced: Database) -> None:
    local = datetime(2024, 3, 4, 10, 30, tzinfo=WITA)  # 02:30 UTC
    synced.write_minutes([make_minute_row(minute=local)], [make_camera_minute(minute=local)])
    [row] = synced.minute_rows()
    [coverage] = synced.camera_minutes()
    for value in (row.minute, coverage.minute):
        assert value == MINUTE
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
        assert value.hour == 2


def test_filters_by_camera_and_half_open_time_range(synced: Database) -> None:
    minutes = [MINUTE + timedelta(minutes=i) for i in range(4)]
    synced.write_minutes(
        [make_minute_row(minute=m) for m in minutes]
        + [make_minute_row(camera_id="cam-door", zone_id="satpam", zone_kind="post", minute=MINUTE)],
        [make_camera_minute(minute=m) for m in minutes],
    )
    start = minutes[1].astimezone(WITA)
    picked = synced.minute_rows(camera_id="cam-hall", start=start, end=minutes[3])
    assert [r.minute for r in picked] == minutes[1:3]
    assert [r.camera_id for r in synced.minute_rows()] == ["cam-door"] + ["cam-hall"] * 4
    assert [c.minute for c in synced.camera_minutes("cam-hall", start=minutes[2])] == minutes[2:]
    assert synced.camera_minutes("cam-door") == []
    with pytest.raises(ValueError, match="timezone-aware"):
        synced.minute_rows(start=datetime(2024, 3, 4))


def test_histogram_of_a_resumed_minute_counts_each_visit_once(synced: Database) -> None:
    synced.write_minutes([make_minute_row(visit_durations=(10.0,), t_first_s=0.0, t_last_s=29.0)])
    synced.write_minutes([make_minute_row(visit_durations=(10.0,), t_first_s=0.0, t_last_s=29.0)])
    assert synced.minute_rows()[0].visit_hist == DurationHistogram.of([10.0])
