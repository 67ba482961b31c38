"""The service-environment index: aspect scores 0-100 from a unit's figures, weighted into one number.

Aspects (weights from ``reports.weights`` in cameras.yaml):

- waiting: share of visits to queue and waiting zones within their SLA (``long_wait.sla_s``);
- queue: share of observed service minutes with every queue under its threshold (``queue_long.threshold``);
- staffing: share of service time counters and posts were staffed;
- comfort: share of service time zones with a capacity were within it;
- follow_up: share of the period's alerts resolved with a follow-up category and note;
- room: days the room was ready at opening and service hours without a room change (``cvmon.reports.room``);
- behaviour: share of the judged arrivals at counters and posts greeted the PS4 way (``cvmon.reports.behaviour``).

An aspect without data (no visits, no queue zone, no alerts...) drops out and the other weights
are scaled up, so a unit is not rewarded or punished for what it does not have. The category comes
from ``reports.categories``. Each aspect has a target score (``reports.targets``); the quick wins are
the aspects below theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvmon.config.models import ReportsConfig
from cvmon.reports.behaviour import BehaviourFigures
from cvmon.reports.figures import UnitFigures
from cvmon.reports.room import RoomFigures

ASPECTS = ("waiting", "queue", "staffing", "comfort", "follow_up", "room", "behaviour")
CATEGORIES = ("excellent", "good", "fair", "poor")


@dataclass(frozen=True, slots=True)
class AspectScore:
    aspect: str
    score: float | None  # 0-100; None: no data
    weight: float
    target: float  # 0-100, from reports.targets

    @property
    def below_target(self) -> bool:
        """The aspect has data and scores under its target."""
        return self.score is not None and self.score < self.target

    @property
    def shortfall(self) -> float | None:
        """Points missing to the target (None without data, 0 at or above it)."""
        return None if self.score is None else round(max(0.0, self.target - self.score), 1)


@dataclass(frozen=True, slots=True)
class ServiceIndex:
    value: float | None  # 0-100; None when no aspect has data
    category: str | None
    aspects: tuple[AspectScore, ...]

    def aspect(self, name: str) -> AspectScore:
        return next(a for a in self.aspects if a.aspect == name)


def _percent(share: float | None, *, inverted: bool = False) -> float | None:
    if share is None:
        return None
    return round(100.0 * ((1.0 - share) if inverted else share), 1)


def aspect_scores(
    figures: UnitFigures, room: RoomFigures | None = None, behaviour: BehaviourFigures | None = None
) -> dict[str, float | None]:
    """Each aspect's score 0-100 (None without data)."""
    return {
        "waiting": _percent(figures.wait.share_over_sla, inverted=True),
        "queue": _percent(figures.queue.share_over_threshold, inverted=True),
        "staffing": _percent(figures.staffing.staffed_share),
        "comfort": _percent(figures.occupancy.share_over_capacity, inverted=True),
        "follow_up": _percent(figures.alerts.with_follow_up_share),
        "room": None if room is None else room.score,
        "behaviour": None if behaviour is None else behaviour.score,
    }


def category_of(value: float | None, config: ReportsConfig) -> str | None:
    if value is None:
        return None
    limits = config.categories
    if value >= limits.excellent:
        return "excellent"
    if value >= limits.good:
        return "good"
    if value >= limits.fair:
        return "fair"
    return "poor"


def service_index(
    figures: UnitFigures,
    config: ReportsConfig,
    room: RoomFigures | None = None,
    behaviour: BehaviourFigures | None = None,
) -> ServiceIndex:
    """The weighted mean of the aspects that have data, with its category."""
    weights, targets = config.weights.model_dump(), config.targets.model_dump()
    scores = aspect_scores(figures, room, behaviour)
    aspects = tuple(AspectScore(name, scores[name], float(weights[name]), float(targets[name])) for name in ASPECTS)
    counted = [a for a in aspects if a.score is not None and a.weight > 0]
    total_weight = sum(a.weight for a in counted)
    value = None
    if total_weight > 0:
        value = round(sum(a.weight * (a.score or 0.0) for a in counted) / total_weight, 1)
    return ServiceIndex(value, category_of(value, config), aspects)


def quick_wins(index: ServiceIndex) -> list[AspectScore]:
    """The counted aspects below their target, lowest score first (ties: the heavier weight first): what to
    fix first. An aspect at or above its target, or without data, is not one."""
    below = [a for a in index.aspects if a.below_target and a.weight > 0]
    return sorted(below, key=lambda a: (a.score or 0.0, -a.weight))
