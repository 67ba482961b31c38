"""What the viewer's pages show, read with the API's scoped queries (every one filtered by the caller's units)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cvmon.read import queries
from cvmon.read.current import ZoneNow, zone_now
from cvmon.read.lifecycle import configured_now
from cvmon.read.scope import subtree_of, tree_order
from cvmon.read.summary import STALE_AFTER, UnitSummary, alert_counts_per_unit, summarise, worst_waits_today
from cvmon.storage.audit import AuditAction
from cvmon.storage.models import AlertRecord, AuditRecord, CameraRecord, ZoneRecord


@dataclass(frozen=True, slots=True)
class Tile:
    """One camera on the dashboard: live status, each zone's latest minute, open alerts."""

    camera: queries.CameraStatus
    unit_name: str
    timezone: str
    zones: list[ZoneNow]
    open_alerts: int
    latest_minute: datetime | None  # the newest minute of the camera's zones or coverage
    stale: bool
    analysed_fps: float | None


@dataclass(frozen=True, slots=True)
class UnitChoice:
    """The unit tree of the caller, and the unit they picked (None: all of theirs)."""

    tree: list[tuple[queries.UnitRow, int]]
    selected: queries.UnitRow | None
    units: list[str]  # the selected unit's subtree, or every unit in scope


def choose_unit(session: Session, scope: Sequence[str], unit: str | None) -> UnitChoice | None:
    """The caller's tree and the subtree of ``unit``; None when ``unit`` is not theirs."""
    rows = queries.units_in_scope(session, scope)
    if unit is None or unit == "":
        return UnitChoice(tree_order(rows), None, [r.id for r in rows])
    subtree = subtree_of(rows, unit)
    if subtree is None:
        return None
    return UnitChoice(tree_order(rows), next(r for r in rows if r.id == unit), subtree)


def filter_timezone(choice: UnitChoice) -> str:
    """The time zone a list's days are read in: the chosen unit's, else that of the caller's first unit."""
    if choice.selected is not None:
        return choice.selected.timezone
    return choice.tree[0][0].timezone if choice.tree else "UTC"


def open_alerts_per_camera(session: Session, units: Sequence[str]) -> dict[str, int]:
    """Alerts nobody has resolved yet per camera of the units."""
    stmt = (
        select(AlertRecord.camera_id, func.count(AlertRecord.id))
        .where(AlertRecord.unit_id.in_(list(units)), AlertRecord.resolved_at.is_(None))
        .group_by(AlertRecord.camera_id)
    )
    return {camera_id: int(n) for camera_id, n in session.execute(stmt)}


def tiles(session: Session, units: Sequence[str], now: datetime) -> list[Tile]:
    """A tile per camera of the units configured now, with its zones configured now, ordered by unit and camera."""
    unit_rows = {r.id: r for r in queries.units_in_scope(session, units)}
    open_alerts = open_alerts_per_camera(session, units)
    out = []
    cameras, current_zones = configured_now(session, queries.camera_statuses(session, units))
    for cam in cameras:
        rows = queries.zones_with_latest_minute(session, cam.id, units)
        zones = [
            zone_now(zone, minute)
            for _cam, zone, minute in rows
            if zone is not None and (cam.id, zone.zone_id) in current_zones
        ]
        seconds = cam.seconds_online_last_minute
        fps = cam.frames_last_minute / seconds if cam.frames_last_minute is not None and seconds else None
        unit = unit_rows[cam.unit_id]
        minutes = [m for m in (cam.last_minute, *(z.minute for z in zones)) if m is not None]
        latest = max(minutes) if minutes else None
        out.append(
            Tile(
                camera=cam,
                unit_name=unit.name,
                timezone=unit.timezone,
                zones=zones,
                open_alerts=open_alerts.get(cam.id, 0),
                latest_minute=latest,
                stale=latest is not None and now - latest > STALE_AFTER,
                analysed_fps=None if fps is None else round(fps, 1),
            )
        )
    return out


def summaries(session: Session, choice: UnitChoice, shown: Sequence[Tile], now: datetime) -> list[UnitSummary]:
    """The dashboard's summary per unit of the choice, from the tiles it shows (no second read of the
    cameras): those needing action first."""
    chosen = set(choice.units)
    tree = [unit for unit, _depth in choice.tree if unit.id in chosen]
    zones = {t.camera.id: t.zones for t in shown}
    counts = alert_counts_per_unit(session, choice.units)
    return summarise(tree, [t.camera for t in shown], zones, counts, worst_waits_today(session, tree, now), now)


def units_by_id(session: Session, scope: Sequence[str]) -> dict[str, queries.UnitRow]:
    """The caller's units by id (names and time zones for tables)."""
    return {r.id: r for r in queries.units_in_scope(session, scope)}


@dataclass(frozen=True, slots=True)
class DisplayNames:
    """The names a person reads for the cameras and zones of some units (their ids where they have none)."""

    cameras: dict[str, str]
    zones: dict[tuple[str, str], str]

    def camera(self, camera_id: str) -> str:
        return self.cameras.get(camera_id, camera_id)

    def zone(self, camera_id: str, zone_id: str) -> str:
        return self.zones.get((camera_id, zone_id), zone_id)


def display_names(session: Session, units: Sequence[str]) -> DisplayNames:
    """Camera and zone names of the units (one query each)."""
    cameras = session.execute(select(CameraRecord.id, CameraRecord.name).where(CameraRecord.unit_id.in_(list(units))))
    zones = session.execute(
        select(ZoneRecord.camera_id, ZoneRecord.zone_id, ZoneRecord.name)
        .join(CameraRecord, CameraRecord.id == ZoneRecord.camera_id)
        .where(CameraRecord.unit_id.in_(list(units)))
    )
    return DisplayNames(
        cameras={camera_id: name or camera_id for camera_id, name in cameras},
        zones={(camera_id, zone_id): name or zone_id for camera_id, zone_id, name in zones},
    )


def last_sign_ins(session: Session, usernames: Sequence[str]) -> dict[str, datetime]:
    """When each of these users last signed in (from the audit log's ``login.success`` rows); absent: never."""
    targets = {f"user:{name}": name for name in usernames}  # the target login rows name, on an index
    stmt = (
        select(AuditRecord.target, func.max(AuditRecord.ts))
        .where(AuditRecord.action == AuditAction.LOGIN_SUCCESS.value, AuditRecord.target.in_(list(targets)))
        .group_by(AuditRecord.target)
    )
    return {targets[target]: ts for target, ts in session.execute(stmt) if target in targets}
