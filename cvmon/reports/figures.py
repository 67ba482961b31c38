"""The figures of a period per unit: coverage, queue, wait, staffing, occupancy and alert handling.

``collect`` reads a period into an accumulator per zone; a unit's figures combine the accumulators
of the cameras in its subtree, so a roll-up over a UP3 and each of its ULPs come from the same read.
Only minutes inside the unit's service hours count: the service hours become exact UTC ranges per
unit (daylight saving included), and the database filters by them and adds the minute rows up, so
a month of a UP3 comes back as thousands of rows rather than a million ORM objects. Hourly roll-ups
count for the hours whose minute rows retention has removed. Measures that need single minutes (the
p90 of the queue length, time over the queue threshold, unstaffed episodes) use the minute rows
alone and read only what they need: how many minutes each queue had each length, and the minutes a
staff zone was unstaffed with the zones that held someone then.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from cvmon.config.models import Config, ServiceHours
from cvmon.figures import SUMMED_FIGURES, ZoneFigures, total
from cvmon.histogram import NO_VISITS, DurationHistogram
from cvmon.reports.periods import Range, counted_cameras, counted_zones, rules_of, service_hours_of, timezone_of
from cvmon.storage.models import (
    AlertRecord,
    CameraMinuteRecord,
    CameraRecord,
    HourlyStatRecord,
    MinuteStatRecord,
    UnitRecord,
    ZoneVersionRecord,
)
from cvmon.types import ZoneKind

# A staff zone staffed less than half of a minute counts as unstaffed in that minute; a customer or
# queue zone whose mean over a minute is at least half a person had someone waiting.
UNSTAFFED_BELOW = 0.5
SOMEONE_WAITING = 0.5
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


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
    thresholds: tuple[int, ...]  # queue_long.threshold of each queue zone, distinct values


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
class _ZoneAcc:
    """Everything a zone contributes over the period's service minutes.

    The visit histogram of ``figures`` is kept for queue and waiting zones only: the wait figures are
    all that read it.
    """

    figures: ZoneFigures = field(default_factory=ZoneFigures)
    camera_id: str = ""
    zone_id: str = ""
    name: str = ""
    kind: ZoneKind = ZoneKind.QUEUE
    capacity: int | None = None
    queue_zone: str | None = None
    counter_zone: str | None = None
    thresholds: set[int] = field(default_factory=set)  # queue_long.threshold of each stretch it counts over
    slas_s: set[float] = field(default_factory=set)  # long_wait.sla_s of each stretch
    queue_means: Counter[float] = field(default_factory=Counter)  # a queue's mean length -> minutes it had it
    queue_over: int = 0  # minutes at or above the threshold in force then
    visits_over_sla: float = 0.0  # visits longer than the SLA in force then
    # a staff zone's minutes staffed below UNSTAFFED_BELOW, each with a zone of its camera that held someone then
    unstaffed: list[tuple[datetime, str]] = field(default_factory=list)


_FIGURES = (*SUMMED_FIGURES, "count_max")  # the figures but the histogram, in the order queries select them


def _sums(values: Sequence[Any], visit_hist: DurationHistogram = NO_VISITS) -> ZoneFigures:
    return ZoneFigures(**dict(zip(_FIGURES, values, strict=True)), visit_hist=visit_hist)


def _histograms(counted: Counter[str]) -> DurationHistogram:
    """The sum of stored histograms (JSON text) counted by how many rows hold each."""
    out = NO_VISITS
    for text, n in counted.items():
        out = out + DurationHistogram.from_json(json.loads(text)).times(n)
    return out


@dataclass(slots=True)
class PeriodData:
    """The accumulated period: zones per camera, coverage per camera, alerts, and the cameras' units."""

    zones: dict[tuple[str, str], _ZoneAcc]
    camera_unit: dict[str, str]
    online_s: dict[str, float]
    service_s: dict[str, float]
    alerts: list[AlertRecord]


def _zone_acc(key: tuple[str, str], zone: ZoneVersionRecord) -> _ZoneAcc:
    return _ZoneAcc(
        camera_id=key[0],
        zone_id=key[1],
        name=zone.name or zone.zone_id,
        kind=ZoneKind(zone.kind),
        capacity=zone.capacity,
        queue_zone=zone.queue_zone_id,
        counter_zone=zone.counter_zone_id,
    )


# --- service hours as UTC ranges, for the database to filter by -------------------------------------


@dataclass(frozen=True, slots=True)
class Slice:
    """One read: cameras, UTC ranges in their service hours, and the zones read there with the queue
    threshold and the wait SLA in force then (none for the cameras' coverage)."""

    cameras: list[str]
    ranges: tuple[Range, ...]
    rules: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)


def _hours_ranges(hours: ServiceHours, tz: ZoneInfo, start: datetime, end: datetime) -> list[Range]:
    """The instants of [start, end) in ``hours`` on the clock of ``tz``, as sorted, merged UTC ranges."""
    ranges: list[Range] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date():
        for opens, closes in hours.intervals(day.weekday()):
            ranges += _local_ranges(day, opens, closes, tz)
        day += timedelta(days=1)
    return _merged([(max(a, start), min(b, end)) for a, b in ranges])


def _merged(ranges: Iterable[Range]) -> list[Range]:
    """Non-empty ranges sorted, overlapping and touching ones joined."""
    merged: list[Range] = []
    for a, b in sorted(ranges):
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _local_ranges(day: date, opens: time, closes: time, tz: ZoneInfo) -> list[Range]:
    """The UTC ranges of the instants of local ``day`` whose wall-clock time is in [opens, closes)."""
    first, last = datetime.combine(day, opens, tz), datetime.combine(day, closes, tz)
    if all(d.utcoffset() == d.replace(fold=1).utcoffset() for d in (first, last)):
        return [(first.astimezone(UTC), last.astimezone(UTC))]  # both ends happen once on the local clock
    # An end falls in a daylight-saving gap or repeat: walk the minutes of the day and around it.
    ranges: list[Range] = []
    minute = datetime.combine(day, time(), tz).astimezone(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
    for _ in range(3 * 24 * 60):
        local = minute.astimezone(tz)
        if local.date() == day and opens <= local.time() < closes:
            if ranges and ranges[-1][1] == minute:
                ranges[-1] = (ranges[-1][0], minute + MINUTE)
            else:
                ranges.append((minute, minute + MINUTE))
        minute += MINUTE
    return ranges


def _slices(groups: dict[tuple[Range, ...], Slice], *, per_range: bool) -> list[Slice]:
    """The reads: one per group of cameras (and zones) counted over the same ranges (usually one group), or with
    ``per_range`` one per range of each group (per service interval)."""
    if per_range:
        return [replace(g, ranges=(r,)) for g in groups.values() for r in g.ranges]
    return [g for g in groups.values() if g.ranges]


def _within(ts: InstrumentedAttribute[datetime], camera: InstrumentedAttribute[str], piece: Slice) -> list[Any]:
    """SQL: the row is of one of the slice's cameras and inside one of its ranges."""
    ranges = piece.ranges
    bounds = [camera.in_(piece.cameras), ts >= ranges[0][0], ts < ranges[-1][1]]
    return bounds if len(ranges) == 1 else [*bounds, or_(*(and_(ts >= a, ts < b) for a, b in ranges))]


def _of_zones(model: Any, keys: Iterable[tuple[str, str]]) -> Any:
    """SQL: the row's zone id is one of these (camera, zone) keys' zone ids, which lets the primary key (camera,
    zone, time) find the rows. A zone id can name another zone on another camera: callers keep the keys they want."""
    return model.zone_id.in_(sorted({zone for _, zone in keys}))


# --- reading the period ---------------------------------------------------------------------------


def collect(session: Session, config: Config, units: Sequence[str], period: Period) -> PeriodData:
    """Read the period of every camera of ``units`` (the caller's, already limited to a subtree).

    Each camera and zone counts only over the time it was configured (or has data), by the service hours and
    rule settings in force then (``cvmon.reports.periods``). The database filters by service hours and adds up.
    SQLite runs each query once per service interval: it then reads those rows alone, an index range each,
    rather than testing every row of the period against every interval. PostgreSQL runs each once, and its
    planner picks the scan.
    """
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    every_camera = {
        cam.id: cam.unit_id for cam in session.scalars(select(CameraRecord).where(CameraRecord.unit_id.in_(units)))
    }
    unit_tz = {u.id: u.timezone for u in session.scalars(select(UnitRecord).where(UnitRecord.id.in_(units)))}
    counted = counted_cameras(session, every_camera, unit_tz, start, end)
    cameras = {cam: unit for cam, unit in every_camera.items() if cam in counted}
    camera_ranges: dict[str, tuple[Range, ...]] = {}
    service: dict[str, float] = {}
    for cam, stretches in counted.items():
        unit = cameras[cam]
        ranges: list[Range] = []
        service[cam] = 0.0
        for stretch in stretches:
            hours = service_hours_of(config, unit, stretch.camera)
            tz = timezone_of(config, unit, stretch.camera, unit_tz.get(unit, "UTC"))
            got = (
                [(stretch.start, stretch.end)]
                if hours is None
                else _hours_ranges(hours, tz, stretch.start, stretch.end)
            )
            ranges += got
            if hours is not None:  # scheduled service time; a stretch without known hours has none
                service[cam] += sum((b - a).total_seconds() for a, b in got)
        camera_ranges[cam] = tuple(_merged(ranges))
    zones: dict[tuple[str, str], _ZoneAcc] = {}
    groups: dict[tuple[Range, ...], Slice] = {}
    for key, stretches in counted_zones(session, counted, start, end).items():
        latest = next(s.zone for s in reversed(stretches) if s.zone is not None)
        acc = zones[key] = _zone_acc(key, latest)
        for stretch in stretches:
            rules = rules_of(config, key, stretch.zone)
            acc.thresholds.add(rules.queue_long.threshold)
            acc.slas_s.add(rules.long_wait.sla_s)
            within = tuple(_merged((max(a, stretch.start), min(b, stretch.end)) for a, b in camera_ranges[key[0]]))
            if within:
                group = groups.setdefault(within, Slice([], within))
                if key[0] not in group.cameras:
                    group.cameras.append(key[0])
                group.rules[key] = (rules.queue_long.threshold, rules.long_wait.sla_s)
    per_range = session.get_bind().dialect.name == "sqlite"
    slices = _slices(groups, per_range=per_range)
    _add_minute_sums(session, zones, slices)
    _add_visit_histograms(session, zones, slices)
    _add_queue_minutes(session, zones, slices)
    _add_unstaffed_minutes(session, zones, slices)
    _add_uncovered_hours(session, zones, slices, period)
    coverage: dict[tuple[Range, ...], Slice] = {}
    for cam, cam_ranges in sorted(camera_ranges.items()):
        coverage.setdefault(cam_ranges, Slice([], cam_ranges)).cameras.append(cam)
    alerts = list(
        session.scalars(
            select(AlertRecord).where(
                AlertRecord.unit_id.in_(units),
                AlertRecord.opened_at >= period.start,
                AlertRecord.opened_at < period.end,
            )
        )
    )
    online = _online_seconds(session, list(cameras), _slices(coverage, per_range=per_range))
    return PeriodData(zones, cameras, online, service, alerts)


def _add_minute_sums(session: Session, zones: dict[tuple[str, str], _ZoneAcc], slices: list[Slice]) -> None:
    """The sums of each zone's service minutes (all but the visit histogram)."""
    if not zones:
        return
    m = MinuteStatRecord
    sums = (func.max(m.count_max) if name == "count_max" else func.sum(getattr(m, name)) for name in _FIGURES)
    stmt = select(m.camera_id, m.zone_id, *sums).group_by(m.camera_id, m.zone_id)
    for piece in slices:
        for camera_id, zone_id, *values in session.execute(
            stmt.where(*_within(m.minute, m.camera_id, piece), _of_zones(m, piece.rules))
        ):
            if (camera_id, zone_id) in piece.rules:
                acc = zones[(camera_id, zone_id)]
                acc.figures = acc.figures + _sums(values)


def _add_visit_histograms(session: Session, zones: dict[tuple[str, str], _ZoneAcc], slices: list[Slice]) -> None:
    """The visit histograms of the queue and waiting zones, and their visits longer than the SLA in force then.
    They are JSON, which SQL cannot add up bucket by bucket: the database counts the minutes of each distinct
    histogram, Python adds those up."""
    m = MinuteStatRecord
    hist = cast(m.visit_hist, String)
    stmt = select(m.camera_id, m.zone_id, hist, func.count()).group_by(m.camera_id, m.zone_id, hist)
    for piece in slices:
        waits = {key: sla for key, (_, sla) in piece.rules.items() if zones[key].kind.measures_wait}
        if not waits:
            continue
        minutes: dict[tuple[str, str], Counter[str]] = {key: Counter() for key in waits}
        for camera_id, zone_id, text, n in session.execute(
            stmt.where(*_within(m.minute, m.camera_id, piece), _of_zones(m, waits))
        ):
            if (camera_id, zone_id) in minutes:
                minutes[(camera_id, zone_id)][text] += n
        for key, counted in minutes.items():
            _add_visits(zones[key], _histograms(counted), waits[key])


def _add_visits(acc: _ZoneAcc, visits: DurationHistogram, sla_s: float) -> None:
    acc.figures = acc.figures + ZoneFigures(visit_hist=visits)
    acc.visits_over_sla += (visits.share_above(sla_s) or 0.0) * visits.total


def _add_queue_minutes(session: Session, zones: dict[tuple[str, str], _ZoneAcc], slices: list[Slice]) -> None:
    """How many service minutes each queue had each mean length (count_sum / samples) in."""
    m = MinuteStatRecord
    stmt = select(m.camera_id, m.zone_id, m.count_sum, m.samples, func.count()).group_by(
        m.camera_id, m.zone_id, m.count_sum, m.samples
    )
    for piece in slices:
        queues = {key: threshold for key, (threshold, _) in piece.rules.items() if zones[key].kind is ZoneKind.QUEUE}
        if not queues:
            continue
        where = [*_within(m.minute, m.camera_id, piece), _of_zones(m, queues), m.samples > 0]
        for camera_id, zone_id, count_sum, samples, minutes in session.execute(stmt.where(*where)):
            key = (camera_id, zone_id)
            if key in queues:
                mean = count_sum / samples
                zones[key].queue_means[mean] += minutes
                zones[key].queue_over += minutes if mean >= queues[key] else 0


def _add_unstaffed_minutes(session: Session, zones: dict[tuple[str, str], _ZoneAcc], slices: list[Slice]) -> None:
    """The service minutes each staff zone was unstaffed in, each with the zones of its camera that held someone in
    that minute: looked up for those minutes alone, through the index on camera and minute, as a space-separated
    list (zone ids hold no spaces)."""
    s, busy = aliased(MinuteStatRecord), aliased(MinuteStatRecord)
    # The ratios are compared without dividing: the same test, as the thresholds are powers of two, and
    # nothing for the database to divide by zero.
    someone = (
        select(func.aggregate_strings(busy.zone_id, " "))
        .where(
            busy.camera_id == s.camera_id,
            busy.minute == s.minute,
            busy.samples > 0,
            busy.count_sum >= SOMEONE_WAITING * busy.samples,
        )
        .scalar_subquery()
    )
    stmt = select(s.camera_id, s.zone_id, s.minute, someone).where(
        s.seconds_observed > 0, s.seconds_staffed < UNSTAFFED_BELOW * s.seconds_observed
    )
    for piece in slices:
        staff = {key for key in piece.rules if zones[key].kind.measures_staffing}
        if not staff:
            continue
        where = [*_within(s.minute, s.camera_id, piece), _of_zones(s, staff)]
        for camera_id, zone_id, minute, busy_zones in session.execute(stmt.where(*where)):
            if busy_zones and (camera_id, zone_id) in staff:
                zones[(camera_id, zone_id)].unstaffed += [(minute, busy) for busy in busy_zones.split(" ")]


def _add_uncovered_hours(
    session: Session, zones: dict[tuple[str, str], _ZoneAcc], slices: list[Slice], period: Period
) -> None:
    """The hourly roll-ups of service hours (by the hour's start) in which a zone has no minute row in the period."""
    h, m = HourlyStatRecord, MinuteStatRecord
    first_minute = (
        select(m.minute)
        .where(m.camera_id == h.camera_id, m.zone_id == h.zone_id, m.minute >= h.hour)
        .order_by(m.minute)
        .limit(1)
        .scalar_subquery()
    )
    hist = cast(h.visit_hist, String)  # parsed once per distinct histogram, below
    stmt = select(h.camera_id, h.zone_id, h.hour, first_minute, hist, *(getattr(h, name) for name in _FIGURES))
    for piece in slices:
        if not piece.rules:
            continue
        uncovered: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
        hists: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        rows = session.execute(stmt.where(*_within(h.hour, h.camera_id, piece), _of_zones(h, piece.rules)))
        for camera_id, zone_id, hour, first, text, *values in rows:
            key = (camera_id, zone_id)
            if key in piece.rules and (first is None or first >= min(hour + HOUR, period.end)):
                uncovered[key].append(values)
                hists[key][text] += 1
        for key, kept in uncovered.items():
            *summed, count_max = zip(*kept, strict=True)
            acc = zones[key]
            acc.figures = acc.figures + _sums([*map(sum, summed), max(count_max)])
            if acc.kind.measures_wait:
                _add_visits(acc, _histograms(hists[key]), piece.rules[key][1])


def _online_seconds(session: Session, cameras: list[str], slices: list[Slice]) -> dict[str, float]:
    """Seconds each camera was online in service hours."""
    c = CameraMinuteRecord
    stmt = select(c.camera_id, func.sum(c.seconds_online)).group_by(c.camera_id)
    online: dict[str, float] = dict.fromkeys(cameras, 0.0)
    for piece in slices:
        for camera_id, seconds in session.execute(stmt.where(*_within(c.minute, c.camera_id, piece))):
            online[camera_id] += seconds
    return online


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _p90(counts: Counter[float]) -> float | None:
    """The p90 of the values counted: ``statistics.quantiles(values, n=10, method="inclusive")[-1]`` (linear
    interpolation between order statistics), read off the distinct values instead of a list of every one."""
    total = counts.total()
    if total == 0:
        return None
    ordered = sorted(counts.items())
    if total == 1:
        return ordered[0][0]
    j, delta = divmod(9 * (total - 1), 10)
    return (_nth(ordered, j) * (10 - delta) + _nth(ordered, j + 1) * delta) / 10


def _nth(ordered: list[tuple[float, int]], index: int) -> float:
    """The value at ``index`` (from 0) of the sorted values that ``ordered`` counts."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def _queue(zones: list[_ZoneAcc]) -> QueueFigures:
    queues = [z for z in zones if z.kind is ZoneKind.QUEUE]
    figures = total(z.figures for z in queues)
    means: Counter[float] = Counter()
    for z in queues:
        means.update(z.queue_means)
    over = sum(z.queue_over for z in queues)
    return QueueFigures(
        zones=len(queues),
        mean=figures.mean_count,
        p90=_p90(means),
        max=figures.count_max if figures.samples else None,
        share_over_threshold=_share(over, means.total()),
        minutes=means.total(),
        thresholds=tuple(sorted({t for z in queues for t in z.thresholds})),
    )


def _wait(zones: list[_ZoneAcc]) -> WaitFigures:
    waits = [z for z in zones if z.kind.measures_wait]
    hists = [z.figures.visit_hist for z in waits]
    visits = sum(h.total for h in hists)
    over = sum(z.visits_over_sla for z in waits)
    merged = sum(hists, NO_VISITS)
    return WaitFigures(
        zones=len(waits),
        visits=visits,
        p50_s=merged.quantile(0.5),
        p90_s=merged.quantile(0.9),
        share_over_sla=_share(over, visits),
        sla_s=tuple(sorted({sla for z in waits for sla in z.slas_s})),
    )


def _episodes(minutes: Iterable[datetime]) -> tuple[int, int]:
    """Runs of consecutive minutes and their total length."""
    ordered = sorted(minutes)
    runs = sum(1 for i, m in enumerate(ordered) if i == 0 or m - ordered[i - 1] != timedelta(minutes=1))
    return runs, len(ordered)


def _linked_zones(zone: _ZoneAcc, camera_zones: dict[str, _ZoneAcc]) -> list[_ZoneAcc]:
    """Where customers wait for a staff zone: at its counter or in its queue, else (a post, or a counter without
    links) in any queue or waiting zone of its camera."""
    linked: list[_ZoneAcc] = []
    customer = camera_zones.get(zone.counter_zone or "")
    if customer is not None:
        linked.append(customer)
        queue = camera_zones.get(customer.queue_zone or "")
        if queue is not None:
            linked.append(queue)
    return linked or [z for z in camera_zones.values() if z.kind.measures_wait]


def _staffing(zones: list[_ZoneAcc]) -> StaffingFigures:
    by_camera: dict[str, dict[str, _ZoneAcc]] = {}
    for z in zones:
        by_camera.setdefault(z.camera_id, {})[z.zone_id] = z
    staffed = []
    for z in sorted((z for z in zones if z.kind.measures_staffing), key=lambda z: (z.camera_id, z.zone_id)):
        linked = {w.zone_id for w in _linked_zones(z, by_camera[z.camera_id])}
        runs, length = _episodes({minute for minute, busy in z.unstaffed if busy in linked})
        staffed.append(
            StaffedZone(
                z.camera_id,
                z.zone_id,
                z.name,
                z.kind.value,
                z.figures.staffed_ratio,
                runs,
                length,
            )
        )
    counted = total(z.figures for z in zones if z.kind.measures_staffing)
    return StaffingFigures(
        zones=tuple(staffed),
        staffed_share=counted.staffed_ratio,
        episodes=sum(s.episodes for s in staffed),
        episode_minutes=sum(s.episode_minutes for s in staffed),
    )


def _occupancy(zones: list[_ZoneAcc]) -> OccupancyFigures:
    with_capacity = sorted((z for z in zones if z.capacity), key=lambda z: (z.camera_id, z.zone_id))
    out = []
    for z in with_capacity:
        assert z.capacity is not None
        f = z.figures
        out.append(
            OccupiedZone(
                z.camera_id,
                z.zone_id,
                z.name,
                z.capacity,
                None if f.mean_count is None else f.mean_count / z.capacity,
                f.count_max / z.capacity if f.samples else None,
                _share(f.seconds_over_capacity, f.seconds_observed),
            )
        )
    both = total(z.figures for z in with_capacity)
    return OccupancyFigures(
        zones=tuple(out),
        share_over_capacity=_share(both.seconds_over_capacity, both.seconds_observed),
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
