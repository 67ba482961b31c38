"""A summary per unit for the dashboard: cameras online, people queuing now, open alerts by what they
still need, the worst wait today, and what needs action first.

The figures come from the same scoped reads as the camera tiles (``queries.camera_statuses``, each
zone's latest minute) plus two grouped queries: alerts not resolved per unit, and today's mean wait
per hour of the queue and waiting zones. The worst wait is a mean, not a percentile: it is summed in
the database, so the summary stays cheap enough to refresh every few seconds (reading every minute's
histogram of a UP3's day took ten times as long as its tiles).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from cvmon.read import queries
from cvmon.read.current import ZoneNow, zone_now
from cvmon.read.lifecycle import configured_now
from cvmon.storage.models import AlertRecord, CameraRecord, MinuteStatRecord
from cvmon.types import ZoneKind

# A zone's latest minute older than this is not "now" (the tiles mark it stale).
STALE_AFTER = timedelta(minutes=5)
WAIT_KINDS = tuple(k.value for k in ZoneKind if k.measures_wait)
Reason = Literal["escalated", "unacknowledged", "offline", "followup"]
"""Why a unit needs action on the dashboard."""

# Why a unit needs action, most urgent first (each has its text "summary.reason.<name>").
REASONS: tuple[Reason, ...] = ("escalated", "unacknowledged", "offline", "followup")


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """A unit's alerts not resolved yet, by what they still need."""

    open: int = 0
    ongoing: int = 0  # the condition still holds
    waiting: int = 0  # the condition is over: waiting for acknowledgement or follow-up
    unacknowledged: int = 0
    escalated: int = 0  # unacknowledged past the unit's escalation delay
    followup: int = 0  # acknowledged, condition over, follow-up not recorded yet


@dataclass(frozen=True, slots=True)
class WorstWait:
    """The longest mean wait of one zone over one hour today, and how many visits it averages."""

    seconds: float
    camera_id: str
    zone_id: str
    hour: datetime
    visits: int


@dataclass(frozen=True, slots=True)
class UnitSummary:
    unit: queries.UnitRow
    cameras: int
    online: int
    offline: int
    queue_now: float | None  # people in the unit's queue zones in their latest (fresh) minutes
    alerts: AlertCounts
    worst_wait: WorstWait | None
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def needs_action(self) -> bool:
        return bool(self.reasons)


def alert_counts_per_unit(session: Session, units: Sequence[str]) -> dict[str, AlertCounts]:
    """Alerts nobody has resolved yet per unit of ``units`` (units without any are absent)."""
    a = AlertRecord

    def count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((and_(*conditions), 1), else_=0))

    stmt = (
        select(
            a.unit_id,
            func.count(a.id),
            count(a.cleared_at.is_(None)),
            count(a.cleared_at.is_not(None)),
            count(a.acked_at.is_(None)),
            count(a.acked_at.is_(None), a.escalated_at.is_not(None)),
            count(a.acked_at.is_not(None), a.cleared_at.is_not(None)),
        )
        .where(a.unit_id.in_(list(units)), a.resolved_at.is_(None))
        .group_by(a.unit_id)
    )
    return {unit_id: AlertCounts(*(int(n or 0) for n in counts)) for unit_id, *counts in session.execute(stmt)}


def local_midnight(now: datetime, timezone: str) -> datetime:
    """The start of ``now``'s day in the zone, in UTC."""
    zone = ZoneInfo(timezone)
    return datetime.combine(now.astimezone(zone).date(), time(), tzinfo=zone).astimezone(UTC)


def _utc_hour(session: Session, column: Any) -> ColumnElement[Any]:
    """SQL for the start of the UTC hour of a timestamp column (text on SQLite, a timestamp on PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(literal_column("'hour'"), func.timezone(literal_column("'UTC'"), column))
    return func.strftime(literal_column("'%Y-%m-%d %H:00:00'"), column)


def _as_utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def worst_waits_today(session: Session, units: Sequence[queries.UnitRow], now: datetime) -> dict[str, WorstWait]:
    """Per unit, the zone and UTC hour of today (the unit's day) with the longest mean wait, summed in
    the database from the minute rows of its queue and waiting zones (exact: the sum of the visits'
    durations over their number); units without a visit today are absent."""
    if not units:
        return {}
    by_zone: dict[str, list[str]] = {}
    for u in units:
        by_zone.setdefault(u.timezone, []).append(u.id)
    m = MinuteStatRecord
    today = or_(
        *(and_(CameraRecord.unit_id.in_(ids), m.minute >= local_midnight(now, tz)) for tz, ids in by_zone.items())
    )
    hour = _utc_hour(session, m.minute)
    stmt = (
        select(CameraRecord.unit_id, m.camera_id, m.zone_id, hour, func.sum(m.visit_seconds_sum), func.sum(m.visits))
        .join(CameraRecord, CameraRecord.id == m.camera_id)
        .where(today, m.zone_kind.in_(WAIT_KINDS), m.visits > 0, m.minute <= now)
        .group_by(CameraRecord.unit_id, m.camera_id, m.zone_id, hour)
    )
    worst: dict[str, WorstWait] = {}
    for unit_id, camera_id, zone_id, start, seconds, visits in session.execute(stmt):
        mean = float(seconds) / int(visits)
        if unit_id not in worst or mean > worst[unit_id].seconds:
            worst[unit_id] = WorstWait(round(mean, 1), camera_id, zone_id, _as_utc(start), int(visits))
    return worst


def _queue_now(zones: Sequence[ZoneNow], now: datetime) -> float | None:
    fresh = [
        z.count_mean
        for z in zones
        if z.kind == ZoneKind.QUEUE.value
        and z.count_mean is not None
        and z.minute is not None
        and now - z.minute <= STALE_AFTER
    ]
    return round(sum(fresh), 1) if fresh else None


def _reasons(counts: AlertCounts, offline: int) -> tuple[Reason, ...]:
    found = {
        "escalated": counts.escalated,
        "unacknowledged": counts.unacknowledged,
        "offline": offline,
        "followup": counts.followup,
    }
    return tuple(r for r in REASONS if found[r])


def summarise(
    tree: Sequence[queries.UnitRow],
    cameras: Sequence[queries.CameraStatus],
    zones: Mapping[str, Sequence[ZoneNow]],
    alerts: Mapping[str, AlertCounts],
    waits: Mapping[str, WorstWait],
    now: datetime,
) -> list[UnitSummary]:
    """A summary of each unit of ``tree`` that has cameras or open alerts: those needing action first
    (escalated, then unacknowledged alerts, offline cameras, follow-up due), the rest in ``tree``'s order."""
    out = []
    for unit in tree:
        own = [c for c in cameras if c.unit_id == unit.id]
        counts = alerts.get(unit.id, AlertCounts())
        if not own and not counts.open:
            continue
        offline = sum(c.status == "offline" for c in own)
        out.append(
            UnitSummary(
                unit=unit,
                cameras=len(own),
                online=sum(c.status == "online" for c in own),
                offline=offline,
                queue_now=_queue_now([z for c in own for z in zones.get(c.id, [])], now),
                alerts=counts,
                worst_wait=waits.get(unit.id),
                reasons=_reasons(counts, offline),
            )
        )
    order = {u.id: i for i, u in enumerate(tree)}

    def urgency(s: UnitSummary) -> tuple[int, ...]:
        a = s.alerts
        return (not s.needs_action, -a.escalated, -a.unacknowledged, -s.offline, -a.followup, order[s.unit.id])

    return sorted(out, key=urgency)


def unit_summaries(session: Session, tree: Sequence[queries.UnitRow], now: datetime) -> list[UnitSummary]:
    """The summaries of the units of ``tree`` (the caller's, already scoped), read from the database: of the
    cameras and zones configured now."""
    units = [u.id for u in tree]
    cameras, current_zones = configured_now(session, queries.camera_statuses(session, units))
    zones = {
        cam.id: [
            zone_now(zone, minute)
            for _cam, zone, minute in queries.zones_with_latest_minute(session, cam.id, units)
            if zone is not None and (cam.id, zone.zone_id) in current_zones
        ]
        for cam in cameras
    }
    alerts = alert_counts_per_unit(session, units)
    return summarise(tree, cameras, zones, alerts, worst_waits_today(session, tree, now), now)
