"""Histograms of visit durations: a mergeable value from which p50, p90 and shares over an SLA are read.

Only counts per bucket are kept, never a single visit, so a histogram can be stored per minute and
added up over any period. The buckets are log-spaced (the mapping of DDSketch, Masson et al. 2019):
bucket ``i >= 1`` holds the durations in ``(MIN_S * GAMMA**(i-1), MIN_S * GAMMA**i]`` (bucket 1 also
holds ``MIN_S``), with ``GAMMA = (1 + a) / (1 - a)`` and ``a = RELATIVE_ACCURACY``. Each duration is
read back as its bucket's representative ``2 * MIN_S * GAMMA**i / (GAMMA + 1)``, which is within
``a`` (1.9 %) of it, relative. So every quantile, read as numpy's default (linear interpolation
between the order statistics), is within 1.9 % of the exact quantile of the durations between
``MIN_S`` (0.5 s) and ``MAX_S`` (8 h). Durations below ``MIN_S`` share bucket 0 (read as
``MIN_S / 2``); those above the range (``UPPER_S``, just over 8 h) share the last bucket (read as
``UPPER_S``).

Stored form (layout 2): ``{"v": 2, "b": [[bucket, count], ...]}``, the buckets ascending and only
those that hold a visit. Layout 1, the fixed buckets of earlier versions (a plain list of 28
counts, upper edges ``LEGACY_EDGES_S``), is still read: each old bucket's visits are placed at
evenly spaced positions inside it, as its old linear interpolation read them (migration 0009
rewrote the stored rows the same way).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LAYOUT = 2
"""The version of the bucket layout, stored with every histogram."""
RELATIVE_ACCURACY = 0.019
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
MIN_S = 0.5
MAX_S = 8 * 3600.0
_LOG_GAMMA = math.log(GAMMA)
TOP = math.ceil(math.log(MAX_S / MIN_S) / _LOG_GAMMA)
"""The last bucket of the log-spaced range; ``TOP + 1`` holds the durations above it."""
OVERFLOW = TOP + 1
UPPER_S = MIN_S * GAMMA**TOP
"""The upper edge of bucket ``TOP`` (at least ``MAX_S``)."""

LEGACY_LAYOUT = 1
LEGACY_EDGES_S: tuple[float, ...] = (
    *(5, 10, 15, 20, 30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 420, 480, 600, 720, 900),
    *(1200, 1500, 1800, 2400, 3000, 3600, 5400, 7200),
)
"""Upper edges of the fixed buckets of layout 1; its last bucket was open-ended."""


def bucket_of(duration_s: float) -> int:
    """The bucket that holds a duration (seconds)."""
    if duration_s < MIN_S:
        return 0
    if duration_s > UPPER_S:
        return OVERFLOW
    return min(max(1, math.ceil(math.log(duration_s / MIN_S) / _LOG_GAMMA)), TOP)


def bucket_value(bucket: int) -> float:
    """The duration a bucket's visits are read as (within ``RELATIVE_ACCURACY`` of each of them)."""
    if bucket <= 0:
        return MIN_S / 2
    if bucket >= OVERFLOW:
        return UPPER_S
    return 2 * MIN_S * GAMMA**bucket / (GAMMA + 1)


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """The durations a bucket holds, as (lower, upper); the last one's upper bound is infinite."""
    if bucket <= 0:
        return 0.0, MIN_S
    if bucket >= OVERFLOW:
        return UPPER_S, math.inf
    return MIN_S * GAMMA ** (bucket - 1), MIN_S * GAMMA**bucket


@dataclass(frozen=True, slots=True)
class DurationHistogram:
    """Counts of visit durations per bucket (see the module docstring), as ``(bucket, count)`` pairs in
    ascending bucket order, none of them zero. They add with ``+``; ``DurationHistogram()`` is the
    empty one (the zero of the addition)."""

    bins: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        previous = -1
        for bucket, count in self.bins:
            if not 0 <= bucket <= OVERFLOW or bucket <= previous or count <= 0:
                raise ValueError(f"a visit histogram's bins must be ascending buckets 0..{OVERFLOW} with counts > 0")
            previous = bucket

    @classmethod
    def of(cls, durations: Iterable[float]) -> DurationHistogram:
        """The histogram of these durations (seconds)."""
        return cls().add(durations)

    @classmethod
    def _of_counts(cls, counts: Mapping[int, int]) -> DurationHistogram:
        return cls(tuple((b, n) for b, n in sorted(counts.items()) if n))

    def add(self, durations: Iterable[float]) -> DurationHistogram:
        """A new histogram with the durations added."""
        counts = dict(self.bins)
        for d in durations:
            bucket = bucket_of(d)
            counts[bucket] = counts.get(bucket, 0) + 1
        return self._of_counts(counts)

    def __add__(self, other: DurationHistogram) -> DurationHistogram:
        if not other.bins:
            return self
        if not self.bins:
            return other
        counts = dict(self.bins)
        for bucket, n in other.bins:
            counts[bucket] = counts.get(bucket, 0) + n
        return self._of_counts(counts)

    def times(self, n: int) -> DurationHistogram:
        """The histogram added up ``n`` times (``n`` equal rows)."""
        return DurationHistogram(tuple((b, n * c) for b, c in self.bins)) if n > 0 else DurationHistogram()

    @property
    def total(self) -> int:
        """The number of durations counted."""
        return sum(c for _, c in self.bins)

    def _nth(self, index: int) -> float:
        """The value of the ``index``-th (from 0) shortest duration."""
        seen = 0
        for bucket, count in self.bins:
            seen += count
            if index < seen:
                return bucket_value(bucket)
        raise IndexError(index)

    def quantile(self, q: float) -> float | None:
        """Quantile ``q`` (0..1) as numpy's default method reads it (linear interpolation between the
        order statistics), within ``RELATIVE_ACCURACY`` of the exact one; None when empty."""
        n = self.total
        if n == 0:
            return None
        h = min(max(q, 0.0), 1.0) * (n - 1)
        j = math.floor(h)
        low = self._nth(j)
        if j + 1 >= n or h == j:
            return low
        return low + (h - j) * (self._nth(j + 1) - low)

    def share_above(self, limit_s: float) -> float | None:
        """Share (0..1) of the durations longer than ``limit_s``; None when empty. Only the visits of the
        bucket that holds ``limit_s`` (within 1.9 % of it) are apportioned, by where it cuts the bucket
        on the log scale."""
        n = self.total
        if n == 0:
            return None
        k = bucket_of(limit_s)
        above = float(sum(c for b, c in self.bins if b > k))
        inside = dict(self.bins).get(k, 0)
        if inside:
            lower, upper = bucket_bounds(k)
            if k == 0:
                above += inside * (upper - limit_s) / upper
            elif k == OVERFLOW:
                above += inside
            else:
                above += inside * math.log(upper / limit_s) / math.log(upper / lower)
        return above / n

    def to_json(self) -> dict[str, Any]:
        """The stored form, with its layout version."""
        return {"v": LAYOUT, "b": [[b, c] for b, c in self.bins]}

    @classmethod
    def from_json(cls, data: Any) -> DurationHistogram:
        """Read a stored histogram of layout 2, or of layout 1 (a plain list of counts; see the module docstring).

        Raises:
            ValueError: an unknown layout, or a malformed histogram.
        """
        if isinstance(data, Mapping):
            if data.get("v") != LAYOUT:
                raise ValueError(f"a visit histogram of layout {data.get('v')!r}; this cvmon reads {LAYOUT} and 1")
            return cls(tuple((int(b), int(c)) for b, c in data["b"]))
        if isinstance(data, Sequence) and not isinstance(data, str):
            return from_legacy([int(v) for v in data])
        raise ValueError(f"not a visit histogram: {data!r}")


def legacy_positions(bucket: int, count: int) -> list[float]:
    """Where the ``count`` visits of a layout-1 bucket are placed: evenly inside it, at the middles of
    ``count`` equal parts (the open last bucket: at its lower edge, as layout 1 read it)."""
    lower = float(LEGACY_EDGES_S[bucket - 1]) if bucket > 0 else 0.0
    if bucket >= len(LEGACY_EDGES_S):
        return [lower] * count
    width = LEGACY_EDGES_S[bucket] - lower
    return [lower + (k + 0.5) / count * width for k in range(count)]


def from_legacy(counts: Sequence[int]) -> DurationHistogram:
    """A layout-1 histogram (one count per fixed bucket) in the current layout; every visit is kept.

    Raises:
        ValueError: it has the wrong number of buckets or a negative count.
    """
    if counts and len(counts) != len(LEGACY_EDGES_S) + 1:
        raise ValueError(f"a layout-1 visit histogram has {len(counts)} buckets, expected {len(LEGACY_EDGES_S) + 1}")
    if any(c < 0 for c in counts):
        raise ValueError("a visit histogram holds a negative count")
    out = DurationHistogram()
    for bucket, count in enumerate(counts):
        if count:
            out = out.add(legacy_positions(bucket, count))
    return out


def to_legacy(hist: DurationHistogram) -> list[int]:
    """A histogram in layout 1 (for a downgrade): each bucket's visits in the fixed bucket of its value."""
    out = [0] * (len(LEGACY_EDGES_S) + 1)
    for bucket, count in hist.bins:
        out[bisect.bisect_right(LEGACY_EDGES_S, bucket_value(bucket))] += count
    return out


NO_VISITS = DurationHistogram()
"""The empty histogram."""
