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
COUNTED: tuple[str, ...] = ("samples", "count_sum", "visits", *GREETING_COUNTS)
"""The integer figures that add up."""
TIMED: tuple[str, ...] = (
    "seconds_observed",
    "seconds_staffed",
    "seconds_offline",
    "seconds_over_capacity",
    "visit_seconds_sum",
)
"""The seconds that add up."""
SUMMED_FIGURES: tuple[str, ...] = (*COUNTED, *TIMED)
"""Every figure that adds up over time (``count_max`` takes the maximum, ``visit_hist`` merges)."""
FIGURE_FIELDS: tuple[str, ...] = (*SUMMED_FIGURES, "count_max", "visit_hist")
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

    def __add__(self, other: ZoneFigures) -> ZoneFigures:
        """The figures of both spans."""
        return ZoneFigures(
            samples=self.samples + other.samples,
            count_sum=self.count_sum + other.count_sum,
            count_max=max(self.count_max, other.count_max),
            seconds_observed=self.seconds_observed + other.seconds_observed,
            seconds_staffed=self.seconds_staffed + other.seconds_staffed,
            seconds_offline=self.seconds_offline + other.seconds_offline,
            seconds_over_capacity=self.seconds_over_capacity + other.seconds_over_capacity,
            visits=self.visits + other.visits,
            visit_seconds_sum=self.visit_seconds_sum + other.visit_seconds_sum,
            visit_hist=self.visit_hist + other.visit_hist,
            greet_arrivals=self.greet_arrivals + other.greet_arrivals,
            greeted=self.greeted + other.greeted,
            greet_missed=self.greet_missed + other.greet_missed,
            greet_unseen=self.greet_unseen + other.greet_unseen,
            seated=self.seated + other.seated,
        )

    @property
    def figures(self) -> ZoneFigures:
        """The figures alone (of a row that also carries its key)."""
        return ZoneFigures(**{name: getattr(self, name) for name in FIGURE_FIELDS})

    def as_columns(self) -> dict[str, Any]:
        """The figures by column name, the histogram in its stored form."""
        values = {name: getattr(self, name) for name in FIGURE_FIELDS}
        values["visit_hist"] = self.visit_hist.to_json()
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
        hist = get("visit_hist")
        out["visit_hist"] = hist if isinstance(hist, DurationHistogram) else DurationHistogram.from_json(hist)
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
