"""The evidence pack of one visit: a unit's figures minute by minute, alerts and snapshots of a short window.

An evaluator names a unit and the moment of a self-mystery-shopper visit or a customer complaint;
the pack holds, for that window, every zone's minute figures, each camera's coverage, the alerts
that were open during it and the anonymised snapshots taken in it. Every query is limited to the
caller's units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cvmon.errors import CvmonError
from cvmon.read import queries
from cvmon.read.scope import subtree_of
from cvmon.read.timeseries import Point, zone_series
from cvmon.reports.periods import counted_cameras, counted_zones
from cvmon.storage.alerts import Alert
from cvmon.storage.evidence import Evidence
from cvmon.storage.models import AlertRecord, CameraMinuteRecord, CameraRecord, EvidenceRecord, ZoneRecord

MIN_WINDOW = timedelta(minutes=1)
MAX_WINDOW = timedelta(hours=6)
# Snapshots beyond this many (oldest first) are left out of a pack and it says so.
MAX_SNAPSHOTS = 200


class PackUnitNotFound(CvmonError):
    """The unit does not exist or is outside the caller's units."""


class PackWindowError(CvmonError):
    """The window is not timezone-aware (``reason`` "naive"), cannot be stored ("range"), lasts less than
    a minute or ends before it starts ("short"), or lasts more than 6 hours ("long")."""

    def __init__(self, message: str, reason: Literal["naive", "range", "short", "long"]) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ZoneMinutes:
    """One zone of a camera and its figures per minute of the window (minutes without a row are absent)."""

    zone_id: str
    name: str | None
    kind: str
    capacity: int | None
    points: list[Point]


@dataclass(frozen=True, slots=True)
class CoverageMinute:
    """How much of one minute a camera was analysed, online and offline."""

    minute: datetime
    frames_analysed: int
    seconds_online: float
    seconds_offline: float


@dataclass(frozen=True, slots=True)
class CameraPack:
    """A camera of the unit's subtree with its zones' minutes and its coverage in the window."""

    id: str
    name: str | None
    unit_id: str
    zones: list[ZoneMinutes]
    coverage: list[CoverageMinute]

    @property
    def seconds_online(self) -> float:
        return round(sum(c.seconds_online for c in self.coverage), 1)

    @property
    def seconds_offline(self) -> float:
        return round(sum(c.seconds_offline for c in self.coverage), 1)


@dataclass(frozen=True, slots=True)
class EvidencePack:
    """Everything about a unit's window ``[start, end)``: cameras, alerts overlapping it, snapshots in it."""

    unit: queries.UnitRow
    units: list[str]  # the unit and every unit below it
    start: datetime
    end: datetime
    cameras: list[CameraPack]
    alerts: list[Alert]
    snapshots: list[Evidence]
    snapshots_truncated: bool

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.unit.timezone)

    @property
    def window_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def camera_name(self, camera_id: str) -> str:
        """The name a person reads for one of the pack's cameras (its id when it has none)."""
        return next((c.name or c.id for c in self.cameras if c.id == camera_id), camera_id)

    def zone_name(self, camera_id: str, zone_id: str) -> str:
        """The name a person reads for a zone of one of the pack's cameras (its id when it has none)."""
        zones = (z for c in self.cameras if c.id == camera_id for z in c.zones if z.zone_id == zone_id)
        return next((z.name or z.zone_id for z in zones), zone_id)


def check_window(start: datetime, end: datetime) -> None:
    """Raise PackWindowError unless both ends are timezone-aware and the window lasts 1 minute to 6 hours."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise PackWindowError("the window's start and end need a time zone", "naive")
    try:
        length = end.astimezone(UTC) - start.astimezone(UTC)
    except OverflowError:
        raise PackWindowError("the window lies outside the times that can be stored", "range") from None
    if length < MIN_WINDOW:
        raise PackWindowError("the window must last at least 1 minute and end after it starts", "short")
    if length > MAX_WINDOW:
        raise PackWindowError(f"the window may last at most {MAX_WINDOW.total_seconds() / 3600:g} hours", "long")


def _alerts(session: Session, units: Sequence[str], start: datetime, end: datetime) -> list[Alert]:
    """Alerts of the units opened before ``end`` whose condition had not cleared nor been resolved before ``start``."""
    stmt = (
        select(AlertRecord)
        .where(
            AlertRecord.unit_id.in_(list(units)),
            AlertRecord.opened_at < end,
            or_(AlertRecord.cleared_at.is_(None), AlertRecord.cleared_at >= start),
            or_(AlertRecord.resolved_at.is_(None), AlertRecord.resolved_at >= start),
        )
        .order_by(AlertRecord.opened_at, AlertRecord.id)
    )
    return [Alert(**{f: getattr(r, f) for f in Alert.__dataclass_fields__}) for r in session.scalars(stmt)]


def _snapshots(session: Session, units: Sequence[str], start: datetime, end: datetime, limit: int) -> list[Evidence]:
    """Snapshots of the units' cameras taken in ``[start, end)``, oldest first, at most ``limit``."""
    stmt = (
        select(EvidenceRecord)
        .join(CameraRecord, CameraRecord.id == EvidenceRecord.camera_id)
        .where(CameraRecord.unit_id.in_(list(units)), EvidenceRecord.ts >= start, EvidenceRecord.ts < end)
        .order_by(EvidenceRecord.ts, EvidenceRecord.id)
        .limit(limit)
    )
    return [Evidence(**{f: getattr(r, f) for f in Evidence.__dataclass_fields__}) for r in session.scalars(stmt)]


def _coverage(
    session: Session, units: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[CoverageMinute]]:
    """Coverage minutes in ``[start, end)`` per camera of the units."""
    stmt = (
        select(CameraMinuteRecord)
        .join(CameraRecord, CameraRecord.id == CameraMinuteRecord.camera_id)
        .where(
            CameraRecord.unit_id.in_(list(units)), CameraMinuteRecord.minute >= start, CameraMinuteRecord.minute < end
        )
        .order_by(CameraMinuteRecord.camera_id, CameraMinuteRecord.minute)
    )
    out: dict[str, list[CoverageMinute]] = {}
    for r in session.scalars(stmt):
        out.setdefault(r.camera_id, []).append(
            CoverageMinute(r.minute, r.frames_analysed, r.seconds_online, r.seconds_offline)
        )
    return out


def _zones(zones: Sequence[ZoneRecord], points: dict[str, list[Point]]) -> list[ZoneMinutes]:
    return [ZoneMinutes(z.zone_id, z.name, z.kind, z.capacity, points[z.zone_id]) for z in zones]


def evidence_pack(session: Session, unit_id: str, scope: Sequence[str], start: datetime, end: datetime) -> EvidencePack:
    """The pack of ``unit_id`` (and the units below it) for ``[start, end)``, read within ``scope``.

    Raises:
        PackUnitNotFound: the unit is not among the caller's units.
        PackWindowError: the window is naive, reversed, shorter than a minute or longer than 6 hours.
    """
    check_window(start, end)
    rows = queries.units_in_scope(session, scope)
    units = subtree_of(rows, unit_id)
    if units is None:
        raise PackUnitNotFound(f"no unit '{unit_id}'")
    unit = next(r for r in rows if r.id == unit_id)
    tz = ZoneInfo(unit.timezone)
    coverage = _coverage(session, units, start, end)
    cameras = []
    statuses = queries.camera_statuses(session, units)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    timezones = {r.id: r.timezone for r in rows}
    counted = counted_cameras(session, {c.id: c.unit_id for c in statuses}, timezones, start_utc, end_utc)
    counted_zone_keys = counted_zones(session, counted, start_utc, end_utc)
    for cam in (c for c in statuses if c.id in counted):  # configured in the window, or with data then
        zones = [z for z in queries.zones_of_camera(session, cam.id, units) if (cam.id, z.zone_id) in counted_zone_keys]
        minute_rows = queries.minute_rows(session, cam.id, None, start, end, units)
        points = zone_series(zones, minute_rows, [], "minute", tz)
        cameras.append(CameraPack(cam.id, cam.name, cam.unit_id, _zones(zones, points), coverage.get(cam.id, [])))
    snapshots = _snapshots(session, units, start, end, MAX_SNAPSHOTS + 1)
    return EvidencePack(
        unit=unit,
        units=units,
        start=start,
        end=end,
        cameras=cameras,
        alerts=_alerts(session, units, start, end),
        snapshots=snapshots[:MAX_SNAPSHOTS],
        snapshots_truncated=len(snapshots) > MAX_SNAPSHOTS,
    )
