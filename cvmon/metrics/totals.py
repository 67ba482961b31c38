"""The running totals of a zone's figures over any set of minute or hourly rows.

Sums and maxima of the stored figures, and the merged visit histogram; means, ratios and
percentiles are derived from these by whoever shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cvmon.metrics.histogram import empty_histogram, merge_histograms


class ZoneFigureRow(Protocol):
    """A minute row or an hourly roll-up: what ``ZoneTotals.add`` reads."""

    @property
    def samples(self) -> int: ...

    @property
    def count_sum(self) -> int: ...

    @property
    def count_max(self) -> int: ...

    @property
    def seconds_observed(self) -> float: ...

    @property
    def seconds_staffed(self) -> float: ...

    @property
    def seconds_offline(self) -> float: ...

    @property
    def seconds_over_capacity(self) -> float: ...

    @property
    def visits(self) -> int: ...

    @property
    def visit_seconds_sum(self) -> float: ...

    @property
    def visit_hist(self) -> Sequence[int]: ...


@dataclass(slots=True)
class ZoneTotals:
    samples: int = 0
    count_sum: int = 0
    count_max: int = 0
    seconds_observed: float = 0.0
    seconds_staffed: float = 0.0
    seconds_offline: float = 0.0
    seconds_over_capacity: float = 0.0
    visits: int = 0
    visit_seconds_sum: float = 0.0
    hist: list[int] = field(default_factory=empty_histogram)

    def add(self, row: ZoneFigureRow) -> None:
        self.samples += row.samples
        self.count_sum += row.count_sum
        self.count_max = max(self.count_max, row.count_max)
        self.seconds_observed += row.seconds_observed
        self.seconds_staffed += row.seconds_staffed
        self.seconds_offline += row.seconds_offline
        self.seconds_over_capacity += row.seconds_over_capacity
        self.visits += row.visits
        self.visit_seconds_sum += row.visit_seconds_sum
        self.hist = merge_histograms([self.hist, row.visit_hist])

    @property
    def mean_count(self) -> float | None:
        return self.count_sum / self.samples if self.samples else None
