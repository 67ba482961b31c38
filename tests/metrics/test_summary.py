"""Zone figures over a period from stored minute rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cvmon.histogram import DurationHistogram
from cvmon.metrics.summary import zone_period_stats
from cvmon.types import MinuteRow
from tests.conftest import T0


def row(zone: str, kind: str, minute: int, **kw: object) -> MinuteRow:
    return MinuteRow(camera_id="cam", zone_id=zone, zone_kind=kind, minute=T0 + timedelta(minutes=minute), **kw)  # type: ignore[arg-type]


def test_period_figures_combine_minutes_by_hand() -> None:
    rows = [
        row(
            "q",
            "queue",
            0,
            samples=300,
            count_sum=600,
            count_max=4,
            seconds_observed=60,
            visits=2,
            visit_seconds_sum=100,
            visit_hist=DurationHistogram.of([40, 60]),
        ),
        row(
            "q",
            "queue",
            1,
            samples=150,
            count_sum=150,
            count_max=2,
            seconds_observed=30,
            seconds_offline=30,
            visits=1,
            visit_seconds_sum=200,
            visit_hist=DurationHistogram.of([200]),
        ),
        row("s", "counter_staff", 0, samples=300, seconds_observed=60, seconds_staffed=45),
        row("s", "counter_staff", 1, samples=150, seconds_observed=30, seconds_staffed=0, seconds_offline=30),
    ]
    q, s = zone_period_stats(rows)
    assert (q.zone_id, q.minutes, q.samples, q.figures.count_max, q.figures.visits) == ("q", 2, 450, 4, 3)
    assert q.figures.mean_count == pytest.approx(750 / 450)
    assert q.figures.mean_visit_s == pytest.approx(100.0)
    assert q.visit_p50_s == pytest.approx(60.0, rel=0.02)  # the middle visit
    assert q.visit_p90_s == pytest.approx(60 + 0.8 * 140, rel=0.02)  # between the two longest
    assert q.figures.seconds_offline == 30 and q.staffed_ratio is None
    assert q.as_dict()["wait_p50_s"] == q.as_dict()["visit_p50_s"]
    assert s.staffed_ratio == pytest.approx(45 / 90)  # offline time is not counted as unstaffed
    assert s.as_dict()["wait_p50_s"] is None and s.figures.mean_count == 0


def test_no_rows_no_figures() -> None:
    assert zone_period_stats([]) == []
