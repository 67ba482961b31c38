"""The figures of a period per unit: coverage, queue, wait, staffing, occupancy and alert handling.

One pass over the period's minute rows (and hourly roll-ups where retention has removed the
minutes) fills an accumulator per zone; a unit's figures combine the accumulators of the cameras
in its subtree, so a roll-up over a UP3 and each of its ULPs come from the same pass. Only minutes
inside the unit's service hours count. Measures that need single minutes (the p90 of the queue
length, time over the queue threshold, unstaffed episodes) use the minute rows alone.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cvmon.config.models import Config
from cvmon.config.rules import merge_layers
from cvmon.metrics.histogram import histogram_quantile, histogram_share_above, merge_histograms
from cvmon.metrics.totals import ZoneTotals
from cvmon.storage.models import (
    AlertRecord,
    CameraMinuteRecord,
    CameraRecord,
    HourlyStatRecord,
    MinuteStatRecord,
    ZoneRecord,
)
from cvmon.types import ZoneKind

# A staff zone staffed less than half of a minute counts as unstaffed in that minute; a customer or
# queue zone whose mean over a minute is at least half a person had someone waiting.
UNSTAFFED_BELOW = 0.5
SOMEONE_WAITING = 0.5


@dataclass(frozen=True, slots=True)
class Period:
    """Local days ``first``..``last`` (inclusive) of a unit, as the instants [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def period_of(first: date, last: date, tz: ZoneInfo) -> Period:
    """The period of whole local days from ``first`` to ``last``; ValueError when ``last`` is before ``first``."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    return Period(first, last, start, end)


def previous_period(period: Period, tz: ZoneInfo) -> Period:
    """The period to compare with: the previous calendar month for a whole month, the same days of the
    previous month for a month to date, else as many days just before."""
    if period.first.day == 1 and period.days <= 31:
        month_end = period.first - timedelta(days=1)
        month_start = month_end.replace(day=1)
        if (period.last + timedelta(days=1)).day == 1:  # a whole calendar month
            return period_of(month_start, month_end, tz)
        return period_of(month_start, min(month_start + (period.last - period.first), month_end), tz)
    last = period.first - timedelta(days=1)
    return period_of(last - timedelta(days=period.days - 1), last, tz)


@dataclass(frozen=True, slots=True)
class Coverage:
    cameras: int
    service_hours: float  # scheduled service time summed over the cameras
    observed_hours: float  # of it, time the cameras were online and analysed
    share: float | None


@dataclass(frozen=True, slots=True)
class QueueFigures:
    zones: int
    mean: float | None
    p90: float | None
    max: int | None
    share_over_threshold: float | None  # of the observed service minutes
    minutes: int  # minute rows behind the p90 and the share


@dataclass(frozen=True, slots=True)
class WaitFigures:
    zones: int
    visits: int
    p50_s: float | None
    p90_s: float | None
    share_over_sla: float | None
    sla_s: tuple[float, ...]  # the SLA of each zone, distinct values


@dataclass(frozen=True, slots=True)
class StaffedZone:
    camera_id: str
    zone_id: str
    name: str
    kind: str
    staffed_share: float | None
    episodes: int  # unstaffed runs of minutes while customers waited
    episode_minutes: int


@dataclass(frozen=True, slots=True)
class StaffingFigures:
    zones: tuple[StaffedZone, ...]
    staffed_share: float | None
    episodes: int
    episode_minutes: int


@dataclass(frozen=True, slots=True)
class OccupiedZone:
    camera_id: str
    zone_id: str
    name: str
    capacity: int
    mean: float | None
    peak: float | None
    share_over_capacity: float | None


@dataclass(frozen=True, slots=True)
class OccupancyFigures:
    zones: tuple[OccupiedZone, ...]
    share_over_capacity: float | None


@dataclass(frozen=True, slots=True)
class AlertFigures:
    total: int
    per_rule: dict[str, int]
    median_ack_s: float | None
    median_resolve_s: float | None
    resolved: int
    with_follow_up_share: float | None
    categories: dict[str, int]


@dataclass(frozen=True, slots=True)
class UnitFigures:
    unit_id: str
    name: str
    level: str
    coverage: Coverage
    queue: QueueFigures
    wait: WaitFigures
    staffing: StaffingFigures
    occupancy: OccupancyFigures
    alerts: AlertFigures


@dataclass(slots=True)
class _ZoneAcc(ZoneTotals):
    """Everything a zone contributes over the period's service minutes."""

    camera_id: str = ""
    zone_id: str = ""
    name: str = ""
    kind: ZoneKind = ZoneKind.QUEUE
    capacity: int | None = None
    queue_zone: str | None = None
    counter_zone: str | None = None
    threshold: int = 0
    sla_s: float = 0.0
    minute_means: dict[datetime, float] = field(default_factory=dict)
    minute_staffed: dict[datetime, float] = field(default_factory=dict)

    def add_minute(self, row: MinuteStatRecord) -> None:
        self.add(row)
        if row.samples:
            self.minute_means[row.minute] = row.count_sum / row.samples
        if self.kind.measures_staffing and row.seconds_observed:
            self.minute_staffed[row.minute] = row.seconds_staffed / row.seconds_observed


@dataclass(slots=True)
class PeriodData:
    """The accumulated period: zones per camera, coverage per camera, alerts, and the cameras' units."""

    zones: dict[tuple[str, str], _ZoneAcc]
    camera_unit: dict[str, str]
    online_s: dict[str, float]
    service_s: dict[str, float]
    alerts: list[AlertRecord]


def _service_seconds(config: Config, unit_id: str, period: Period) -> float:
    hours = config.unit_service_hours(unit_id)
    total = 0.0
    day = period.first
    while day <= period.last:
        for start, end in hours.intervals(day.weekday()):
            total += (datetime.combine(day, end) - datetime.combine(day, start)).total_seconds()
        day += timedelta(days=1)
    return total


def _zone_acc(config: Config, zone: ZoneRecord) -> _ZoneAcc:
    camera = next((c for c in config.cameras if c.id == zone.camera_id), None)
    zone_config = next((z for z in camera.zones if z.id == zone.zone_id), None) if camera else None
    rules = config.rules_for(camera, zone_config) if camera else merge_layers([config.defaults.rules])
    return _ZoneAcc(
        camera_id=zone.camera_id,
        zone_id=zone.zone_id,
        name=zone.name or zone.zone_id,
        kind=ZoneKind(zone.kind),
        capacity=zone.capacity,
        queue_zone=zone.queue_zone_id,
        counter_zone=zone.counter_zone_id,
        threshold=int(rules.queue_long["threshold"]),
        sla_s=float(rules.long_wait["sla_s"]),
    )


def collect(session: Session, config: Config, units: Sequence[str], period: Period) -> PeriodData:
    """Read the period of every camera of ``units`` (the caller's, already limited to a subtree)."""
    cameras = {
        cam.id: cam.unit_id for cam in session.scalars(select(CameraRecord).where(CameraRecord.unit_id.in_(units)))
    }
    ids = list(cameras)
    zones = {
        (z.camera_id, z.zone_id): _zone_acc(config, z)
        for z in session.scalars(select(ZoneRecord).where(ZoneRecord.camera_id.in_(ids)))
    }
    in_service = _service_filter(config)
    covered: set[tuple[str, str, datetime]] = set()
    minute_stmt = select(MinuteStatRecord).where(
        MinuteStatRecord.camera_id.in_(ids),
        MinuteStatRecord.minute >= period.start,
        MinuteStatRecord.minute < period.end,
    )
    for row in session.scalars(minute_stmt.execution_options(yield_per=2000)):
        acc = zones.get((row.camera_id, row.zone_id))
        covered.add((row.camera_id, row.zone_id, _hour(row.minute)))
        if acc is not None and in_service(cameras[row.camera_id], row.minute):
            acc.add_minute(row)
    hour_stmt = select(HourlyStatRecord).where(
        HourlyStatRecord.camera_id.in_(ids), HourlyStatRecord.hour >= period.start, HourlyStatRecord.hour < period.end
    )
    for hour_row in session.scalars(hour_stmt):
        acc = zones.get((hour_row.camera_id, hour_row.zone_id))
        if acc is None or (hour_row.camera_id, hour_row.zone_id, _hour(hour_row.hour)) in covered:
            continue
        if in_service(cameras[hour_row.camera_id], hour_row.hour):
            acc.add(hour_row)
    online: dict[str, float] = dict.fromkeys(ids, 0.0)
    cover_stmt = select(CameraMinuteRecord).where(
        CameraMinuteRecord.camera_id.in_(ids),
        CameraMinuteRecord.minute >= period.start,
        CameraMinuteRecord.minute < period.end,
    )
    for cov in session.scalars(cover_stmt.execution_options(yield_per=2000)):
        if in_service(cameras[cov.camera_id], cov.minute):
            online[cov.camera_id] += cov.seconds_online
    service = {
        cam: _service_seconds(config, unit, period) if unit in _unit_ids(config) else 0.0
        for cam, unit in cameras.items()
    }
    alerts = list(
        session.scalars(
            select(AlertRecord).where(
                AlertRecord.unit_id.in_(units),
                AlertRecord.opened_at >= period.start,
                AlertRecord.opened_at < period.end,
            )
        )
    )
    return PeriodData(zones, cameras, online, service, alerts)


def _unit_ids(config: Config) -> set[str]:
    return {u.id for u in config.units}


def _hour(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _service_filter(config: Config):  # type: ignore[no-untyped-def]
    known = _unit_ids(config)
    cache: dict[tuple[str, datetime], bool] = {}

    def in_service(unit_id: str, ts: datetime) -> bool:
        if unit_id not in known:  # a unit the configuration no longer has: its data still counts
            return True
        key = (unit_id, ts)
        if key not in cache:
            cache[key] = config.in_service_hours(unit_id, ts)
        return cache[key]

    return in_service


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def _queue(zones: list[_ZoneAcc]) -> QueueFigures:
    queues = [z for z in zones if z.kind is ZoneKind.QUEUE]
    samples = sum(z.samples for z in queues)
    means = [m for z in queues for m in z.minute_means.values()]
    over = sum(1 for z in queues for m in z.minute_means.values() if m >= z.threshold)
    return QueueFigures(
        zones=len(queues),
        mean=sum(z.count_sum for z in queues) / samples if samples else None,
        p90=_p90(means),
        max=max((z.count_max for z in queues), default=None) if samples else None,
        share_over_threshold=_share(over, len(means)),
        minutes=len(means),
    )


def _wait(zones: list[_ZoneAcc]) -> WaitFigures:
    waits = [z for z in zones if z.kind.measures_wait]
    visits = sum(sum(z.hist) for z in waits)
    over = sum((histogram_share_above(z.hist, z.sla_s) or 0.0) * sum(z.hist) for z in waits)
    merged = merge_histograms(z.hist for z in waits)
    return WaitFigures(
        zones=len(waits),
        visits=visits,
        p50_s=histogram_quantile(merged, 0.5),
        p90_s=histogram_quantile(merged, 0.9),
        share_over_sla=_share(over, visits),
        sla_s=tuple(sorted({z.sla_s for z in waits})),
    )


def _episodes(minutes: Iterable[datetime]) -> tuple[int, int]:
    """Runs of consecutive minutes and their total length."""
    ordered = sorted(minutes)
    runs = sum(1 for i, m in enumerate(ordered) if i == 0 or m - ordered[i - 1] != timedelta(minutes=1))
    return runs, len(ordered)


def _waiting_minutes(zone: _ZoneAcc, camera_zones: dict[str, _ZoneAcc]) -> set[datetime]:
    """Minutes in which customers waited for a staff zone: at its counter or in its queue, else (a post,
    or a counter without links) in any queue or waiting zone of its camera."""
    linked: list[_ZoneAcc] = []
    customer = camera_zones.get(zone.counter_zone or "")
    if customer is not None:
        linked.append(customer)
        queue = camera_zones.get(customer.queue_zone or "")
        if queue is not None:
            linked.append(queue)
    if not linked:
        linked = [z for z in camera_zones.values() if z.kind.measures_wait]
    return {m for z in linked for m, mean in z.minute_means.items() if mean >= SOMEONE_WAITING}


def _staffing(zones: list[_ZoneAcc]) -> StaffingFigures:
    by_camera: dict[str, dict[str, _ZoneAcc]] = {}
    for z in zones:
        by_camera.setdefault(z.camera_id, {})[z.zone_id] = z
    staffed = []
    for z in sorted((z for z in zones if z.kind.measures_staffing), key=lambda z: (z.camera_id, z.zone_id)):
        waiting = _waiting_minutes(z, by_camera[z.camera_id])
        empty = [m for m, ratio in z.minute_staffed.items() if ratio < UNSTAFFED_BELOW and m in waiting]
        runs, length = _episodes(empty)
        staffed.append(
            StaffedZone(
                z.camera_id,
                z.zone_id,
                z.name,
                z.kind.value,
                _share(z.seconds_staffed, z.seconds_observed),
                runs,
                length,
            )
        )
    counted = [z for z in zones if z.kind.measures_staffing]
    return StaffingFigures(
        zones=tuple(staffed),
        staffed_share=_share(sum(z.seconds_staffed for z in counted), sum(z.seconds_observed for z in counted)),
        episodes=sum(s.episodes for s in staffed),
        episode_minutes=sum(s.episode_minutes for s in staffed),
    )


def _occupancy(zones: list[_ZoneAcc]) -> OccupancyFigures:
    with_capacity = sorted((z for z in zones if z.capacity), key=lambda z: (z.camera_id, z.zone_id))
    out = []
    for z in with_capacity:
        assert z.capacity is not None
        mean = z.count_sum / z.samples if z.samples else None
        out.append(
            OccupiedZone(
                z.camera_id,
                z.zone_id,
                z.name,
                z.capacity,
                None if mean is None else mean / z.capacity,
                z.count_max / z.capacity if z.samples else None,
                _share(z.seconds_over_capacity, z.seconds_observed),
            )
        )
    return OccupancyFigures(
        zones=tuple(out),
        share_over_capacity=_share(
            sum(z.seconds_over_capacity for z in with_capacity), sum(z.seconds_observed for z in with_capacity)
        ),
    )


def _median_seconds(deltas: list[timedelta]) -> float | None:
    return statistics.median(d.total_seconds() for d in deltas) if deltas else None


def _alerts(alerts: list[AlertRecord]) -> AlertFigures:
    resolved = [a for a in alerts if a.resolved_at is not None]
    with_follow_up = [a for a in resolved if a.followup_category and (a.followup_note or "").strip()]
    return AlertFigures(
        total=len(alerts),
        per_rule=dict(sorted(Counter(a.rule for a in alerts).items())),
        median_ack_s=_median_seconds([a.acked_at - a.opened_at for a in alerts if a.acked_at is not None]),
        median_resolve_s=_median_seconds([a.resolved_at - a.opened_at for a in resolved if a.resolved_at]),
        resolved=len(resolved),
        with_follow_up_share=_share(len(with_follow_up), len(alerts)),
        categories=dict(sorted(Counter(a.followup_category for a in with_follow_up if a.followup_category).items())),
    )


def unit_figures(data: PeriodData, unit_id: str, name: str, level: str, subtree: Sequence[str]) -> UnitFigures:
    """The figures of a unit over the cameras and alerts of its subtree."""
    units = set(subtree)
    cameras = [c for c, u in data.camera_unit.items() if u in units]
    zones = [z for (cam, _), z in data.zones.items() if cam in set(cameras)]
    service_s = sum(data.service_s[c] for c in cameras)
    online_s = (
        min(sum(data.online_s[c] for c in cameras), service_s) if service_s else sum(data.online_s[c] for c in cameras)
    )
    return UnitFigures(
        unit_id=unit_id,
        name=name,
        level=level,
        coverage=Coverage(len(cameras), service_s / 3600, online_s / 3600, _share(online_s, service_s)),
        queue=_queue(zones),
        wait=_wait(zones),
        staffing=_staffing(zones),
        occupancy=_occupancy(zones),
        alerts=_alerts([a for a in data.alerts if a.unit_id in units]),
    )
