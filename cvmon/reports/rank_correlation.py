"""Spearman's rank correlation and its confidence interval, for "what moves satisfaction".

Spearman's rho is Pearson's correlation of the ranks (ties share their mean rank), so it measures
whether one figure tends to rise or fall with the other, whatever the shape, and a few extreme days
do not drive it. Its confidence interval uses Fisher's z transform with the standard error
``sqrt(1.06 / (n - 3))`` of Fieller, Hartley and Pearson (1957) for rank correlations: ``tanh(atanh(rho)
± z * se)``. The interval is approximate, and needs about ten pairs to mean anything; below that the
report says the sample is too small rather than print a number.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PAIRS = 10  # fewer pairs: too few to say anything
STRENGTHS = ((0.1, "none"), (0.3, "weak"), (0.5, "moderate"))  # |rho| below each bound; "strong" above


@dataclass(frozen=True, slots=True)
class RankCorrelation:
    """Spearman's rho of ``n`` pairs with its confidence interval [low, high] at ``level``."""

    n: int
    rho: float | None  # None: too few pairs, or one side never varies
    low: float | None
    high: float | None
    level: float = 0.95

    @property
    def strength(self) -> str | None:
        """``none``, ``weak``, ``moderate`` or ``strong``, by |rho| (Cohen's bounds 0.1, 0.3, 0.5)."""
        if self.rho is None:
            return None
        return next((name for bound, name in STRENGTHS if abs(self.rho) < bound), "strong")

    @property
    def verdict(self) -> str:
        """``too_few`` (under MIN_PAIRS pairs), ``no_variation``, ``unclear`` (the interval holds 0), ``negative``
        or ``positive``."""
        if self.n < MIN_PAIRS:
            return "too_few"
        if self.rho is None or self.low is None or self.high is None:
            return "no_variation"
        if self.low <= 0.0 <= self.high:
            return "unclear"
        return "negative" if self.rho < 0 else "positive"


def ranks(values: Sequence[float]) -> list[float]:
    """The rank of each value from 1, ties given the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> RankCorrelation:
    """Spearman's rho of the pairs (x[i], y[i]) and its Fisher-z interval; rho is None under 3 pairs or when
    either side is constant, and the interval is None under MIN_PAIRS pairs."""
    if len(x) != len(y):
        raise ValueError(f"{len(x)} x values but {len(y)} y values")
    n = len(x)
    if n < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return RankCorrelation(n, None, None, None, level)
    rho = statistics.correlation(ranks(x), ranks(y))
    if n < MIN_PAIRS:
        return RankCorrelation(n, rho, None, None, level)
    z = statistics.NormalDist().inv_cdf(0.5 + level / 2)
    se = math.sqrt(1.06 / (n - 3))
    centre = math.atanh(max(-0.999999, min(0.999999, rho)))
    return RankCorrelation(n, rho, math.tanh(centre - z * se), math.tanh(centre + z * se), level)
