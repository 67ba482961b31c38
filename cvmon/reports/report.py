"""A unit's report for a period: figures, index, change against the previous period, ranking, quick wins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cvmon.config.models import Config
from cvmon.errors import CvmonError
from cvmon.read import queries
from cvmon.read.scope import children_of, subtree_of
from cvmon.reports.behaviour import NO_BEHAVIOUR, BehaviourFigures, behaviour_figures
from cvmon.reports.customer import CustomerView, customer_view
from cvmon.reports.figures import Period, UnitFigures, collect, period_of, previous_period, unit_figures
from cvmon.reports.index import AspectScore, ServiceIndex, quick_wins, service_index
from cvmon.reports.room import NO_ROOM, RoomFigures, room_figures
from cvmon.storage.models import CameraRecord

# Longest period one report covers (a year and a day, for leap years).
MAX_DAYS = 366


class ReportError(CvmonError):
    """A report that cannot be made: unknown unit, bad period."""

    exit_code = 2


class UnitNotFound(ReportError):
    """No such unit among the caller's."""


@dataclass(frozen=True, slots=True)
class RankedUnit:
    unit_id: str
    name: str
    index: float | None
    category: str | None
    change: float | None


@dataclass(frozen=True, slots=True)
class UnitReport:
    unit_id: str
    name: str
    level: str
    timezone: str
    period: Period
    previous: Period
    figures: UnitFigures
    index: ServiceIndex
    previous_figures: UnitFigures
    previous_index: ServiceIndex
    ranking: tuple[RankedUnit, ...]  # the unit's direct children, best first
    quick_wins: tuple[AspectScore, ...]
    camera_names: dict[str, str] = field(default_factory=dict)  # what a reader sees for each camera id
    customer: CustomerView | None = None  # imported ratings and mystery-shopper scores (cvmon.reports.customer)
    room: RoomFigures = NO_ROOM  # room readiness (cvmon.reports.room)
    previous_room: RoomFigures = NO_ROOM
    behaviour: BehaviourFigures = NO_BEHAVIOUR  # the PS4 greeting at counters and posts (cvmon.reports.behaviour)
    previous_behaviour: BehaviourFigures = NO_BEHAVIOUR

    def camera_name(self, camera_id: str) -> str:
        return self.camera_names.get(camera_id, camera_id)

    @property
    def change(self) -> float | None:
        """Index points gained since the previous period."""
        if self.index.value is None or self.previous_index.value is None:
            return None
        return round(self.index.value - self.previous_index.value, 1)


def _camera_names(session: Session, units: Sequence[str]) -> dict[str, str]:
    """The stored name of every camera of the units, removed ones included (a past period may show them)."""
    stmt = select(CameraRecord.id, CameraRecord.name).where(CameraRecord.unit_id.in_(list(units)))
    return {camera_id: name or camera_id for camera_id, name in session.execute(stmt)}


def _change(now: ServiceIndex, before: ServiceIndex) -> float | None:
    if now.value is None or before.value is None:
        return None
    return round(now.value - before.value, 1)


def build_report(
    session: Session, config: Config, unit_id: str, scope: Sequence[str], first: date, last: date
) -> UnitReport:
    """The report of a unit of the caller's scope over local days ``first``..``last``.

    Raises:
        UnitNotFound: the unit is not among the caller's units.
        ReportError: the period ends before it starts or is longer than a year.
    """
    rows = queries.units_in_scope(session, scope)
    subtree = subtree_of(rows, unit_id)
    if subtree is None:
        raise UnitNotFound(f"no unit '{unit_id}'")
    if last < first:
        raise ReportError(f"the period ends ({last}) before it starts ({first})")
    if (last - first).days + 1 > MAX_DAYS:
        raise ReportError(f"a report covers at most {MAX_DAYS} days, not {(last - first).days + 1}")
    by_id = {r.id: r for r in rows}
    unit = by_id[unit_id]
    tz = ZoneInfo(unit.timezone)
    period = period_of(first, last, tz)
    before = previous_period(period, tz)
    now_data = collect(session, config, subtree, period)
    before_data = collect(session, config, subtree, before)
    figures = unit_figures(now_data, unit.id, unit.name, unit.level, subtree)
    previous_figures = unit_figures(before_data, unit.id, unit.name, unit.level, subtree)
    room = room_figures(session, config, subtree, period)
    previous_room = room_figures(session, config, subtree, before)
    behaviour = behaviour_figures(now_data, config, subtree)
    previous_behaviour = behaviour_figures(before_data, config, subtree)
    index = service_index(figures, config.reports, room, behaviour)
    previous_index = service_index(previous_figures, config.reports, previous_room, previous_behaviour)
    ranking = []
    for child_id in children_of(rows).get(unit_id, []):
        child = by_id[child_id]
        child_tree = subtree_of(rows, child_id) or [child_id]
        child_index = service_index(
            unit_figures(now_data, child.id, child.name, child.level, child_tree),
            config.reports,
            room_figures(session, config, child_tree, period),
            behaviour_figures(now_data, config, child_tree),
        )
        child_before = service_index(
            unit_figures(before_data, child.id, child.name, child.level, child_tree),
            config.reports,
            room_figures(session, config, child_tree, before),
            behaviour_figures(before_data, config, child_tree),
        )
        ranking.append(
            RankedUnit(
                child.id, child.name, child_index.value, child_index.category, _change(child_index, child_before)
            )
        )
    ranking.sort(key=lambda r: (r.index is None, -(r.index or 0.0), r.name))
    wins = tuple(quick_wins(index))
    customer = customer_view(session, config, rows, unit.id, period, now_data, figures, wins)
    return UnitReport(
        unit_id=unit.id,
        name=unit.name,
        level=unit.level,
        timezone=unit.timezone,
        period=period,
        previous=before,
        figures=figures,
        index=index,
        previous_figures=previous_figures,
        previous_index=previous_index,
        ranking=tuple(ranking),
        quick_wins=wins,
        camera_names=_camera_names(session, subtree),
        customer=customer,
        room=room,
        previous_room=previous_room,
        behaviour=behaviour,
        previous_behaviour=previous_behaviour,
    )
