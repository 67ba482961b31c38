"""The figures of a zone over a span of time, as one value that knows how to add itself.

A minute row, an hourly and a daily roll-up, a report's zone and a point of a time series all carry
a ``ZoneFigures``: sums (samples, counts, seconds, visits), the largest count seen, and the visit
durations as a ``DurationHistogram``. ``a + b`` is the figures of both spans; ``ZoneFigures()`` is
the zero. Means, ratios and percentiles are derived from these by whoever shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cvmon.histogram import NO_VISITS, DurationHistogram

GREETING_COUNTS: tuple[str, ...] = ("greet_arrivals", "greeted", "greet_missed", "greet_unseen", "seated")
"""A staff zone's greeting figures (``cvmon.behaviour``): arrivals it should greet and how each ended."""
STAFF_COUNTS: tuple[str, ...] = ("staff_count_sum", "unsure_count_sum")
"""A customer zone's people who were staff, and whose role was unsure, summed over the samples (``cvmon.staff``)."""
FLOW_COUNTS: tuple[str, ...] = (
    "arrivals",
    "met_at_door",
    "joined_midway",
    "guided_before_queue",
    "queued",
    "abandoned",
    "reached_counter",
    "skipped_required",
    "journeys_unsure",
)
"""A camera's journey counts (``cvmon.flow``), kept on the first zone of its journey."""
COUNTED: tuple[str, ...] = ("samples", "count_sum", "visits", *GREETING_COUNTS, *STAFF_COUNTS, *FLOW_COUNTS)
"""The integer figures that add up."""
TIMED: tuple[str, ...] = (
    "seconds_observed",
    "seconds_staffed",
    "seconds_offline",
    "seconds_over_capacity",
    "visit_seconds_sum",
    "staff_seconds",
    "journey_seconds_sum",
)
"""The seconds that add up."""
SUMMED_FIGURES: tuple[str, ...] = (*COUNTED, *TIMED)
"""Every figure that adds up over time (``count_max`` takes the maximum, ``visit_hist`` merges)."""
HISTOGRAMS: tuple[str, ...] = ("visit_hist", "journey_hist")
"""The duration histograms, which merge."""
FIGURE_FIELDS: tuple[str, ...] = (*SUMMED_FIGURES, "count_max", *HISTOGRAMS)
"""Every field of ``ZoneFigures``; minute, hourly and daily rows store them as columns of these names."""


@dataclass(frozen=True, slots=True)
class ZoneFigures:
    """What a zone showed over a span of time (see the module docstring).

    Attributes:
        samples: analysed frames.
        count_sum: people counted, summed over the samples (its mean is ``count_sum / samples``).
        count_max: the most people in one sample.
        seconds_observed: seconds the samples stand for.
        seconds_staffed: of them, seconds a staff zone was staffed.
        seconds_offline: seconds the camera showed nothing (a gap, not zero people).
        seconds_over_capacity: seconds the count exceeded the zone's capacity.
        visits: visits that ended in the span.
        visit_seconds_sum: their durations, summed.
        visit_hist: their durations, as a histogram.
        greet_arrivals: of a staff zone that greets (a counter's staff side, a door's post), the customer
            arrivals while it was staffed that were judged for a greeting.
        greeted: of them, greeted within the window.
        greet_missed: not greeted (the staff were seen well enough to tell).
        greet_unseen: not visible: the staff were not seen well enough to judge (never guessed).
        seated: of the counter arrivals, customers who sat down in the counter's seat zone in time.
        staff_count_sum: of a customer zone (with staff recognised, ``cvmon.staff``), the staff standing in it,
            summed over the samples (left out of ``count_sum`` and of the visits).
        unsure_count_sum: the people counted whose role was unsure (in ``count_sum``: not silently dropped).
        staff_seconds: seconds at least one staff member stood in the zone (e.g. Pandu in the hall).
        arrivals .. journeys_unsure: a camera's journey counts (``cvmon.flow.journey``), on the first zone of its
            journey: arrivals at the entrance, met at the door (its post staffed), joined midway, guided before
            queueing, queued, abandoned, reached a counter, skipped a required step, and the journeys whose
            role was unsure (counted there only).
        journey_seconds_sum: the journey times (entrance to counter) of the arrivals that reached a counter.
        journey_hist: those journey times, as a histogram.
    """

    samples: int = 0
    count_sum: int = 0
    count_max: int = 0
    seconds_observed: float = 0.0
    seconds_staffed: float = 0.0
    seconds_offline: float = 0.0
    seconds_over_capacity: float = 0.0
    visits: int = 0
    visit_seconds_sum: float = 0.0
    visit_hist: DurationHistogram = NO_VISITS
    greet_arrivals: int = 0
    greeted: int = 0
    greet_missed: int = 0
    greet_unseen: int = 0
    seated: int = 0
    staff_count_sum: int = 0
    unsure_count_sum: int = 0
    staff_seconds: float = 0.0
    arrivals: int = 0
    met_at_door: int = 0
    joined_midway: int = 0
    guided_before_queue: int = 0
    queued: int = 0
    abandoned: int = 0
    reached_counter: int = 0
    skipped_required: int = 0
    journeys_unsure: int = 0
    journey_seconds_sum: float = 0.0
    journey_hist: DurationHistogram = NO_VISITS

    def __add__(self, other: ZoneFigures) -> ZoneFigures:
        """The figures of both spans (or of two zones, or two cameras)."""
        return ZoneFigures(
            **{name: getattr(self, name) + getattr(other, name) for name in SUMMED_FIGURES},
            count_max=max(self.count_max, other.count_max),
            visit_hist=self.visit_hist + other.visit_hist,
            journey_hist=self.journey_hist + other.journey_hist,
        )

    @property
    def figures(self) -> ZoneFigures:
        """The figures alone (of a row that also carries its key)."""
        return ZoneFigures(**{name: getattr(self, name) for name in FIGURE_FIELDS})

    def as_columns(self) -> dict[str, Any]:
        """The figures by column name, the histogram in its stored form."""
        values = {name: getattr(self, name) for name in FIGURE_FIELDS}
        for name in HISTOGRAMS:
            values[name] = getattr(self, name).to_json()
        return values

    @classmethod
    def from_columns(cls, values: Mapping[str, Any] | Any) -> ZoneFigures:
        """The figures of a stored row: a mapping, or an object with attributes of the column names.

        Raises:
            ValueError: the stored histogram cannot be read.
        """
        get = values.__getitem__ if isinstance(values, Mapping) else lambda name: getattr(values, name)
        out: dict[str, Any] = {name: get(name) for name in SUMMED_FIGURES}
        out["count_max"] = get("count_max")
        for name in HISTOGRAMS:
            hist = get(name)
            out[name] = hist if isinstance(hist, DurationHistogram) else DurationHistogram.from_json(hist)
        return cls(**out)

    # -- derived ----------------------------------------------------------------------------------

    @property
    def mean_count(self) -> float | None:
        """People on average over the samples; None without a sample."""
        return self.count_sum / self.samples if self.samples else None

    @property
    def staffed_ratio(self) -> float | None:
        """Seconds staffed over seconds observed; None when nothing was observed."""
        return self.seconds_staffed / self.seconds_observed if self.seconds_observed else None

    @property
    def mean_visit_s(self) -> float | None:
        return self.visit_seconds_sum / self.visits if self.visits else None

    @property
    def mean_journey_s(self) -> float | None:
        """The mean journey time (entrance to counter); None when no journey was timed."""
        n = self.journey_hist.total
        return self.journey_seconds_sum / n if n else None

    @property
    def greeted_ratio(self) -> float | None:
        """Greeted over the arrivals judged greeted or not (the not visible are left out: unknown, not
        missed); None when none was judged."""
        judged = self.greeted + self.greet_missed
        return self.greeted / judged if judged else None


def total(figures: Iterable[ZoneFigures]) -> ZoneFigures:
    """The sum of any number of figures (``ZoneFigures()`` for none)."""
    out = ZoneFigures()
    for f in figures:
        out = out + f
    return out
