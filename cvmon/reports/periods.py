"""When each camera and zone counts in a period, and by which settings (``cvmon.storage.config_history``).

A camera counts over the parts of the period one of its configuration periods covers, with that
period's service hours and time zone, and, outside them, on every local day on which it has stored
data (coverage, minute rows or hourly roll-ups: a recording of a past day processed later, or data
from before the history was kept), with the settings of its nearest configuration period. A zone
counts over its own configuration periods, with their rule settings, and on its camera's days with
data outside them. Settings recorded before revision 0012 are unknown: such a period is counted by
today's configuration when its unit is still configured, else every instant of it counts and none is
scheduled service time (as before).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, cast, extract, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cvmon.config.models import Config, ServiceHours
from cvmon.config.rules import Rules, merge_layers
from cvmon.storage.config_history import ZoneKey, camera_periods, zone_periods
from cvmon.storage.daily import day_bounds
from cvmon.storage.models import (
    CameraMinuteRecord,
    CameraVersionRecord,
    HourlyStatRecord,
    MinuteStatRecord,
    ZoneVersionRecord,
)

Range = tuple[datetime, datetime]  # UTC [start, end)
EVER = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
BUCKET_S = 900  # every UTC offset in use is a multiple of 15 minutes


@dataclass(frozen=True, slots=True)
class Counted:
    """A stretch ``[start, end)`` of a camera's or zone's time that counts, with the period that sets it."""

    start: datetime
    end: datetime
    camera: CameraVersionRecord | None
    zone: ZoneVersionRecord | None = None
    from_data: bool = False  # a day with stored data that no configuration period covers


def _clipped(periods: Sequence[Any], start: datetime, end: datetime) -> list[tuple[datetime, datetime, Any]]:
    return [(max(p.valid_from, start), min(p.valid_to or end, end), p) for p in periods]


def _gaps(covered: Sequence[tuple[datetime, datetime, Any]], start: datetime, end: datetime) -> list[Range]:
    out, at = [], start
    for a, b, _ in sorted(covered, key=lambda c: c[0]):
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < end:
        out.append((at, end))
    return out


def _nearest(periods: Sequence[Any], gap: Range) -> Any:
    """The period closest to a gap: the first after it, else the last before it (None without any)."""
    after = [p for p in periods if p.valid_from >= gap[1]]
    if after:
        return after[0]
    return periods[-1] if periods else None


def _bucket(session: Session, column: InstrumentedAttribute[datetime]) -> Any:
    """SQL: the number of the 15-minute UTC bucket of a timestamp (seconds since the epoch // 900)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.floor(extract("epoch", column) / BUCKET_S)
    return cast(func.strftime(literal_column("'%s'"), column), Integer) / BUCKET_S


def _data_instants(session: Session, camera_id: str, gap: Range, zone_id: str | None = None) -> set[datetime]:
    """The 15-minute buckets (their starts) of a gap in which the camera (or one of its zones) has stored data
    of any kind."""
    found: set[datetime] = set()
    sources: list[tuple[Any, Any]] = [
        (MinuteStatRecord, MinuteStatRecord.minute),
        (HourlyStatRecord, HourlyStatRecord.hour),
    ]
    if zone_id is None:
        sources.append((CameraMinuteRecord, CameraMinuteRecord.minute))
    for record, column in sources:
        bucket = _bucket(session, column)
        stmt = select(bucket).where(record.camera_id == camera_id, column >= gap[0], column < gap[1]).distinct()
        if zone_id is not None:
            stmt = stmt.where(record.zone_id == zone_id)
        found |= {datetime.fromtimestamp(int(b) * BUCKET_S, UTC) for b in session.scalars(stmt) if b is not None}
    return found


def _data_days(instants: set[datetime], tz: ZoneInfo, gap: Range) -> list[Range]:
    """The local days (within the gap) that hold one of the instants."""
    days = [day_bounds(day, tz) for day in sorted({i.astimezone(tz).date() for i in instants})]
    return [(max(a, gap[0]), min(b, gap[1])) for a, b in days if max(a, gap[0]) < min(b, gap[1])]


def counted_cameras(
    session: Session, cameras: dict[str, str], unit_tz: dict[str, str], start: datetime, end: datetime
) -> dict[str, list[Counted]]:
    """Per camera of ``cameras`` (id -> unit), the stretches of ``[start, end)`` it counts over (cameras
    that count nowhere in it are absent)."""
    every = camera_periods(session, list(cameras), *EVER)
    out: dict[str, list[Counted]] = {}
    for camera_id, unit_id in cameras.items():
        covered = [(a, b, p) for a, b, p in _clipped(every.get(camera_id, []), start, end) if a < b]
        stretches = [Counted(a, b, p) for a, b, p in covered]
        for gap in _gaps(covered, start, end):
            instants = _data_instants(session, camera_id, gap)
            if not instants:
                continue
            nearest = _nearest(every.get(camera_id, []), gap)
            tz = ZoneInfo(nearest.timezone if nearest is not None and nearest.timezone else unit_tz.get(unit_id, "UTC"))
            stretches += [Counted(a, b, nearest, from_data=True) for a, b in _data_days(instants, tz, gap)]
        if stretches:
            out[camera_id] = sorted(stretches, key=lambda s: s.start)
    return out


def counted_zones(
    session: Session, cameras: dict[str, list[Counted]], start: datetime, end: datetime
) -> dict[ZoneKey, list[Counted]]:
    """Per zone of the counted cameras, the stretches it counts over: where its periods meet its camera's
    stretches, the rest of its camera's days with data (by its nearest period), and, where its camera is
    configured but the zone is not, the days on which the zone itself has data."""
    every = zone_periods(session, list(cameras), *EVER)
    out: dict[ZoneKey, list[Counted]] = {}
    for key, history in every.items():
        stretches: list[Counted] = []
        for cam in cameras.get(key[0], []):
            covered = [(a, b, p) for a, b, p in _clipped(history, cam.start, cam.end) if a < b]
            stretches += [Counted(a, b, cam.camera, p, cam.from_data) for a, b, p in covered]
            for gap in _gaps(covered, cam.start, cam.end):
                nearest = _nearest(history, gap)
                if cam.from_data:
                    stretches.append(Counted(*gap, cam.camera, nearest, True))
                    continue
                instants = _data_instants(session, key[0], gap, key[1])
                if instants:
                    tz = ZoneInfo(cam.camera.timezone if cam.camera and cam.camera.timezone else "UTC")
                    stretches += [Counted(a, b, cam.camera, nearest, True) for a, b in _data_days(instants, tz, gap)]
        if stretches:
            out[key] = sorted(stretches, key=lambda s: s.start)
    return out


def service_hours_of(config: Config, unit_id: str, period: CameraVersionRecord | None) -> ServiceHours | None:
    """The service hours a stretch counts by; None when every instant counts (settings and unit unknown)."""
    if period is not None and period.service_hours is not None:
        return ServiceHours.model_validate(period.service_hours)
    if unit_id in {u.id for u in config.units}:
        return config.unit_service_hours(unit_id)
    return None


def timezone_of(config: Config, unit_id: str, period: CameraVersionRecord | None, fallback: str) -> ZoneInfo:
    if period is not None and period.timezone:
        return ZoneInfo(period.timezone)
    if unit_id in {u.id for u in config.units}:
        return config.unit_timezone(unit_id)
    return ZoneInfo(fallback)


def rules_of(config: Config, key: ZoneKey, period: ZoneVersionRecord | None) -> Rules:
    """The rule settings a zone's stretch counts by: its period's, else (unknown) today's configuration's."""
    if period is not None and period.rules is not None:
        return Rules.model_validate(period.rules)
    camera = next((c for c in config.cameras if c.id == key[0]), None)
    zone = next((z for z in camera.zones if z.id == key[1]), None) if camera else None
    return config.rules_for(camera, zone) if camera else merge_layers([config.defaults.rules])
