"""A minute's row is the sum of its parts, without a database."""

from __future__ import annotations

import pytest

from cvmon.histogram import DurationHistogram
from cvmon.storage.merge import sum_camera_minutes, sum_minute_rows
from cvmon.types import CameraMinute, MinuteRow
from tests.storage.conftest import MINUTE


def _row(**values: object) -> MinuteRow:
    return MinuteRow(camera_id="cam", zone_id="q", zone_kind="queue", minute=MINUTE, **values)  # type: ignore[arg-type]


def test_parts_add_up_and_span_their_seconds() -> None:
    a = _row(
        samples=10,
        count_sum=20,
        count_max=5,
        seconds_staffed=9.5,
        visits=1,
        visit_hist=DurationHistogram.of([1.0]),
        t_first_s=0.0,
        t_last_s=29.0,
    )
    b = _row(
        samples=7,
        count_sum=3,
        count_max=1,
        seconds_staffed=0.5,
        visits=3,
        visit_hist=DurationHistogram.of([2.0, 3.0, 9000.0]),
        t_first_s=10.0,
        t_last_s=59.0,
    )
    summed = sum_minute_rows([a, b])
    assert (summed.samples, summed.count_sum, summed.count_max, summed.seconds_staffed) == (17, 23, 5, 10.0)
    assert summed.visits == 4
    assert summed.visit_hist == DurationHistogram.of([1.0, 2.0, 3.0, 9000.0])
    assert (summed.t_first_s, summed.t_last_s) == (0.0, 59.0)
    assert sum_minute_rows([a]) == a


def test_an_offline_only_part_leaves_the_analysed_span() -> None:
    offline = _row(seconds_offline=25.0, t_first_s=60.0, t_last_s=0.0)
    analysed = _row(samples=5, seconds_observed=1.0, t_first_s=30.0, t_last_s=30.8)
    summed = sum_minute_rows([offline, analysed])
    assert (summed.seconds_offline, summed.samples, summed.t_first_s, summed.t_last_s) == (25.0, 5, 30.0, 30.8)


def test_camera_minutes_add_up() -> None:
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
    summed = sum_camera_minutes([a, b])
    assert (summed.frames_analysed, summed.seconds_online, summed.seconds_offline) == (150, 30.0, 30.0)
    assert (summed.inference_ms_sum, summed.inference_ms_max) == (3400.5, 61.25)
    assert (summed.t_first_s, summed.t_last_s) == (0.0, 59.8)
    assert sum_camera_minutes([b, a]) == summed
    assert sum_camera_minutes([a]) == a and sum_camera_minutes([a]) is not a


def test_nothing_to_sum_is_an_error() -> None:
    with pytest.raises(ValueError, match="no parts"):
        sum_minute_rows([])
    with pytest.raises(ValueError, match="no parts"):
        sum_camera_minutes([])
