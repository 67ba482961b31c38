"""A camera's staff model: the aggregate look of its uniformed staff, learned from people standing in
staff zones, and a contrast of the looks seen in customer zones.

A look is a torso histogram (``cvmon.appearance``). Staff looks are kept as a few weighted clusters
(two uniforms on one camera are two clusters), customer looks likewise. A look's staff score is

    s / (s + c + b),   s = max over staff looks of K(z),   c = sum over customer looks of share * K(z),

with K(z) = exp(-z^2 / 2), z the distance in the cluster's own spread (how much that look varies on
this camera, in its lighting) and b = K(outlier_z). A look near a uniform scores near 1; one far from
every uniform near 0; one a little off a uniform scores high unless customers often look like that,
and in between where it is unsure. Until ``min_examples`` staff examples are in, nothing is scored.

Only the staff clusters are stored (``to_json``); the customer contrast stays in memory and is
learned again after a restart, so nothing about customers' looks is ever written.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from cvmon import appearance
from cvmon.config.staff import StaffConfig
from cvmon.staff.clusters import Cluster, ClusterRules, added, decayed, merged_down

FORMAT = "cvmon-staff-model"
VERSION = 1
SUM_TOLERANCE = 1e-3  # a stored centre must sum to 1 within this


def similarity(z: float) -> float:
    """K(z): 1 at a cluster's centre, 0.61 one spread away, 0.011 three spreads away."""
    return math.exp(-0.5 * z * z)


class StaffModel:
    """One camera's staff looks and customer contrast; bounded memory, however long it learns."""

    def __init__(self, config: StaffConfig) -> None:
        self.config = config
        self.staff: tuple[Cluster, ...] = ()
        self.customers: tuple[Cluster, ...] = ()
        self.updated_t: float | None = None  # seconds (a clock shared by every add, e.g. Unix time)
        self._staff_rules = self._rules(config.max_staff_clusters)
        self._customer_rules = self._rules(config.max_customer_clusters)

    def _rules(self, max_clusters: int) -> ClusterRules:
        c = self.config
        return ClusterRules(max_clusters, c.min_spread, c.max_spread, c.outlier_z, c.learning_rate)

    @property
    def staff_examples(self) -> float:
        """Staff examples learned, weighted and faded."""
        return sum(c.weight for c in self.staff)

    @property
    def ready(self) -> bool:
        """Whether enough staff examples are in to classify anyone."""
        return self.staff_examples >= self.config.min_examples

    def add_staff(self, look: np.ndarray, t: float, *, confirmed: bool = False) -> None:
        """Learn ``look`` at time ``t`` as staff (``confirmed`` by an admin: it weighs ``admin_weight``)."""
        self._fade_to(t)
        weight = self.config.admin_weight if confirmed else 1.0
        self.staff = added(self.staff, _checked(look), weight, self._staff_rules)

    def add_customer(self, look: np.ndarray, t: float, *, confirmed: bool = False) -> None:
        """Learn ``look`` at time ``t`` as a customer's (``confirmed`` by an admin: it weighs ``admin_weight``)."""
        self._fade_to(t)
        weight = self.config.admin_weight if confirmed else 1.0
        self.customers = added(self.customers, _checked(look), weight, self._customer_rules)

    def score(self, look: np.ndarray) -> float | None:
        """How staff-like ``look`` is, 0..1 (0.5: as near a uniform as ``outlier_z`` spreads with no customer
        look near); None (unsure) while the model is not ready or no staff look holds ``min_cluster_share``."""
        established = self.established()
        if not self.ready or not established:
            return None
        look = _checked(look)
        staff = max(similarity(self._staff_rules.z(c, look)) for c in established)
        total = sum(c.weight for c in self.customers)
        customer = sum(c.weight / total * similarity(self._customer_rules.z(c, look)) for c in self.customers)
        return staff / (staff + customer + similarity(self.config.outlier_z))

    def established(self) -> tuple[Cluster, ...]:
        """The staff looks with at least ``min_cluster_share`` of the staff examples (the ones that count)."""
        total = self.staff_examples
        return tuple(c for c in self.staff if c.weight >= self.config.min_cluster_share * total)

    def _fade_to(self, t: float) -> None:
        if not math.isfinite(t):
            raise ValueError(f"time {t} is not a finite number of seconds")
        if self.updated_t is not None and t > self.updated_t:
            factor = 0.5 ** ((t - self.updated_t) / (self.config.half_life_h * 3600.0))
            self.staff, self.customers = decayed(self.staff, factor), decayed(self.customers, factor)
        self.updated_t = t if self.updated_t is None else max(self.updated_t, t)

    def to_json(self) -> str:
        """The staff looks that count, as JSON (no customer looks: they are never stored)."""
        clusters = [
            {"centre": [float(v) for v in c.centre], "weight": c.weight, "spread": c.spread} for c in self.established()
        ]
        body = {"format": FORMAT, "version": VERSION, "bins": appearance.BINS, "updated_t": self.updated_t}
        return json.dumps({**body, "staff": clusters})

    @classmethod
    def from_json(cls, text: str, config: StaffConfig) -> StaffModel:
        """A model from ``to_json``'s text; ValueError (one line) when it is not one."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError(f"staff model: not JSON ({exc})") from None
        model = cls(config)
        model.updated_t, staff = _parsed(data)
        model.staff = merged_down(staff, config.max_staff_clusters)
        return model


def _checked(look: np.ndarray) -> np.ndarray:
    look = np.asarray(look, dtype=np.float64)
    if look.shape != (appearance.BINS,):
        raise ValueError(f"a look is a histogram of {appearance.BINS} values, not of shape {look.shape}")
    total = float(look.sum())
    if not np.isfinite(look).all() or (look < 0).any() or total <= 0:
        raise ValueError("a look must hold finite values >= 0 with a positive sum")
    return look / total


def _parsed(data: Any) -> tuple[float | None, tuple[Cluster, ...]]:
    if not isinstance(data, dict):
        raise ValueError("staff model: expected a JSON object")
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"staff model: format must be {FORMAT!r} version {VERSION}")
    if data.get("bins") != appearance.BINS:
        raise ValueError(f"staff model: bins must be {appearance.BINS}, got {data.get('bins')!r}")
    extra = set(data) - {"format", "version", "bins", "updated_t", "staff"}
    if extra:
        raise ValueError(f"staff model: unknown keys {sorted(extra)}")
    updated_t = data.get("updated_t")
    if updated_t is not None and not _finite(updated_t):
        raise ValueError("staff model: updated_t must be a finite number or null")
    staff = data.get("staff")
    if not isinstance(staff, list):
        raise ValueError("staff model: staff must be a list of clusters")
    return (None if updated_t is None else float(updated_t)), tuple(_cluster(i, c) for i, c in enumerate(staff))


def _cluster(i: int, item: Any) -> Cluster:
    where = f"staff model: staff[{i}]"
    if not isinstance(item, dict) or set(item) != {"centre", "weight", "spread"}:
        raise ValueError(f"{where}: expected an object with centre, weight and spread")
    centre, weight, spread = item["centre"], item["weight"], item["spread"]
    if not isinstance(centre, list) or len(centre) != appearance.BINS or not all(_finite(v) and v >= 0 for v in centre):
        raise ValueError(f"{where}.centre: expected {appearance.BINS} finite numbers >= 0")
    if abs(sum(centre) - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{where}.centre: must sum to 1, sums to {sum(centre):.6g}")
    if not _finite(weight) or weight <= 0:
        raise ValueError(f"{where}.weight: expected a finite number > 0")
    if not _finite(spread) or spread < 0 or spread > 1:
        raise ValueError(f"{where}.spread: expected a number in 0..1")
    return Cluster(np.asarray(centre, np.float64), float(weight), float(spread))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
