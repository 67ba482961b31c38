"""The replace-or-merge rule of minute writes, without a database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cvmon.histogram import DurationHistogram
from cvmon.storage.coverage import CameraMinute
from cvmon.storage.merge import combine_camera_minutes, combine_minute_rows, intervals_overlap
from cvmon.types import MinuteRow
from tests.storage.conftest import MINUTE


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((0.0, 59.8), (0.0, 59.8), True),  # the same video again
        ((0.0, 30.0), (10.0, 59.0), True),
        ((10.0, 10.0), (10.0, 10.0), True),  # a single sample, re-run
        ((0.0, 30.0), (30.0, 59.0), True),  # a shared instant is a sample seen twice
        ((0.0, 29.8), (30.0, 59.8), False),  # a worker restarted mid-minute
        ((30.0, 59.8), (0.0, 29.8), False),
        ((60.0, 0.0), (60.0, 0.0), True),  # offline-only minute written twice
        ((60.0, 0.0), (20.0, 59.0), False),  # offline part, then analysed seconds
        ((20.0, 59.0), (60.0, 0.0), False),
    ],
)
def test_intervals_overlap(a: tuple[float, float], b: tuple[float, float], overlap: bool) -> None:
    assert intervals_overlap(*a, *b) is overlap


def _row(**values: object) -> MinuteRow:
    return MinuteRow(camera_id="cam", zone_id="q", zone_kind="queue", minute=MINUTE, **values)  # type: ignore[arg-type]


def test_overlap_replaces() -> None:
    old = _row(samples=10, count_max=5, t_first_s=0.0, t_last_s=30.0)
    new = _row(samples=7, count_max=1, t_first_s=0.0, t_last_s=30.0)
    assert combine_minute_rows(old, new) == _row(samples=7, count_max=1, t_first_s=0.0, t_last_s=30.0)


def test_disjoint_merges() -> None:
    hist_a = DurationHistogram.of([1.0])
    hist_b = DurationHistogram.of([2.0, 3.0, 9000.0])
    old = _row(
        samples=10,
        count_sum=20,
        count_max=5,
        seconds_staffed=9.5,
        visits=1,
        visit_hist=hist_a,
        t_first_s=0.0,
        t_last_s=29.0,
    )
    new = _row(
        samples=7,
        count_sum=3,
        count_max=1,
        seconds_staffed=0.5,
        visits=3,
        visit_hist=hist_b,
        t_first_s=31.0,
        t_last_s=59.0,
    )
    merged = combine_minute_rows(old, new)
    assert (merged.samples, merged.count_sum, merged.count_max, merged.seconds_staffed) == (17, 23, 5, 10.0)
    assert merged.visits == 4
    assert merged.visit_hist == DurationHistogram.of([1.0, 2.0, 3.0, 9000.0])
    assert (merged.t_first_s, merged.t_last_s) == (0.0, 59.0)


def test_camera_minutes_follow_the_same_rule() -> None:
    a = CameraMinute(
        "cam",
        MINUTE,
        frames_analysed=100,
        seconds_online=20.0,
        t_first_s=0.0,
        t_last_s=19.8,
        inference_ms_sum=2500.0,
        inference_ms_max=61.25,
    )
    b = CameraMinute(
        "cam",
        MINUTE,
        frames_analysed=50,
        seconds_online=10.0,
        seconds_offline=30.0,
        t_first_s=50.0,
        t_last_s=59.8,
        inference_ms_sum=900.5,
        inference_ms_max=30.0,
    )
    merged = combine_camera_minutes(a, b)
    assert (merged.frames_analysed, merged.seconds_online, merged.seconds_offline) == (150, 30.0, 30.0)
    assert (merged.inference_ms_sum, merged.inference_ms_max) == (3400.5, 61.25)
    assert combine_camera_minutes(b, a) == merged
    assert combine_camera_minutes(a, a) == a
    rerun = replace(a, inference_ms_sum=1000.0, inference_ms_max=12.0)
    assert combine_camera_minutes(a, rerun) == rerun
