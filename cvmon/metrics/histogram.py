"""Fixed-bucket histograms of visit durations, so p50 and p90 come from stored data."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

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


def empty_histogram() -> list[int]:
    return [0] * N_BUCKETS


def bucket_of(duration_s: float) -> int:
    """Index of the bucket that holds a duration."""
    return bisect.bisect_right(BUCKET_EDGES_S, duration_s)


def add_to_histogram(hist: list[int], durations: Iterable[float]) -> list[int]:
    """A new histogram with the durations added."""
    out = list(hist) if hist else empty_histogram()
    for d in durations:
        out[bucket_of(d)] += 1
    return out


def merge_histograms(hists: Iterable[Sequence[int]]) -> list[int]:
    out = empty_histogram()
    for h in hists:
        for i, v in enumerate(h):
            out[i] += v
    return out


def histogram_quantile(hist: Sequence[int], q: float) -> float | None:
    """Quantile ``q`` (0..1) estimated from a histogram by linear interpolation in its bucket.

    Returns None for an empty histogram. The open last bucket reports its lower edge.
    """
    total = sum(hist)
    if total == 0:
        return None
    target = q * total
    seen = 0.0
    for i, count in enumerate(hist):
        if count and seen + count >= target:
            lower = BUCKET_EDGES_S[i - 1] if i > 0 else 0.0
            if i >= len(BUCKET_EDGES_S):
                return float(lower)
            upper = BUCKET_EDGES_S[i]
            frac = (target - seen) / count
            return float(lower + frac * (upper - lower))
        seen += count
    return float(BUCKET_EDGES_S[-1])


def histogram_share_above(hist: Sequence[int], limit_s: float) -> float | None:
    """Share (0..1) of the durations longer than ``limit_s``, interpolated linearly inside its bucket.

    None for an empty histogram. A limit inside the open last bucket counts that whole bucket as above.
    """
    total = sum(hist)
    if total == 0:
        return None
    k = bucket_of(limit_s)
    above = float(sum(hist[k + 1 :]))
    if k < len(BUCKET_EDGES_S):
        lower = BUCKET_EDGES_S[k - 1] if k > 0 else 0.0
        upper = BUCKET_EDGES_S[k]
        above += hist[k] * (upper - limit_s) / (upper - lower)
    else:
        above += hist[k]
    return above / total
