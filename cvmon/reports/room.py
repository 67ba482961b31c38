"""The room aspect of a report: days the room was ready at opening, service hours it stayed as its reference.

- A *room day* is a camera's local day with an opening verdict (a ``room_opening`` snapshot, see
  ``cvmon.pipeline.room``); it is *ready* when the verdict found the room as its reference.
- The *hours with changes* are the service hours (per camera, by the hours of its unit in cameras.yaml)
  of the room days during which a ``room_changed`` alert was open, each clock hour touched counted once.

The score is the mean of the share of room days ready and the share of their service hours without a
change; without any room day the aspect has no data and drops out of the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cvmon.config.models import Config
from cvmon.reports.figures import Period
from cvmon.storage.models import AlertRecord, CameraRecord, EvidenceRecord
from cvmon.types import Rule


@dataclass(frozen=True, slots=True)
class RoomFigures:
    days: int  # camera days with an opening verdict
    days_ready: int
    service_hours: int  # clock hours of service on those days (per camera)
    hours_changed: int  # of them, hours during which a room_changed alert was open

    @property
    def ready_share(self) -> float | None:
        return self.days_ready / self.days if self.days else None

    @property
    def changed_share(self) -> float | None:
        return self.hours_changed / self.service_hours if self.service_hours else None

    @property
    def score(self) -> float | None:
        """0-100: the mean of the days ready and the hours without a change; None without a room day."""
        parts = [
            s
            for s in (self.ready_share, None if self.changed_share is None else 1 - self.changed_share)
            if s is not None
        ]
        return round(100 * sum(parts) / len(parts), 1) if parts else None


NO_ROOM = RoomFigures(0, 0, 0, 0)


def room_figures(session: Session, config: Config, units: Sequence[str], period: Period) -> RoomFigures:
    """The room figures of every camera of ``units`` (the caller's subtree) over ``period``."""
    stmt = select(CameraRecord.id, CameraRecord.unit_id).where(CameraRecord.unit_id.in_(list(units)))
    cameras: dict[str, str] = {camera_id: unit_id for camera_id, unit_id in session.execute(stmt)}
    if not cameras:
        return NO_ROOM
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    openings = session.execute(
        select(EvidenceRecord.camera_id, EvidenceRecord.ts, EvidenceRecord.counts).where(
            EvidenceRecord.kind == "room_opening",
            EvidenceRecord.camera_id.in_(list(cameras)),
            EvidenceRecord.ts >= start,
            EvidenceRecord.ts < end,
        )
    ).all()
    known = {u.id for u in config.units}
    days: dict[tuple[str, date], bool] = {}
    tz_of: dict[str, ZoneInfo] = {}
    for camera_id, ts, counts in openings:
        unit = cameras[camera_id]
        tz = tz_of.setdefault(camera_id, config.unit_timezone(unit) if unit in known else ZoneInfo("UTC"))
        days[(camera_id, ts.astimezone(tz).date())] = bool((counts or {}).get("ready", 0))
    service = {key: _service_hours(config, cameras[key[0]], key[1], tz_of[key[0]]) for key in days}
    alerts = session.execute(
        select(AlertRecord.camera_id, AlertRecord.opened_at, AlertRecord.cleared_at).where(
            AlertRecord.rule == Rule.ROOM_CHANGED.value,
            AlertRecord.camera_id.in_(list(cameras)),
            AlertRecord.opened_at < end,
            or_(AlertRecord.cleared_at.is_(None), AlertRecord.cleared_at > start),
        )
    ).all()
    changed: set[tuple[str, datetime]] = set()
    for camera_id, opened, cleared in alerts:
        if camera_id not in tz_of:
            continue
        tz = tz_of[camera_id]
        hour = opened.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        until = min(cleared or end, end)
        while hour < until:
            if hour in service.get((camera_id, hour.date()), set()):
                changed.add((camera_id, hour))
            hour = (hour + timedelta(hours=1)).astimezone(tz)
    return RoomFigures(
        days=len(days),
        days_ready=sum(days.values()),
        service_hours=sum(len(h) for h in service.values()),
        hours_changed=len(changed),
    )


def _service_hours(config: Config, unit: str, day: date, tz: ZoneInfo) -> set[datetime]:
    """The local clock hours (their starts) of a unit's service on a day."""
    if unit not in {u.id for u in config.units}:
        return set()
    hours = set()
    for first, last in config.unit_service_hours(unit).intervals(day.weekday()):
        hour = datetime.combine(day, first.replace(minute=0), tz)
        while hour.time() < last and hour.date() == day:
            hours.add(hour)
            hour += timedelta(hours=1)
    return hours
