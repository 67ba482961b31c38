"""write_minutes: insert; the same part again replaces itself, parts of other sources add up; all or
nothing; UTC round trips."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cvmon.errors import StorageError
from cvmon.histogram import DurationHistogram
from cvmon.storage import Database
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import SOURCE_LENGTH
from cvmon.types import CameraMinute, MinuteRow
from tests.storage.conftest import MINUTE, make_camera_minute, make_minute_row

WITA = ZoneInfo("Asia/Makassar")


def test_insert_round_trip(synced: Database) -> None:
    rows = [make_minute_row(), make_minute_row(zone_id="loket-1", zone_kind="counter_customer", visit_durations=())]
    MinuteRepository(synced).write_minutes(rows, [make_camera_minute()], source="a")
    assert MinuteRepository(synced).minute_rows() == sorted(rows, key=lambda r: (r.camera_id, r.zone_id, r.minute))
    assert MinuteRepository(synced).camera_minutes() == [make_camera_minute()]
    assert {key: list(parts) for key, parts in MinuteRepository(synced).minute_parts().items()} == {
        (r.camera_id, r.zone_id, r.minute): ["a"] for r in rows
    }


def test_the_same_part_written_twice_is_stored_once(synced: Database) -> None:
    rows = [make_minute_row(), make_minute_row(minute=MINUTE + timedelta(minutes=1))]
    assert MinuteRepository(synced).write_minutes(rows, [make_camera_minute()], source="a") is True
    assert MinuteRepository(synced).write_minutes(rows, [make_camera_minute()], source="a") is True
    assert MinuteRepository(synced).minute_rows() == rows
    assert MinuteRepository(synced).camera_minutes() == [make_camera_minute()]
    counts = synced.count_rows()
    assert (counts["minute_stats"], counts["minute_parts"], counts["camera_minute_parts"]) == (2, 2, 1)


def test_a_part_written_again_with_other_figures_replaces_them(synced: Database) -> None:
    """A recording processed again (with other settings): its part is replaced, even a larger one."""
    MinuteRepository(synced).write_minutes([make_minute_row()], [make_camera_minute()], source="a")
    rerun = make_minute_row(samples=290, count_sum=500, count_max=3, visit_durations=(12.0,), t_first_s=0.2)
    rerun_coverage = make_camera_minute(frames_analysed=290, inference_ms_sum=3625.0, inference_ms_max=19.75)
    MinuteRepository(synced).write_minutes([rerun], [rerun_coverage], source="a")
    assert MinuteRepository(synced).minute_rows() == [rerun]
    assert MinuteRepository(synced).camera_minutes() == [rerun_coverage]


def test_two_sources_of_one_key_are_stored_as_their_sum(synced: Database) -> None:
    """Overlapping covered seconds do not matter: the parts of two sources are two parts (a late row of a
    minute already written adds to it, it never replaces it)."""
    a = make_minute_row(samples=200, count_sum=400, count_max=4, visit_durations=(40.0,), t_first_s=0.0, t_last_s=39.8)
    late = make_minute_row(samples=1, count_sum=0, count_max=0, visit_durations=(55.0,), t_first_s=5.0, t_last_s=5.0)
    MinuteRepository(synced).write_minutes(
        [a], [make_camera_minute(frames_analysed=200, t_last_s=39.8)], source="live:r:0"
    )
    late_coverage = make_camera_minute(frames_analysed=1, t_first_s=5.0, t_last_s=5.0)
    MinuteRepository(synced).write_minutes([late], [late_coverage], source="live:r:1")
    [row] = MinuteRepository(synced).minute_rows()
    assert row == replace(late.with_figures(a + late), t_first_s=0.0, t_last_s=39.8)
    assert row.visit_hist == DurationHistogram.of([40.0, 55.0])
    [coverage] = MinuteRepository(synced).camera_minutes()
    assert (coverage.frames_analysed, coverage.t_first_s, coverage.t_last_s) == (201, 0.0, 39.8)
    assert set(MinuteRepository(synced).minute_parts()[(a.camera_id, a.zone_id, a.minute)]) == {"live:r:0", "live:r:1"}

    again = replace(a, samples=100, count_sum=100)  # source a once more: only its own part is replaced
    MinuteRepository(synced).write_minutes([again], source="live:r:0")
    [row] = MinuteRepository(synced).minute_rows()
    assert (row.samples, row.count_sum, row.visits) == (101, 100, 2)


def test_inference_time_round_trips_exactly(synced: Database) -> None:
    coverage = make_camera_minute(inference_ms_sum=4321.123456789, inference_ms_max=87.654321)
    MinuteRepository(synced).write_minutes([], [coverage], source="a")
    [stored] = MinuteRepository(synced).camera_minutes()
    assert (stored.inference_ms_sum, stored.inference_ms_max) == (4321.123456789, 87.654321)


def test_a_minute_written_by_two_workers_is_their_sum(synced: Database) -> None:
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
    MinuteRepository(synced).write_minutes(
        [first],
        [
            make_camera_minute(
                frames_analysed=150, seconds_online=30.0, t_last_s=29.8, inference_ms_sum=3000.0, inference_ms_max=35.5
            )
        ],
        source="live:first-worker:7",
    )
    MinuteRepository(synced).write_minutes(
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
        source="live:next-worker:0",
    )
    [merged] = MinuteRepository(synced).minute_rows()
    assert (merged.samples, merged.count_sum, merged.count_max) == (290, 500, 4)
    assert (merged.seconds_observed, merged.seconds_offline, merged.seconds_over_capacity) == (58.0, 2.0, 2.0)
    assert (merged.visits, merged.visit_seconds_sum) == (3, 380.0)
    assert (merged.t_first_s, merged.t_last_s) == (0.0, 59.8)
    [coverage] = MinuteRepository(synced).camera_minutes()
    assert (coverage.frames_analysed, coverage.seconds_online, coverage.seconds_offline) == (290, 58.0, 2.0)
    assert (coverage.t_first_s, coverage.t_last_s) == (0.0, 59.8)
    assert (coverage.inference_ms_sum, coverage.inference_ms_max) == (5912.25, 48.0)


def test_histograms_merge_element_wise(synced: Database) -> None:
    first = make_minute_row(visit_durations=(3.0, 40.0, 40.0), t_first_s=0.0, t_last_s=20.0)
    second = make_minute_row(visit_durations=(40.0, 8000.0), t_first_s=25.0, t_last_s=59.0)
    MinuteRepository(synced).write_minutes([first], source="a")
    MinuteRepository(synced).write_minutes([second], source="b")
    [merged] = MinuteRepository(synced).minute_rows()
    assert merged.visit_hist == first.visit_hist + second.visit_hist
    assert merged.visit_hist == DurationHistogram.of([3.0, 40.0, 40.0, 40.0, 8000.0])
    assert merged.visit_hist.total == 5


def test_empty_histogram_round_trips(synced: Database) -> None:
    MinuteRepository(synced).write_minutes(
        [make_minute_row(visits=0, visit_seconds_sum=0.0, visit_hist=DurationHistogram())], source="a"
    )
    assert MinuteRepository(synced).minute_rows()[0].visit_hist == DurationHistogram()
    assert MinuteRepository(synced).minute_rows()[0].visit_hist.total == 0


def test_rows_of_one_key_in_a_batch_add_up_into_its_part(synced: Database) -> None:
    first = make_minute_row(samples=100, t_first_s=0.0, t_last_s=19.8)
    second = make_minute_row(samples=200, t_first_s=20.0, t_last_s=59.8)
    MinuteRepository(synced).write_minutes([first, second], [make_camera_minute(), make_camera_minute()], source="a")
    [row] = MinuteRepository(synced).minute_rows()
    assert (row.samples, row.t_first_s, row.t_last_s) == (300, 0.0, 59.8)
    assert MinuteRepository(synced).camera_minutes()[0].frames_analysed == 600
    MinuteRepository(synced).write_minutes([first], source="a")
    assert MinuteRepository(synced).minute_rows()[0].samples == 100


def test_an_offline_part_and_an_analysed_part_add_up(synced: Database) -> None:
    offline = make_minute_row(
        samples=0,
        count_sum=0,
        count_max=0,
        seconds_observed=0.0,
        seconds_offline=25.0,
        seconds_over_capacity=0.0,
        visit_durations=(),
        t_first_s=60.0,
        t_last_s=0.0,
    )
    analysed = make_minute_row(samples=150, seconds_observed=30.0, t_first_s=25.0, t_last_s=54.8)
    MinuteRepository(synced).write_minutes([offline], source="a")
    MinuteRepository(synced).write_minutes([analysed], source="b")
    MinuteRepository(synced).write_minutes([offline], source="a")
    [row] = MinuteRepository(synced).minute_rows()
    assert (row.samples, row.seconds_observed, row.seconds_offline) == (150, 30.0, 25.0)
    assert (row.t_first_s, row.t_last_s) == (25.0, 54.8)


@pytest.mark.parametrize("source", ["", "x" * (SOURCE_LENGTH + 1)])
def test_a_write_needs_a_source(synced: Database, source: str) -> None:
    with pytest.raises(ValueError, match="write source"):
        MinuteRepository(synced).write_minutes([make_minute_row()], source=source)
    assert synced.count_rows()["minute_stats"] == 0


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
    MinuteRepository(synced).write_minutes([stored], source="a")
    before = synced.count_rows()
    batch = [
        make_minute_row(minute=MINUTE + timedelta(minutes=1)),
        replace(stored, t_first_s=30.0, t_last_s=59.0),  # would add to the stored row
        make_minute_row(**{"minute": MINUTE + timedelta(minutes=2), **bad_change}),
        make_minute_row(minute=MINUTE + timedelta(minutes=3)),
    ]
    with pytest.raises(StorageError, match="cannot write minute figures") as info:
        MinuteRepository(synced).write_minutes(batch, [make_camera_minute()], source="b")
    assert "\n" not in str(info.value)
    assert synced.count_rows() == before
    assert MinuteRepository(synced).minute_rows() == [stored]
    assert MinuteRepository(synced).camera_minutes() == []


def test_a_failing_camera_minute_rolls_back_the_rows(synced: Database) -> None:
    with pytest.raises(StorageError):
        MinuteRepository(synced).write_minutes(
            [make_minute_row()], [make_camera_minute(camera_id="no-such-camera")], source="a"
        )
    assert synced.count_rows()["minute_stats"] == synced.count_rows()["minute_parts"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"minute": datetime(2024, 3, 4, 2, 30)}, "timezone-aware"),
        ({"minute": MINUTE + timedelta(seconds=5)}, "truncated to the minute"),
    ],
)
def test_invalid_rows_are_refused_before_writing(synced: Database, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MinuteRepository(synced).write_minutes([make_minute_row(), make_minute_row(**change)], source="a")
    assert synced.count_rows()["minute_stats"] == 0


def test_minutes_come_back_as_aware_utc(synced: Database) -> None:
    local = datetime(2024, 3, 4, 10, 30, tzinfo=WITA)  # 02:30 UTC
    MinuteRepository(synced).write_minutes(
        [make_minute_row(minute=local)], [make_camera_minute(minute=local)], source="a"
    )
    [row] = MinuteRepository(synced).minute_rows()
    [coverage] = MinuteRepository(synced).camera_minutes()
    for value in (row.minute, coverage.minute):
        assert value == MINUTE
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
        assert value.hour == 2


def test_filters_by_camera_and_half_open_time_range(synced: Database) -> None:
    minutes = [MINUTE + timedelta(minutes=i) for i in range(4)]
    MinuteRepository(synced).write_minutes(
        [make_minute_row(minute=m) for m in minutes]
        + [make_minute_row(camera_id="cam-door", zone_id="satpam", zone_kind="post", minute=MINUTE)],
        [make_camera_minute(minute=m) for m in minutes],
        source="a",
    )
    start = minutes[1].astimezone(WITA)
    picked = MinuteRepository(synced).minute_rows(camera_id="cam-hall", start=start, end=minutes[3])
    assert [r.minute for r in picked] == minutes[1:3]
    assert [r.camera_id for r in MinuteRepository(synced).minute_rows()] == ["cam-door"] + ["cam-hall"] * 4
    assert [c.minute for c in MinuteRepository(synced).camera_minutes("cam-hall", start=minutes[2])] == minutes[2:]
    assert MinuteRepository(synced).camera_minutes("cam-door") == []
    with pytest.raises(ValueError, match="timezone-aware"):
        MinuteRepository(synced).minute_rows(start=datetime(2024, 3, 4))


def test_histogram_of_a_part_written_twice_counts_each_visit_once(synced: Database) -> None:
    MinuteRepository(synced).write_minutes(
        [make_minute_row(visit_durations=(10.0,), t_first_s=0.0, t_last_s=29.0)], source="a"
    )
    MinuteRepository(synced).write_minutes(
        [make_minute_row(visit_durations=(10.0,), t_first_s=0.0, t_last_s=29.0)], source="a"
    )
    assert MinuteRepository(synced).minute_rows()[0].visit_hist == DurationHistogram.of([10.0])


def test_writers_of_two_sources_at_once_leave_the_exact_sum(synced: Database) -> None:
    """Two workers write parts of the same minutes at the same moment, again and again (each write of a
    source replaces its part): the rows end as the sum of each source's last part, none lost. On
    PostgreSQL this needs the camera's write lock; on SQLite writers take turns anyway."""
    minutes = [MINUTE + timedelta(minutes=i) for i in range(2)]
    zones = (("queue-1", "queue"), ("loket-1", "counter_customer"))
    writes = 25
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def batch(k: int, i: int) -> tuple[list[MinuteRow], list[CameraMinute]]:
        rows = [
            make_minute_row(zone_id=z, zone_kind=kind, minute=m, samples=1000 * k + i, count_sum=i, visit_durations=())
            for m in minutes
            for z, kind in zones
        ]
        return rows, [make_camera_minute(minute=m, frames_analysed=1000 * k + i) for m in minutes]

    def writer(k: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(1, writes + 1):
                MinuteRepository(synced).write_minutes(*batch(k, i), source=f"live:worker-{k}:0")
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert [(r.samples, r.count_sum) for r in MinuteRepository(synced).minute_rows()] == [
        (3000 + 2 * writes, 2 * writes)
    ] * 4
    assert [c.frames_analysed for c in MinuteRepository(synced).camera_minutes()] == [3000 + 2 * writes] * 2
