"""What customers and mystery shoppers said, beside what the cameras measured, in a unit's report.

Ratings over a period add up the imported days: CSAT and CES means are weighted by their answers,
NPS is ``100 * (promoters - detractors) / answers`` (-100..100). A mystery-shopper visit (unit, date,
start time) scores each touchpoint as the weighted mean of its aspects (weights from the file); the
visit's score is the weighted mean of all its aspects, and the unit's mystery-shopper index is the
mean of its visits' scores (each visit counts once). A touchpoint's score is the mean of its visits'
touchpoint scores, an aspect's the mean of its scores.

Touchpoints map onto zone kinds where the cameras see them: ``frontliner`` (loket) onto the counters'
staff zones, ``satpam`` and ``pandu`` onto post zones (cvmon cannot tell a guard's post from a guide's
desk: both are ``post``). Beside each, the report shows the share of service time those zones were
staffed and how often they were empty while customers waited.

The quick wins merge the cvmon aspects below their target with the mystery-shopper aspects below
``reports.mystery_shopper_target``, lowest score first; each says which source it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import fmean
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from cvmon.config.models import Config
from cvmon.figures import total
from cvmon.read.queries import UnitRow
from cvmon.read.scope import children_of, subtree_of
from cvmon.reports.figures import Period, PeriodData, UnitFigures
from cvmon.reports.index import AspectScore
from cvmon.reports.satisfaction import Satisfaction, satisfaction
from cvmon.storage.ratings import rating_days, shopper_scores
from cvmon.types import ZoneKind
from cvmon.types.ratings import FRONTLINER, PANDU, SATPAM, RatingDay, ShopperScore

TOUCHPOINT_ZONES: dict[str, tuple[ZoneKind, ...]] = {
    FRONTLINER: (ZoneKind.COUNTER_STAFF,),
    SATPAM: (ZoneKind.POST,),
    PANDU: (ZoneKind.POST,),
}
# The evidence pack of a visit opens on this window around its start time (within its day).
PACK_BEFORE = timedelta(minutes=15)
PACK_AFTER = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class Ratings:
    """Ratings of a period, of one channel and service or of all ("")."""

    channel: str
    service: str
    days: int
    csat_count: int
    csat_mean: float | None
    promoters: int
    passives: int
    detractors: int
    ces_count: int
    ces_mean: float | None

    @property
    def nps_answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        """Net promoter score, -100..100 (None without answers)."""
        answers = self.nps_answers
        return None if not answers else round(100.0 * (self.promoters - self.detractors) / answers, 1)


def _weighted(pairs: Iterable[tuple[int, float | None]]) -> float | None:
    counted = [(n, m) for n, m in pairs if n and m is not None]
    answers = sum(n for n, _ in counted)
    return None if not answers else round(sum(n * m for n, m in counted) / answers, 3)


def ratings_of(rows: Sequence[RatingDay], channel: str = "", service: str = "") -> Ratings | None:
    """The rows added up (None without rows)."""
    if not rows:
        return None
    return Ratings(
        channel=channel,
        service=service,
        days=len({(r.unit_id, r.day) for r in rows}),
        csat_count=sum(r.csat_count for r in rows),
        csat_mean=_weighted((r.csat_count, r.csat_mean) for r in rows),
        promoters=sum(r.nps_promoters for r in rows),
        passives=sum(r.nps_passives for r in rows),
        detractors=sum(r.nps_detractors for r in rows),
        ces_count=sum(r.ces_count for r in rows),
        ces_mean=_weighted((r.ces_count, r.ces_mean) for r in rows),
    )


@dataclass(frozen=True, slots=True)
class ShopperAspect:
    touchpoint: str
    aspect: str
    score: float  # mean over the period's visits, 0-100
    weight: float  # mean weight
    visits: int
    target: float

    @property
    def below_target(self) -> bool:
        return self.score < self.target


@dataclass(frozen=True, slots=True)
class TouchpointScores:
    """A touchpoint's mystery-shopper score beside the figures of the zones it maps onto (None: no such zones)."""

    touchpoint: str
    visits: int
    score: float | None
    zone_kinds: tuple[str, ...]
    zones: int
    staffed_share: float | None
    episodes: int  # unstaffed runs while customers waited
    episode_minutes: int


@dataclass(frozen=True, slots=True)
class ShopperVisit:
    unit_id: str
    unit_name: str
    day: date
    start: time | None
    score: float
    touchpoints: tuple[tuple[str, float], ...]  # each touchpoint's weighted score
    pack_query: str | None  # the evidence pack's query string, for a visit with a known time

    @property
    def pack_url(self) -> str | None:
        return None if self.pack_query is None else f"/evidence/pack?{self.pack_query}"


@dataclass(frozen=True, slots=True)
class QuickWin:
    """One aspect to fix first: a cvmon aspect (``source`` "cvmon", ``cvmon`` set) or a mystery-shopper one."""

    source: str  # "cvmon" or "mystery_shopper"
    aspect: str
    score: float
    target: float
    touchpoint: str | None = None
    cvmon: AspectScore | None = None

    @property
    def shortfall(self) -> float:
        return round(max(0.0, self.target - self.score), 1)


@dataclass(frozen=True, slots=True)
class UnitCustomerScores:
    """A unit below, for the ranking: its mystery-shopper index and ratings."""

    unit_id: str
    shopper_index: float | None
    visits: int
    csat_mean: float | None
    nps: float | None


@dataclass(frozen=True, slots=True)
class CustomerView:
    ratings: Ratings | None
    channels: tuple[Ratings, ...]
    shopper_index: float | None
    visits: tuple[ShopperVisit, ...]
    touchpoints: tuple[TouchpointScores, ...]
    aspects: tuple[ShopperAspect, ...]
    quick_wins: tuple[QuickWin, ...]
    below: dict[str, UnitCustomerScores]
    satisfaction: Satisfaction
    shopper_target: float

    @property
    def has_data(self) -> bool:
        return self.ratings is not None or bool(self.visits)


def _visit_scores(rows: Sequence[ShopperScore]) -> dict[tuple[str, date, time | None], list[ShopperScore]]:
    visits: dict[tuple[str, date, time | None], list[ShopperScore]] = defaultdict(list)
    for r in rows:
        visits[(r.unit_id, r.visit_date, r.visit_time)].append(r)
    return visits


def _weighted_score(rows: Iterable[ShopperScore]) -> float:
    rows = list(rows)
    return sum(r.weight * r.score for r in rows) / sum(r.weight for r in rows)


def shopper_index(rows: Sequence[ShopperScore]) -> float | None:
    """The mean of the visits' weighted scores (None without visits)."""
    visits = _visit_scores(rows)
    return round(fmean(_weighted_score(v) for v in visits.values()), 1) if visits else None


def pack_query(unit_id: str, day: date, start: time) -> str:
    """The evidence pack's query for a visit starting at ``start``: PACK_BEFORE before to PACK_AFTER after,
    within the day."""
    moment = datetime.combine(day, start)
    first = max(moment - PACK_BEFORE, datetime.combine(day, time()))
    last = min(moment + PACK_AFTER, datetime.combine(day, time(23, 59)))
    return urlencode({"unit": unit_id, "date": day.isoformat(), "from": f"{first:%H:%M}", "to": f"{last:%H:%M}"})


def _visits(rows: Sequence[ShopperScore], names: dict[str, str]) -> list[ShopperVisit]:
    out = []
    for (unit, day, start), scored in sorted(_visit_scores(rows).items(), key=lambda kv: _visit_order(kv[0])):
        per_touchpoint: dict[str, list[ShopperScore]] = defaultdict(list)
        for r in scored:
            per_touchpoint[r.touchpoint].append(r)
        out.append(
            ShopperVisit(
                unit,
                names.get(unit, unit),
                day,
                start,
                round(_weighted_score(scored), 1),
                tuple((tp, round(_weighted_score(s), 1)) for tp, s in sorted(per_touchpoint.items())),
                None if start is None else pack_query(unit, day, start),
            )
        )
    return out


def _visit_order(key: tuple[str, date, time | None]) -> tuple[date, time, str]:
    return (key[1], key[2] or time(), key[0])


def _aspects(rows: Sequence[ShopperScore], target: float) -> list[ShopperAspect]:
    grouped: dict[tuple[str, str], list[ShopperScore]] = defaultdict(list)
    for r in rows:
        grouped[(r.touchpoint, r.aspect)].append(r)
    out = [
        ShopperAspect(
            tp, aspect, round(fmean(r.score for r in s), 1), round(fmean(r.weight for r in s), 2), len(s), target
        )
        for (tp, aspect), s in grouped.items()
    ]
    return sorted(out, key=lambda a: (a.score, a.touchpoint, a.aspect))


def _touchpoints(
    rows: Sequence[ShopperScore], data: PeriodData, subtree: Sequence[str], figures: UnitFigures
) -> list[TouchpointScores]:
    cameras = {c for c, u in data.camera_unit.items() if u in set(subtree)}
    scored: dict[str, list[float]] = defaultdict(list)
    for (_, _, _), visit in _visit_scores(rows).items():
        per: dict[str, list[ShopperScore]] = defaultdict(list)
        for r in visit:
            per[r.touchpoint].append(r)
        for tp, s in per.items():
            scored[tp].append(_weighted_score(s))
    names = sorted(set(scored) | {tp for tp in TOUCHPOINT_ZONES if _zones_of(data, cameras, TOUCHPOINT_ZONES[tp])})
    out = []
    for tp in names:
        kinds = TOUCHPOINT_ZONES.get(tp, ())
        accs = _zones_of(data, cameras, kinds)
        staffed = [s for s in figures.staffing.zones if ZoneKind(s.kind) in kinds]
        out.append(
            TouchpointScores(
                touchpoint=tp,
                visits=len(scored.get(tp, [])),
                score=round(fmean(scored[tp]), 1) if scored.get(tp) else None,
                zone_kinds=tuple(k.value for k in kinds),
                zones=len(accs),
                staffed_share=total(a.figures for a in accs).staffed_ratio if accs else None,
                episodes=sum(s.episodes for s in staffed),
                episode_minutes=sum(s.episode_minutes for s in staffed),
            )
        )
    return out


def _zones_of(data: PeriodData, cameras: set[str], kinds: tuple[ZoneKind, ...]) -> list[Any]:
    return [z for (cam, _), z in data.zones.items() if cam in cameras and z.kind in kinds]


def merged_quick_wins(cvmon: Sequence[AspectScore], aspects: Sequence[ShopperAspect]) -> list[QuickWin]:
    """The cvmon quick wins and the mystery-shopper aspects below their target, lowest score first (a tie: the
    cvmon aspect first, in the order ``quick_wins`` gives them, then by touchpoint and aspect)."""
    wins = [QuickWin("cvmon", a.aspect, a.score or 0.0, a.target, cvmon=a) for a in cvmon]
    wins += [QuickWin("mystery_shopper", a.aspect, a.score, a.target, a.touchpoint) for a in aspects if a.below_target]
    return sorted(wins, key=lambda w: (w.score, w.source != "cvmon"))  # stable: each source keeps its order


def customer_view(
    session: Session,
    config: Config,
    rows: Sequence[UnitRow],
    unit_id: str,
    period: Period,
    data: PeriodData,
    figures: UnitFigures,
    quick_wins: Sequence[AspectScore],
) -> CustomerView:
    """The ratings and mystery-shopper scores of the unit's subtree over the period, beside its figures."""
    subtree = subtree_of(rows, unit_id) or [unit_id]
    names = {r.id: r.name for r in rows}
    ratings = rating_days(session, subtree, period.first, period.last)
    scores = shopper_scores(session, subtree, period.first, period.last)
    target = config.reports.mystery_shopper_target
    by_channel: dict[tuple[str, str], list[RatingDay]] = defaultdict(list)
    for r in ratings:
        by_channel[(r.channel, r.service)].append(r)
    channels = [ratings_of(rs, *key) for key, rs in sorted(by_channel.items())]
    aspects = _aspects(scores, target)
    below: dict[str, UnitCustomerScores] = {}
    for child in children_of(rows).get(unit_id, []):
        tree = set(subtree_of(rows, child) or [child])
        child_scores = [s for s in scores if s.unit_id in tree]
        child_ratings = ratings_of([r for r in ratings if r.unit_id in tree])
        below[child] = UnitCustomerScores(
            child,
            shopper_index(child_scores),
            len(_visit_scores(child_scores)),
            child_ratings.csat_mean if child_ratings else None,
            child_ratings.nps if child_ratings else None,
        )
    return CustomerView(
        ratings=ratings_of(ratings),
        channels=tuple(c for c in channels if c is not None) if len(channels) > 1 else (),
        shopper_index=shopper_index(scores),
        visits=tuple(_visits(scores, names)),
        touchpoints=tuple(_touchpoints(scores, data, subtree, figures)),
        aspects=tuple(aspects),
        quick_wins=tuple(merged_quick_wins(quick_wins, aspects)),
        below=below,
        satisfaction=satisfaction(session, config, rows, subtree, period, ratings),
        shopper_target=target,
    )
