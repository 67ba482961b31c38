"""Journey (flow) figures, carried by ZoneFigures, add up over minutes and cameras and survive storage."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

import pytest

from cvmon.figures import FIGURE_FIELDS, FLOW_COUNTS, ZoneFigures
from cvmon.histogram import DurationHistogram

A = ZoneFigures(
    arrivals=5,
    met_at_door=4,
    joined_midway=1,
    guided_before_queue=3,
    queued=5,
    abandoned=1,
    reached_counter=4,
    skipped_required=2,
    journeys_unsure=1,
    journey_seconds_sum=600.0,
    journey_hist=DurationHistogram.of([100.0, 150.0, 170.0, 180.0]),
)
B = ZoneFigures(arrivals=2, queued=1, abandoned=1, journey_seconds_sum=90.0, journey_hist=DurationHistogram.of([90.0]))


def test_figures_add_field_by_field() -> None:
    total = A + B
    assert total == ZoneFigures(
        arrivals=7,
        met_at_door=4,
        joined_midway=1,
        guided_before_queue=3,
        queued=6,
        abandoned=2,
        reached_counter=4,
        skipped_required=2,
        journeys_unsure=1,
        journey_seconds_sum=690.0,
        journey_hist=DurationHistogram.of([90.0, 100.0, 150.0, 170.0, 180.0]),
    )
    assert total == B + A


def test_the_empty_figures_are_the_zero() -> None:
    assert A + ZoneFigures() == A
    assert ZoneFigures() + A == A


def test_the_stored_columns_are_every_field_and_read_back() -> None:
    assert {f.name for f in fields(ZoneFigures)} == set(FIGURE_FIELDS) >= set(FLOW_COUNTS)
    columns = A.as_columns()
    assert set(columns) == set(FIGURE_FIELDS)
    assert columns["journey_hist"] == A.journey_hist.to_json()
    assert ZoneFigures.from_columns(columns) == A
    assert ZoneFigures.from_columns(SimpleNamespace(**columns)) == A
    assert ZoneFigures.from_columns({**columns, "journey_hist": A.journey_hist}) == A


def test_a_stored_row_with_an_unreadable_histogram_is_refused() -> None:
    with pytest.raises(ValueError, match="layout"):
        ZoneFigures.from_columns({**A.as_columns(), "journey_hist": {"v": 99, "b": []}})


def test_counts_are_plain_integers_a_sum_of_any_minutes_can_carry() -> None:
    assert all(isinstance(getattr(A, name), int) for name in FLOW_COUNTS)


def test_the_mean_journey_time_comes_from_the_timed_journeys() -> None:
    assert A.mean_journey_s == 150.0
    assert ZoneFigures(reached_counter=3).mean_journey_s is None
