"""The zone figures value and the per-minute aggregator (offline gaps, minute boundaries)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cvmon.config.models import ZoneConfig
from cvmon.figures import ZoneFigures
from cvmon.histogram import DurationHistogram
from cvmon.metrics.aggregate import MinuteAggregator, ZoneSample, minute_of
from cvmon.types import ZoneKind
from cvmon.zones.geometry import Zone
from tests.conftest import T0


def test_zone_figures_add_up() -> None:
    a = ZoneFigures(
        samples=3, count_sum=5, count_max=4, seconds_observed=0.6, visits=1, visit_hist=DurationHistogram.of([9.0])
    )
    b = ZoneFigures(samples=2, count_sum=1, count_max=1, seconds_staffed=0.4, seconds_offline=30.0)
    both = a + b
    assert both == ZoneFigures(
        samples=5,
        count_sum=6,
        count_max=4,
        seconds_observed=0.6,
        seconds_staffed=0.4,
        seconds_offline=30.0,
        visits=1,
        visit_hist=DurationHistogram.of([9.0]),
    )
    assert a + ZoneFigures() == a and b + a == both
    assert both.mean_count == pytest.approx(6 / 5)
    assert ZoneFigures().mean_count is None and ZoneFigures().staffed_ratio is None
    assert ZoneFigures.from_columns(both.as_columns()) == both


ZONES = [
    Zone.from_config(ZoneConfig(id="q", kind=ZoneKind.QUEUE, capacity=2, points=[(0, 0), (1, 0), (1, 1)])),
    Zone.from_config(ZoneConfig(id="s", kind=ZoneKind.POST, points=[(0, 0), (1, 0), (1, 1)])),
]


def test_offline_gap_is_split_over_minutes_for_every_zone() -> None:
    agg = MinuteAggregator("cam", ZONES)
    agg.add_offline(T0 + timedelta(seconds=50), T0 + timedelta(minutes=2, seconds=5))
    rows, cams = agg.pop_complete(None)
    by = {(r.zone_id, r.minute): r.seconds_offline for r in rows}
    for zone in ("q", "s"):
        assert by[(zone, T0)] == pytest.approx(10)
        assert by[(zone, T0 + timedelta(minutes=1))] == pytest.approx(60)
        assert by[(zone, T0 + timedelta(minutes=2))] == pytest.approx(5)
    assert [c.seconds_offline for c in cams] == pytest.approx([10, 60, 5])
    assert all(r.samples == 0 and r.count_sum == 0 for r in rows)  # a gap is not zero people


def test_samples_visits_and_capacity_by_minute() -> None:
    agg = MinuteAggregator("cam", ZONES)
    for i, count in enumerate([1, 3, 3, 0]):
        agg.add_sample(T0 + timedelta(seconds=58 + i), 1.0, {"q": ZoneSample(count), "s": ZoneSample(1, True)})
    agg.add_visit("q", T0 + timedelta(seconds=61), 42.0)
    complete, _ = agg.pop_complete(T0 + timedelta(seconds=61))
    assert {(r.zone_id, r.minute) for r in complete} == {("q", T0), ("s", T0)}
    q0 = next(r for r in complete if r.zone_id == "q")
    assert (q0.samples, q0.count_sum, q0.count_max, q0.seconds_over_capacity) == (2, 4, 3, 1.0)
    assert (q0.t_first_s, q0.t_last_s) == (58.0, 59.0)
    rest, _ = agg.pop_complete(None)
    q1 = next(r for r in rest if r.zone_id == "q")
    assert (q1.samples, q1.visits, q1.visit_seconds_sum, q1.seconds_over_capacity) == (2, 1, 42.0, 1.0)
    assert q1.visit_hist == DurationHistogram.of([42.0])
    s1 = next(r for r in rest if r.zone_id == "s")
    assert s1.seconds_staffed == 2.0


def test_minute_of_is_utc() -> None:
    from zoneinfo import ZoneInfo

    local = T0.astimezone(ZoneInfo("Asia/Makassar")) + timedelta(seconds=30.5)
    assert minute_of(local) == T0
