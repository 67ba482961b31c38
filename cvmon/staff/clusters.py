"""A bounded set of weighted look clusters: the aggregate of many torso histograms in a few centres.

Each cluster has a centre (a histogram), a weight (examples, fading with time) and a spread (the root
mean square Hellinger distance of its examples from the centre). However long a camera runs, at most
``max_clusters`` are kept: a new look far from every centre starts a cluster, and when there are too
many the two closest are merged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from cvmon import appearance

PRUNE_WEIGHT = 0.01  # a cluster faded below this many examples is dropped


@dataclass(frozen=True, slots=True)
class Cluster:
    """One look: its centre histogram, its weight in examples and its spread (Hellinger distance)."""

    centre: np.ndarray
    weight: float
    spread: float


@dataclass(frozen=True, slots=True)
class ClusterRules:
    """How clusters grow: spreads are clipped to [min_spread, max_spread]; a look joins its nearest
    cluster within ``join_z`` spreads; a centre moves by at least ``learning_rate`` per example."""

    max_clusters: int
    min_spread: float
    max_spread: float
    join_z: float
    learning_rate: float

    def spread(self, cluster: Cluster) -> float:
        return min(max(cluster.spread, self.min_spread), self.max_spread)

    def z(self, cluster: Cluster, look: np.ndarray) -> float:
        """How far ``look`` lies from the cluster, in its spreads."""
        return appearance.distance(cluster.centre, look) / self.spread(cluster)


def decayed(clusters: tuple[Cluster, ...], factor: float) -> tuple[Cluster, ...]:
    """The clusters with their weights multiplied by ``factor``, those faded away dropped."""
    kept = (replace(c, weight=c.weight * factor) for c in clusters)
    return tuple(c for c in kept if c.weight >= PRUNE_WEIGHT)


def added(clusters: tuple[Cluster, ...], look: np.ndarray, weight: float, rules: ClusterRules) -> tuple[Cluster, ...]:
    """The clusters with ``look`` (weighing ``weight`` examples) folded in."""
    if clusters:
        zs = [rules.z(c, look) for c in clusters]
        k = int(np.argmin(zs))
        if zs[k] <= rules.join_z:
            return (*clusters[:k], _joined(clusters[k], look, weight, rules), *clusters[k + 1 :])
    grown = (*clusters, Cluster(look.astype(np.float64), weight, rules.min_spread))
    return merged_down(grown, rules.max_clusters)


def merged_down(clusters: tuple[Cluster, ...], max_clusters: int) -> tuple[Cluster, ...]:
    """Merge the two closest clusters until at most ``max_clusters`` remain."""
    out = list(clusters)
    while len(out) > max_clusters:
        pairs = [(i, j) for i in range(len(out)) for j in range(i + 1, len(out))]
        i, j = min(pairs, key=lambda p: appearance.distance(out[p[0]].centre, out[p[1]].centre))
        out[i] = _merged(out[i], out[j])
        del out[j]
    return tuple(out)


def _joined(cluster: Cluster, look: np.ndarray, weight: float, rules: ClusterRules) -> Cluster:
    total = cluster.weight + weight
    rate = min(1.0, max(weight / total, rules.learning_rate))
    d = appearance.distance(cluster.centre, look)
    variance = (1.0 - rate) * cluster.spread**2 + rate * d * d
    centre = (1.0 - rate) * cluster.centre + rate * look
    return Cluster(centre / centre.sum(), total, math.sqrt(variance))


def _merged(a: Cluster, b: Cluster) -> Cluster:
    total = a.weight + b.weight
    centre = (a.weight * a.centre + b.weight * b.centre) / total
    centre = centre / centre.sum()
    da, db = appearance.distance(a.centre, centre), appearance.distance(b.centre, centre)
    variance = (a.weight * (a.spread**2 + da * da) + b.weight * (b.spread**2 + db * db)) / total
    return Cluster(centre, total, math.sqrt(variance))
