"""Histograms of visit durations: a mergeable value from which p50, p90 and shares over an SLA are read.

Only the counts per bucket are kept, never a single visit, so a histogram can be stored per minute
and added up over any period.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Upper edges in seconds; a visit of d seconds falls into the first bucket whose edge exceeds d.
# The last bucket is open-ended. Fine at the short end (queues), coarse beyond an hour.
BUCKET_EDGES_S: tuple[float, ...] = (
    5,
    10,
    15,
    20,
    30,
    45,
    60,
    90,
    120,
    150,
    180,
    240,
    300,
    360,
    420,
    480,
    600,
    720,
    900,
    1200,
    1500,
    1800,
    2400,
    3000,
    3600,
    5400,
    7200,
)
N_BUCKETS = len(BUCKET_EDGES_S) + 1


def bucket_of(duration_s: float) -> int:
    """Index of the bucket that holds a duration."""
    return bisect.bisect_right(BUCKET_EDGES_S, duration_s)


@dataclass(frozen=True, slots=True)
class DurationHistogram:
    """Counts of visit durations per bucket; ``counts`` is empty or holds one count per bucket.

    Histograms add with ``+``; ``DurationHistogram()`` is the empty one (the zero of the addition).
    """

    counts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.counts and len(self.counts) != N_BUCKETS:
            raise ValueError(f"a visit histogram has {len(self.counts)} buckets, expected {N_BUCKETS}")
        if any(c < 0 for c in self.counts):
            raise ValueError("a visit histogram holds a negative count")
        if self.counts and not any(self.counts):
            object.__setattr__(self, "counts", ())

    @classmethod
    def of(cls, durations: Iterable[float]) -> DurationHistogram:
        """The histogram of these durations (seconds)."""
        return cls().add(durations)

    def add(self, durations: Iterable[float]) -> DurationHistogram:
        """A new histogram with the durations added."""
        out = list(self.counts) or [0] * N_BUCKETS
        for d in durations:
            out[bucket_of(d)] += 1
        return DurationHistogram(tuple(out))

    def __add__(self, other: DurationHistogram) -> DurationHistogram:
        if not other.counts:
            return self
        if not self.counts:
            return other
        return DurationHistogram(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)))

    def times(self, n: int) -> DurationHistogram:
        """The histogram added up ``n`` times (``n`` equal rows)."""
        return DurationHistogram(tuple(n * c for c in self.counts))

    @property
    def total(self) -> int:
        """The number of durations counted."""
        return sum(self.counts)

    def quantile(self, q: float) -> float | None:
        """Quantile ``q`` (0..1) by linear interpolation in its bucket; None when empty.

        The open last bucket reports its lower edge.
        """
        total = self.total
        if total == 0:
            return None
        target = q * total
        seen = 0.0
        for i, count in enumerate(self.counts):
            if count and seen + count >= target:
                lower = BUCKET_EDGES_S[i - 1] if i > 0 else 0.0
                if i >= len(BUCKET_EDGES_S):
                    return float(lower)
                frac = (target - seen) / count
                return float(lower + frac * (BUCKET_EDGES_S[i] - lower))
            seen += count
        return float(BUCKET_EDGES_S[-1])

    def share_above(self, limit_s: float) -> float | None:
        """Share (0..1) of the durations longer than ``limit_s``, interpolated inside its bucket; None when empty."""
        total = self.total
        if total == 0:
            return None
        k = bucket_of(limit_s)
        above = float(sum(self.counts[k + 1 :]))
        if k < len(BUCKET_EDGES_S):
            lower = BUCKET_EDGES_S[k - 1] if k > 0 else 0.0
            above += self.counts[k] * (BUCKET_EDGES_S[k] - limit_s) / (BUCKET_EDGES_S[k] - lower)
        else:
            above += self.counts[k]
        return above / total

    def to_json(self) -> list[int]:
        """The stored form: one count per bucket, or ``[]`` for no visit."""
        return list(self.counts)

    @classmethod
    def from_json(cls, data: Sequence[int]) -> DurationHistogram:
        """Read the stored form back.

        Raises:
            ValueError: it has the wrong number of buckets.
        """
        return cls(tuple(int(v) for v in data))


NO_VISITS = DurationHistogram()
"""The empty histogram."""
