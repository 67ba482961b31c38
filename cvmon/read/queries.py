"""Read queries of the API, each one statement filtered by the caller's units.

Every function takes ``units``, the unit ids the caller may see, as a required argument and puts
it into the statement's WHERE clause; there is no unfiltered copy. Rows of other units are
indistinguishable from rows that do not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cvmon.storage.models import (
    AlertRecord,
    CameraEventRecord,
    CameraMinuteRecord,
    CameraRecord,
    HourlyStatRecord,
    MinuteStatRecord,
    UnitRecord,
    ZoneRecord,
)


@dataclass(frozen=True, slots=True)
class UnitRow:
    id: str
    name: str
    level: str
    parent_id: str | None
    timezone: str


@dataclass(frozen=True, slots=True)
class CameraStatus:
    id: str
    unit_id: str
    name: str | None
    source_kind: str
    analysis_fps: float
    status: str  # online, offline or unknown (no event yet)
    status_since: datetime | None
    last_minute: datetime | None
    frames_last_minute: int | None
    seconds_online_last_minute: float | None
    last_frame_at: datetime | None
    inference_ms_last_minute: float | None  # mean detector ms per detected frame; None when not measured
    frames_detected_last_minute: int | None


@dataclass(frozen=True, slots=True)
class CameraInScope:
    id: str
    unit_id: str
    timezone: str


FigureRecord = TypeVar("FigureRecord", MinuteStatRecord, HourlyStatRecord)


def units_in_scope(session: Session, units: Sequence[str]) -> list[UnitRow]:
    stmt = select(UnitRecord).where(UnitRecord.id.in_(list(units))).order_by(UnitRecord.id)
    return [UnitRow(u.id, u.name, u.level, u.parent_id, u.timezone) for u in session.scalars(stmt)]


def camera_statuses(session: Session, units: Sequence[str]) -> list[CameraStatus]:
    """Cameras of the units with their latest event and their latest minute with analysed frames."""
    latest_event = (
        select(CameraEventRecord.id)
        .where(CameraEventRecord.camera_id == CameraRecord.id)
        .order_by(CameraEventRecord.ts.desc(), CameraEventRecord.id.desc())
        .limit(1)
        .correlate(CameraRecord)
        .scalar_subquery()
    )
    latest_minute = (
        select(func.max(CameraMinuteRecord.minute))
        .where(CameraMinuteRecord.camera_id == CameraRecord.id, CameraMinuteRecord.frames_analysed > 0)
        .correlate(CameraRecord)
        .scalar_subquery()
    )
    stmt = (
        select(CameraRecord, CameraEventRecord.kind, CameraEventRecord.ts, CameraMinuteRecord)
        .outerjoin(CameraEventRecord, CameraEventRecord.id == latest_event)
        .outerjoin(
            CameraMinuteRecord,
            and_(CameraMinuteRecord.camera_id == CameraRecord.id, CameraMinuteRecord.minute == latest_minute),
        )
        .where(CameraRecord.unit_id.in_(list(units)))
        .order_by(CameraRecord.unit_id, CameraRecord.id)
    )
    out = []
    for cam, kind, since, minute in session.execute(stmt):
        out.append(
            CameraStatus(
                id=cam.id,
                unit_id=cam.unit_id,
                name=cam.name,
                source_kind=cam.source_kind,
                analysis_fps=cam.analysis_fps,
                status=kind or "unknown",
                status_since=since,
                last_minute=minute.minute if minute else None,
                frames_last_minute=minute.frames_analysed if minute else None,
                seconds_online_last_minute=minute.seconds_online if minute else None,
                last_frame_at=minute.minute + timedelta(seconds=minute.t_last_s) if minute else None,
                inference_ms_last_minute=_mean_inference_ms(minute),
                frames_detected_last_minute=minute.frames_detected if minute else None,
            )
        )
    return out


def _mean_inference_ms(minute: CameraMinuteRecord | None) -> float | None:
    """Mean detector milliseconds per frame it ran on; None without such frames or a measurement
    (rows written before inference time was stored read 0)."""
    if minute is None or minute.frames_detected <= 0 or minute.inference_ms_sum <= 0:
        return None
    return minute.inference_ms_sum / minute.frames_detected


def camera_in_scope(session: Session, camera_id: str, units: Sequence[str]) -> CameraInScope | None:
    """The camera with its unit's time zone, or None when it does not exist or is outside the units."""
    stmt = (
        select(CameraRecord.id, CameraRecord.unit_id, UnitRecord.timezone)
        .join(UnitRecord, UnitRecord.id == CameraRecord.unit_id)
        .where(CameraRecord.id == camera_id, CameraRecord.unit_id.in_(list(units)))
    )
    row = session.execute(stmt).one_or_none()
    return None if row is None else CameraInScope(*row)


def camera_ids_in_scope(session: Session, units: Sequence[str]) -> list[str]:
    stmt = select(CameraRecord.id).where(CameraRecord.unit_id.in_(list(units))).order_by(CameraRecord.id)
    return list(session.scalars(stmt))


def zones_with_latest_minute(
    session: Session, camera_id: str, units: Sequence[str]
) -> list[tuple[CameraRecord, ZoneRecord | None, MinuteStatRecord | None]]:
    """The camera (when in the units), each of its zones and the zone's latest minute row.

    Empty when the camera does not exist or is outside the units; a camera without zones gives one
    row with no zone.
    """
    latest = (
        select(func.max(MinuteStatRecord.minute))
        .where(MinuteStatRecord.camera_id == ZoneRecord.camera_id, MinuteStatRecord.zone_id == ZoneRecord.zone_id)
        .correlate(ZoneRecord)
        .scalar_subquery()
    )
    stmt = (
        select(CameraRecord, ZoneRecord, MinuteStatRecord)
        .outerjoin(ZoneRecord, ZoneRecord.camera_id == CameraRecord.id)
        .outerjoin(
            MinuteStatRecord,
            and_(
                MinuteStatRecord.camera_id == ZoneRecord.camera_id,
                MinuteStatRecord.zone_id == ZoneRecord.zone_id,
                MinuteStatRecord.minute == latest,
            ),
        )
        .where(CameraRecord.id == camera_id, CameraRecord.unit_id.in_(list(units)))
        .order_by(ZoneRecord.zone_id)
    )
    return [(cam, zone, minute) for cam, zone, minute in session.execute(stmt)]


def zones_of_camera(
    session: Session, camera_id: str, units: Sequence[str], zone_id: str | None = None
) -> list[ZoneRecord]:
    stmt = (
        select(ZoneRecord)
        .join(CameraRecord, CameraRecord.id == ZoneRecord.camera_id)
        .where(ZoneRecord.camera_id == camera_id, CameraRecord.unit_id.in_(list(units)))
        .order_by(ZoneRecord.zone_id)
    )
    if zone_id is not None:
        stmt = stmt.where(ZoneRecord.zone_id == zone_id)
    return list(session.scalars(stmt))


def _figure_rows(
    session: Session,
    record: type[FigureRecord],
    period: InstrumentedAttribute[datetime],
    camera_id: str,
    zone_id: str | None,
    start: datetime,
    end: datetime,
    units: Sequence[str],
) -> list[FigureRecord]:
    """Rows of a figures table (minute or hourly) of one camera whose period starts in ``[start, end)``."""
    stmt = (
        select(record)
        .join(CameraRecord, CameraRecord.id == record.camera_id)
        .where(record.camera_id == camera_id, period >= start, period < end, CameraRecord.unit_id.in_(list(units)))
        .order_by(record.zone_id, period)
    )
    if zone_id is not None:
        stmt = stmt.where(record.zone_id == zone_id)
    return list(session.scalars(stmt))


def minute_rows(
    session: Session, camera_id: str, zone_id: str | None, start: datetime, end: datetime, units: Sequence[str]
) -> list[MinuteStatRecord]:
    """Minute rows of a camera (one zone or all) whose minute lies in ``[start, end)``."""
    return _figure_rows(session, MinuteStatRecord, MinuteStatRecord.minute, camera_id, zone_id, start, end, units)


def hourly_rows(
    session: Session, camera_id: str, zone_id: str | None, start: datetime, end: datetime, units: Sequence[str]
) -> list[HourlyStatRecord]:
    """Hourly rows of a camera (one zone or all) whose hour starts in ``[start, end)``."""
    return _figure_rows(session, HourlyStatRecord, HourlyStatRecord.hour, camera_id, zone_id, start, end, units)


def open_alerts_per_unit(session: Session, units: Sequence[str]) -> dict[str, int]:
    """Alerts nobody has resolved yet, counted per unit (every unit given, zero included)."""
    stmt = (
        select(UnitRecord.id, func.count(AlertRecord.id))
        .outerjoin(AlertRecord, and_(AlertRecord.unit_id == UnitRecord.id, AlertRecord.resolved_at.is_(None)))
        .where(UnitRecord.id.in_(list(units)))
        .group_by(UnitRecord.id)
        .order_by(UnitRecord.id)
    )
    return {unit_id: int(n) for unit_id, n in session.execute(stmt)}


def all_unit_ids(session: Session) -> list[str]:
    """Every stored unit: the scope of the operations token of /metrics."""
    return list(session.scalars(select(UnitRecord.id).order_by(UnitRecord.id)))
