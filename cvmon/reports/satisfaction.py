"""What moves satisfaction: each cvmon figure of a unit's day against that day's CSAT and NPS.

A point is one unit and local day that has both: imported ratings of the unit (all its channels
added up) and camera figures of the unit's subtree that day, computed exactly as the report computes
a period's (``cvmon.reports.figures``, one day at a time). For each figure and outcome the report gives
Spearman's rank correlation over the points with its 95 % interval (``cvmon.reports.rank_correlation``)
and says in words whether the sample shows anything.

The figures are listed in ``DAY_FIGURES``; one that cvmon does not measure yet (abandonment, greeting)
is added there with the function that reads it from a day's ``UnitFigures`` once it does. No figure is
ever filled in when it was not measured: a day without it is not a point for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cvmon.config.models import Config
from cvmon.read.queries import UnitRow
from cvmon.read.scope import subtree_of
from cvmon.reports.figures import Period, UnitFigures, collect, period_of, unit_figures
from cvmon.reports.rank_correlation import RankCorrelation, spearman
from cvmon.types.ratings import RatingDay


@dataclass(frozen=True, slots=True)
class DayFigure:
    """A figure of a unit's day that may move satisfaction, and how to read it (None: not measured that day)."""

    key: str
    read: Callable[[UnitFigures], float | None]


def _wait_p90_min(f: UnitFigures) -> float | None:
    return None if f.wait.p90_s is None else f.wait.p90_s / 60


def _queue_over_pct(f: UnitFigures) -> float | None:
    return None if f.queue.share_over_threshold is None else 100 * f.queue.share_over_threshold


def _unstaffed_minutes(f: UnitFigures) -> float | None:
    """Minutes counters and posts were empty while customers waited (None: no staff zone was observed)."""
    return None if f.staffing.staffed_share is None else float(f.staffing.episode_minutes)


# Abandonment and greeting rates join here once cvmon measures them (a DayFigure reading them from UnitFigures).
DAY_FIGURES: tuple[DayFigure, ...] = (
    DayFigure("wait_p90_min", _wait_p90_min),
    DayFigure("queue_over_pct", _queue_over_pct),
    DayFigure("unstaffed_minutes", _unstaffed_minutes),
)
OUTCOMES = ("csat", "nps")


@dataclass(frozen=True, slots=True)
class DayPoint:
    """One unit's day: its figures (None: not measured), its mean CSAT and its NPS, and the answers behind them."""

    unit_id: str
    day: date
    figures: dict[str, float | None]
    csat: float | None
    nps: float | None
    csat_answers: int
    nps_answers: int

    def outcome(self, name: str) -> float | None:
        return self.csat if name == "csat" else self.nps


@dataclass(frozen=True, slots=True)
class Relation:
    figure: str
    outcome: str
    correlation: RankCorrelation
    pairs: tuple[tuple[float, float], ...]  # (figure, outcome) of each point, for the chart


@dataclass(frozen=True, slots=True)
class Satisfaction:
    points: tuple[DayPoint, ...]
    relations: tuple[Relation, ...]
    units: int  # units with at least one point

    def relation(self, figure: str, outcome: str) -> Relation:
        return next(r for r in self.relations if r.figure == figure and r.outcome == outcome)


def _day_outcomes(rows: Sequence[RatingDay]) -> dict[tuple[str, date], tuple[float | None, float | None, int, int]]:
    """Per unit and day: the CSAT mean (weighted by answers), the NPS, and their answers."""
    grouped: dict[tuple[str, date], list[RatingDay]] = defaultdict(list)
    for r in rows:
        grouped[(r.unit_id, r.day)].append(r)
    out = {}
    for key, rs in grouped.items():
        csat_n = sum(r.csat_count for r in rs if r.csat_mean is not None)
        csat = sum(r.csat_count * (r.csat_mean or 0.0) for r in rs) / csat_n if csat_n else None
        nps_n = sum(r.nps_answers for r in rs)
        nps = 100.0 * sum(r.nps_promoters - r.nps_detractors for r in rs) / nps_n if nps_n else None
        out[key] = (csat, nps, csat_n, nps_n)
    return out


def day_points(
    session: Session, config: Config, rows: Sequence[UnitRow], subtree: Sequence[str], ratings: Sequence[RatingDay]
) -> list[DayPoint]:
    """The points of the rated days: each day read once for the whole subtree, then split per rated unit."""
    outcomes = _day_outcomes(ratings)
    by_id = {r.id: r for r in rows}
    days: dict[date, list[str]] = defaultdict(list)
    for unit, day in sorted(outcomes):
        days[day].append(unit)
    points = []
    for day, units in sorted(days.items()):
        tz = ZoneInfo(by_id[units[0]].timezone)
        data = collect(session, config, subtree, period_of(day, day, tz))
        for unit in units:
            tree = subtree_of(rows, unit) or [unit]
            if not any(u in set(tree) for u in data.camera_unit.values()):
                continue  # no camera counted that day
            row = by_id[unit]
            figures = unit_figures(data, unit, row.name, row.level, tree)
            csat, nps, csat_n, nps_n = outcomes[(unit, day)]
            values = {f.key: f.read(figures) for f in DAY_FIGURES}
            points.append(DayPoint(unit, day, values, csat, nps, csat_n, nps_n))
    return points


def relations(points: Sequence[DayPoint]) -> list[Relation]:
    """Each figure against each outcome over the points that have both."""
    out = []
    for figure in DAY_FIGURES:
        for outcome in OUTCOMES:
            pairs = [
                (x, y)
                for p in points
                if (x := p.figures.get(figure.key)) is not None and (y := p.outcome(outcome)) is not None
            ]
            correlation = spearman([x for x, _ in pairs], [y for _, y in pairs])
            out.append(Relation(figure.key, outcome, correlation, tuple(pairs)))
    return out


def satisfaction(
    session: Session,
    config: Config,
    rows: Sequence[UnitRow],
    subtree: Sequence[str],
    period: Period,
    ratings: Sequence[RatingDay],
) -> Satisfaction:
    """The relations over the period's rated days of the subtree's units (``ratings`` already of the period)."""
    inside = [r for r in ratings if period.first <= r.day <= period.last and r.unit_id in set(subtree)]
    points = day_points(session, config, rows, subtree, inside)
    return Satisfaction(tuple(points), tuple(relations(points)), len({p.unit_id for p in points}))
