"""The configuration repository: units, cameras and zones as configured now, and when each camera and
zone was configured with which settings.

``sync_config`` stores a ``Config``: the current rows (``units``, ``cameras``, ``zones``) and, per camera
and zone, periods ``[valid_from, valid_to)`` (``camera_versions``, ``zone_versions``) with the settings
that applied: a camera's unit, name, fps, its unit's service hours and time zone; a zone's kind,
polygon, capacity, links and effective rules. A camera or zone that left the configuration gets its
open period closed (its rows and data stay, so its history is readable); a changed one gets a new
period; the same configuration again changes nothing. A camera's source (which may hold credentials)
is never stored.

What counts when (see ``cvmon.reports.figures``): a camera or zone counts over a time when one of its
periods covers it, or when it has stored data then (a recording of a past day processed later counts
on that day, by the settings of its nearest period).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from cvmon.config.models import CameraConfig, Config, UnitConfig, ZoneConfig
from cvmon.storage.database import Database
from cvmon.storage.models import (
    AlertRecord,
    CameraMinuteRecord,
    CameraRecord,
    CameraVersionRecord,
    MinuteStatRecord,
    UnitRecord,
    ZoneRecord,
    ZoneVersionRecord,
    assign_changed,
)

MINUTE = timedelta(minutes=1)
ZoneKey = tuple[str, str]  # camera id, zone id
PeriodRecord = TypeVar("PeriodRecord", CameraVersionRecord, ZoneVersionRecord)


def _parents_first(units: Sequence[UnitConfig]) -> list[UnitConfig]:
    """Units ordered so that every parent comes before its children (the config has no cycles)."""
    by_id = {u.id: u for u in units}

    def depth(unit: UnitConfig) -> int:
        d = 0
        while unit.parent is not None and unit.parent in by_id:
            unit = by_id[unit.parent]
            d += 1
        return d

    return sorted(units, key=depth)


def _unit_values(config: Config, unit: UnitConfig) -> dict[str, Any]:
    return {
        "name": unit.name,
        "level": unit.level,
        "parent_id": unit.parent,
        "timezone": config.unit_timezone(unit.id).key,
    }


def _camera_values(config: Config, cam: CameraConfig) -> dict[str, Any]:
    return {
        "unit_id": cam.unit,
        "name": cam.name,
        "source_kind": "rtsp" if cam.is_live else "file",
        "analysis_fps": float(config.fps_for(cam)),
    }


def _camera_settings(config: Config, cam: CameraConfig) -> dict[str, Any]:
    """What a camera's period records: its row's values, its unit's time zone and service hours."""
    return {
        **_camera_values(config, cam),
        "timezone": config.unit_timezone(cam.unit).key,
        "service_hours": config.unit_service_hours(cam.unit).model_dump(mode="json"),
    }


def _zone_values(zone: ZoneConfig) -> dict[str, Any]:
    return {
        "kind": zone.kind.value,
        "name": zone.name,
        "capacity": zone.capacity,
        "queue_zone_id": zone.queue,
        "counter_zone_id": zone.counter,
        "points": [[float(x), float(y)] for x, y in zone.points],
    }


def _zone_settings(config: Config, cam: CameraConfig, zone: ZoneConfig) -> dict[str, Any]:
    return {**_zone_values(zone), "rules": config.rules_for(cam, zone).model_dump(mode="json")}


def _period_settings(rec: CameraVersionRecord | ZoneVersionRecord, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(rec, name) for name in names}


def sync_config(db: Database, config: Config, *, now: datetime | None = None) -> None:
    """Store ``config`` as the configuration from ``now`` (default: the current time) on; running it twice
    changes nothing.

    Units, cameras and zones that left the configuration are kept, so their history stays readable; the
    period of each such camera and zone is closed at ``now`` (one carried over from before revision
    0012, whose settings are unknown, where its data ends, if earlier).

    Raises:
        StorageError: the database refused the configuration (nothing was stored).
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with db.transaction("cannot store the configuration in", write=True) as session:
        _store_units(session, config)
        _store_cameras(session, config, moment)
        _store_periods(session, config, moment)
        _end_conditions_of_removed(session, config, moment)


def _store_units(session: Session, config: Config) -> None:
    units = {rec.id: rec for rec in session.scalars(select(UnitRecord))}
    for unit in _parents_first(config.units):
        values = _unit_values(config, unit)
        if unit.id in units:
            assign_changed(units[unit.id], values)
        else:
            session.add(UnitRecord(id=unit.id, **values))
        session.flush()


def _store_cameras(session: Session, config: Config, now: datetime) -> None:
    """The current rows of the configured cameras and zones (rows of removed ones stay as they were)."""
    cameras = {rec.id: rec for rec in session.scalars(select(CameraRecord))}
    zones = {(rec.camera_id, rec.zone_id): rec for rec in session.scalars(select(ZoneRecord))}
    for cam in config.cameras:
        values = _camera_values(config, cam)
        if cam.id in cameras:
            if assign_changed(cameras[cam.id], values):
                cameras[cam.id].updated_at = now
        else:
            session.add(CameraRecord(id=cam.id, updated_at=now, **values))
        for zone in cam.zones:
            zone_values = _zone_values(zone)
            if (cam.id, zone.id) in zones:
                assign_changed(zones[(cam.id, zone.id)], zone_values)
            else:
                session.add(ZoneRecord(camera_id=cam.id, zone_id=zone.id, **zone_values))
        session.flush()


def _store_periods(session: Session, config: Config, now: datetime) -> None:
    """Close the open periods of removed or changed cameras and zones, open one for new or changed ones."""
    cameras_open = select(CameraVersionRecord).where(CameraVersionRecord.valid_to.is_(None))
    open_cameras = {rec.camera_id: rec for rec in session.scalars(cameras_open)}
    open_zones = {
        (rec.camera_id, rec.zone_id): rec
        for rec in session.scalars(select(ZoneVersionRecord).where(ZoneVersionRecord.valid_to.is_(None)))
    }
    wanted_cameras = {cam.id: _camera_settings(config, cam) for cam in config.cameras}
    wanted_zones = {
        (cam.id, zone.id): _zone_settings(config, cam, zone) for cam in config.cameras for zone in cam.zones
    }
    for key, zone_period in open_zones.items():
        _renew(session, zone_period, wanted_zones.get(key), now, partial(_zone_data_end, session, key))
    for camera_id, camera_period in open_cameras.items():
        wanted = wanted_cameras.get(camera_id)
        _renew(session, camera_period, wanted, now, partial(_camera_data_end, session, camera_id))
    session.flush()
    for camera_id, settings in wanted_cameras.items():
        if camera_id not in open_cameras or open_cameras[camera_id].valid_to is not None:
            session.add(CameraVersionRecord(camera_id=camera_id, valid_from=now, **settings))
    for (camera_id, zone_id), settings in wanted_zones.items():
        held = open_zones.get((camera_id, zone_id))
        if held is None or held.valid_to is not None:
            session.add(ZoneVersionRecord(camera_id=camera_id, zone_id=zone_id, valid_from=now, **settings))


def _renew(
    session: Session,
    rec: CameraVersionRecord | ZoneVersionRecord,
    wanted: dict[str, Any] | None,
    now: datetime,
    data_end: Callable[[], datetime | None],
) -> None:
    """Leave an open period that still holds ``wanted`` open; otherwise close it at ``now`` (a period opened at
    ``now`` itself is updated in place instead). A removed period carried over from before 0012 closes where its
    data ends."""
    if wanted is not None and _period_settings(rec, list(wanted)) == wanted:
        return
    if wanted is not None and rec.valid_from >= now:
        assign_changed(rec, wanted)  # changed again at the instant it was opened
        return
    end = now
    legacy = (rec.service_hours if isinstance(rec, CameraVersionRecord) else rec.rules) is None
    if wanted is None and legacy:
        end = min(now, max(rec.valid_from, data_end() or rec.valid_from))
    if end <= rec.valid_from:
        session.delete(rec)  # a removed period with no time in it
        return
    rec.valid_to = end


def _end_conditions_of_removed(session: Session, config: Config, now: datetime) -> None:
    """An alert of a removed camera or zone whose condition is still ongoing ends where that camera's or
    zone's data ends (``now`` without data): nothing observes it any more. Acknowledgement and
    follow-up stay to be done as before."""
    zones = {cam.id: {zone.id for zone in cam.zones} for cam in config.cameras}
    ends: dict[tuple[str, str | None], datetime | None] = {}  # where each removed camera's (zone's) data ends

    def data_end(camera_id: str, zone_id: str | None) -> datetime | None:
        if (camera_id, zone_id) not in ends:
            if zone_id is None:
                found = [_camera_data_end(session, camera_id), _camera_rows_end(session, camera_id)]
                ends[(camera_id, None)] = max((e for e in found if e is not None), default=None)
            else:
                ends[(camera_id, zone_id)] = _zone_data_end(session, (camera_id, zone_id))
        return ends[(camera_id, zone_id)]

    for alert in session.scalars(select(AlertRecord).where(AlertRecord.cleared_at.is_(None))):
        if alert.camera_id not in zones:
            end = data_end(alert.camera_id, None)
        elif alert.zone_id and alert.zone_id not in zones[alert.camera_id]:
            end = data_end(alert.camera_id, alert.zone_id)
        else:
            continue
        alert.cleared_at = max(_utc(alert.opened_at), min(end or now, now))


def _camera_data_end(session: Session, camera_id: str) -> datetime | None:
    last = session.scalar(select(func.max(CameraMinuteRecord.minute)).where(CameraMinuteRecord.camera_id == camera_id))
    return None if last is None else _utc(last) + MINUTE


def _camera_rows_end(session: Session, camera_id: str) -> datetime | None:
    last = session.scalar(select(func.max(MinuteStatRecord.minute)).where(MinuteStatRecord.camera_id == camera_id))
    return None if last is None else _utc(last) + MINUTE


def _zone_data_end(session: Session, key: ZoneKey) -> datetime | None:
    m = MinuteStatRecord
    last = session.scalar(select(func.max(m.minute)).where(m.camera_id == key[0], m.zone_id == key[1]))
    return None if last is None else _utc(last) + MINUTE


def _utc(value: Any) -> datetime:
    """An aggregate's timestamp (SQLite returns naive text from ``max``) as aware UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- reads ----------------------------------------------------------------------------------------


def current_camera_ids(session: Session, camera_ids: Sequence[str]) -> set[str]:
    """The cameras of ``camera_ids`` configured now (with an open period)."""
    v = CameraVersionRecord
    stmt = select(v.camera_id).where(v.camera_id.in_(list(camera_ids)), v.valid_to.is_(None))
    return set(session.scalars(stmt))


def current_zone_keys(session: Session, camera_ids: Sequence[str]) -> set[ZoneKey]:
    """The zones of the cameras configured now (with an open period)."""
    v = ZoneVersionRecord
    stmt = select(v.camera_id, v.zone_id).where(v.camera_id.in_(list(camera_ids)), v.valid_to.is_(None))
    return {(c, z) for c, z in session.execute(stmt)}


def _overlapping(
    v: type[PeriodRecord], camera_ids: Sequence[str], start: datetime, end: datetime
) -> Select[PeriodRecord]:
    """The periods (of ``v``: camera or zone versions) of the cameras that overlap ``[start, end)``."""
    return select(v).where(
        v.camera_id.in_(list(camera_ids)), v.valid_from < end, or_(v.valid_to.is_(None), v.valid_to > start)
    )


def camera_periods(
    session: Session, camera_ids: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[CameraVersionRecord]]:
    """The periods of each camera that overlap ``[start, end)``, oldest first (cameras without one absent)."""
    v = CameraVersionRecord
    stmt = _overlapping(v, camera_ids, start, end).order_by(v.camera_id, v.valid_from)
    out: dict[str, list[CameraVersionRecord]] = {}
    for rec in session.scalars(stmt):
        out.setdefault(rec.camera_id, []).append(rec)
    return out


def zone_periods(
    session: Session, camera_ids: Sequence[str], start: datetime, end: datetime
) -> dict[ZoneKey, list[ZoneVersionRecord]]:
    """The periods of each zone of the cameras that overlap ``[start, end)``, oldest first."""
    v = ZoneVersionRecord
    stmt = _overlapping(v, camera_ids, start, end).order_by(v.camera_id, v.zone_id, v.valid_from)
    out: dict[ZoneKey, list[ZoneVersionRecord]] = {}
    for rec in session.scalars(stmt):
        out.setdefault((rec.camera_id, rec.zone_id), []).append(rec)
    return out


def periods_of_camera(session: Session, camera_id: str) -> list[CameraVersionRecord]:
    """Every period of a camera, oldest first: when it was added, changed and removed."""
    v = CameraVersionRecord
    return list(session.scalars(select(v).where(v.camera_id == camera_id).order_by(v.valid_from)))
