"""The flow figures of a span of time, as one value that knows how to add itself.

Only counts of journeys and a histogram of journey times, never a path, a track id or a coordinate, so
the figures of two cameras add up like those of two minutes: an office whose entrance and counters are
on different cameras gets its flow by adding the door camera's arrivals to the counter camera's
customers served, never by following a person from one camera to the other. ``a + b`` is the figures
of both; ``FlowFigures()`` is the zero. Shares (met at the door, abandonment) are derived by whoever
shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cvmon.histogram import NO_VISITS, DurationHistogram

FLOW_COUNTS: tuple[str, ...] = (
    "arrivals",
    "met_at_door",
    "joined_midway",
    "guided_before_queue",
    "queued",
    "abandoned",
    "reached_counter",
    "skipped_required",
    "unsure",
)
"""The journey counts that add up."""
FLOW_FIELDS: tuple[str, ...] = (*FLOW_COUNTS, "journey_seconds_sum", "journey_hist")
"""Every field of ``FlowFigures``; stored as columns of these names."""


@dataclass(frozen=True, slots=True)
class FlowFigures:
    """How customers moved through a camera's journey over a span of time (customers only: staff are left out).

    Each count is dated at the moment it happened (see ``cvmon.flow.counter``).

    Attributes:
        arrivals: customer journeys first seen in an entrance zone.
        met_at_door: of the arrivals, those confirmed while the door post was staffed.
        joined_midway: customer journeys first seen past the entrance (a track begun mid-way, or a camera that
            does not see the door); steps before where they were first seen are not judged, nor is their journey
            time measured.
        guided_before_queue: customer journeys that visited the guide desk before their first queue or waiting zone.
        queued: customer journeys that visited a queue or waiting zone of the journey.
        abandoned: of them, those that left without reaching a counter after waiting at least ``abandon_min_s``
            (counted only on a camera whose journey ends at the counter).
        reached_counter: customer journeys that reached the counter (the last step's counter_customer zones).
        skipped_required: customer journeys that reached a step past a required one they had not visited.
        unsure: journeys whose staff or customer role was unsure: counted here only, in none of the above.
        journey_seconds_sum: journey times (the start of the entrance visit to the start of the counter visit),
            summed, of the arrivals that reached a counter.
        journey_hist: those journey times, as a histogram.
    """

    arrivals: int = 0
    met_at_door: int = 0
    joined_midway: int = 0
    guided_before_queue: int = 0
    queued: int = 0
    abandoned: int = 0
    reached_counter: int = 0
    skipped_required: int = 0
    unsure: int = 0
    journey_seconds_sum: float = 0.0
    journey_hist: DurationHistogram = NO_VISITS

    def __add__(self, other: FlowFigures) -> FlowFigures:
        """The figures of both spans (or both cameras)."""
        return FlowFigures(
            **{name: getattr(self, name) + getattr(other, name) for name in FLOW_COUNTS},
            journey_seconds_sum=self.journey_seconds_sum + other.journey_seconds_sum,
            journey_hist=self.journey_hist + other.journey_hist,
        )

    def as_columns(self) -> dict[str, Any]:
        """The figures by column name, the histogram in its stored form."""
        values = {name: getattr(self, name) for name in FLOW_FIELDS}
        values["journey_hist"] = self.journey_hist.to_json()
        return values

    @classmethod
    def from_columns(cls, values: Mapping[str, Any] | Any) -> FlowFigures:
        """The figures of a stored row: a mapping, or an object with attributes of the column names.

        Raises:
            ValueError: the stored histogram cannot be read.
        """
        get = values.__getitem__ if isinstance(values, Mapping) else lambda name: getattr(values, name)
        out: dict[str, Any] = {name: int(get(name)) for name in FLOW_COUNTS}
        out["journey_seconds_sum"] = float(get("journey_seconds_sum"))
        hist = get("journey_hist")
        out["journey_hist"] = hist if isinstance(hist, DurationHistogram) else DurationHistogram.from_json(hist)
        return cls(**out)

    @property
    def mean_journey_s(self) -> float | None:
        """The mean journey time; None when no journey was timed."""
        n = self.journey_hist.total
        return self.journey_seconds_sum / n if n else None


@dataclass(frozen=True, slots=True)
class FlowMinute:
    """The flow figures of one UTC minute of a camera."""

    minute: datetime
    figures: FlowFigures
