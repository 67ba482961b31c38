"""Visit-duration histograms: quantiles within 2 % of the exact ones, shares over an SLA, the stored
form and its layout version, and old (layout 1) histograms read back with every visit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmon.histogram import (
    LAYOUT,
    LEGACY_EDGES_S,
    MAX_S,
    MIN_S,
    OVERFLOW,
    RELATIVE_ACCURACY,
    UPPER_S,
    DurationHistogram,
    bucket_bounds,
    bucket_of,
    bucket_value,
    from_legacy,
    legacy_positions,
    to_legacy,
)

DURATIONS = st.lists(st.floats(min_value=MIN_S, max_value=MAX_S, allow_nan=False), min_size=1, max_size=400)
QUANTILES = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=300, deadline=None)
@given(durations=DURATIONS, q=QUANTILES)
def test_quantiles_are_within_two_percent_of_the_exact_ones(durations: list[float], q: float) -> None:
    hist = DurationHistogram.of(durations)
    exact = float(np.quantile(np.asarray(durations), q))  # numpy's default: linear between order statistics
    got = hist.quantile(q)
    assert got is not None
    assert abs(got - exact) <= 0.02 * exact


@settings(max_examples=200, deadline=None)
@given(durations=DURATIONS, other=DURATIONS)
def test_added_histograms_are_the_histogram_of_both(durations: list[float], other: list[float]) -> None:
    both = DurationHistogram.of(durations) + DurationHistogram.of(other)
    assert both == DurationHistogram.of(durations + other)
    assert both.total == len(durations) + len(other)
    assert DurationHistogram.from_json(both.to_json()) == both


@settings(max_examples=200, deadline=None)
@given(durations=DURATIONS, limit=st.floats(min_value=MIN_S, max_value=MAX_S))
def test_share_above_errs_only_by_the_visits_near_the_limit(durations: list[float], limit: float) -> None:
    share = DurationHistogram.of(durations).share_above(limit)
    assert share is not None
    near = sum(1 for d in durations if abs(d - limit) <= 2 * RELATIVE_ACCURACY * limit)
    exact = sum(1 for d in durations if d > limit)
    assert abs(share * len(durations) - exact) <= near + 1e-9


def test_every_bucket_reads_back_within_the_bound() -> None:
    for bucket in range(1, OVERFLOW):
        lower, upper = bucket_bounds(bucket)
        value = bucket_value(bucket)
        assert bucket_of(value) == bucket
        assert value / upper >= 1 - RELATIVE_ACCURACY - 1e-12
        assert value / lower <= 1 + RELATIVE_ACCURACY + 1e-12
    assert RELATIVE_ACCURACY < 0.02


@pytest.mark.parametrize(
    ("duration", "bucket"),
    [(0.0, 0), (0.49, 0), (MIN_S, 1), (MAX_S, OVERFLOW - 1), (UPPER_S, OVERFLOW - 1), (UPPER_S + 1, OVERFLOW)],
)
def test_the_ends_of_the_range(duration: float, bucket: int) -> None:
    assert bucket_of(duration) == bucket


def test_empty_and_zero() -> None:
    hist = DurationHistogram.of([3.0, 40.0])
    assert hist + DurationHistogram() == hist == DurationHistogram() + hist
    assert DurationHistogram().quantile(0.5) is None and DurationHistogram().share_above(10) is None
    assert hist.times(3) == DurationHistogram.of([3.0, 40.0] * 3)
    assert hist.quantile(0.0) == pytest.approx(3.0, rel=RELATIVE_ACCURACY)
    assert hist.quantile(1.0) == pytest.approx(40.0, rel=RELATIVE_ACCURACY)


def test_the_stored_form_names_its_layout() -> None:
    stored = DurationHistogram.of([40.0, 40.0, 55.0]).to_json()
    assert stored == {"v": LAYOUT, "b": [[bucket_of(40.0), 2], [bucket_of(55.0), 1]]}
    assert DurationHistogram().to_json() == {"v": LAYOUT, "b": []}
    with pytest.raises(ValueError, match="layout 3"):
        DurationHistogram.from_json({"v": 3, "b": []})
    with pytest.raises(ValueError, match="ascending"):
        DurationHistogram.from_json({"v": LAYOUT, "b": [[5, 1], [4, 1]]})


def test_a_layout_1_histogram_keeps_every_visit_where_it_was_read() -> None:
    old = [0] * (len(LEGACY_EDGES_S) + 1)
    old[7], old[0], old[-1] = 4, 1, 2  # four visits of 60-90 s, one under 5 s, two of 2 h or more
    hist = DurationHistogram.from_json(old)
    assert hist == from_legacy(old)
    assert hist.total == 7
    assert legacy_positions(7, 4) == [63.75, 71.25, 78.75, 86.25]
    assert hist.share_above(6000.0) == pytest.approx(2 / 7)
    back = to_legacy(hist)  # a downgrade keeps every visit, in the old bucket of its value
    assert sum(back) == 7 and back[0] == 1 and back[7] == 4
    with pytest.raises(ValueError, match="28"):
        from_legacy([1, 2, 3])


def test_durations_past_the_range_are_counted() -> None:
    hist = DurationHistogram.of([0.1, 12.0, 9 * 3600.0])
    assert hist.total == 3
    assert hist.quantile(1.0) == UPPER_S
    assert hist.quantile(0.0) == MIN_S / 2
    assert math.isclose(hist.share_above(UPPER_S) or 0.0, 1 / 3)
