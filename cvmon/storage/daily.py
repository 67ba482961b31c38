"""Daily roll-ups: the figures of each zone per local calendar day (the camera's unit's time zone),
summed from the hourly rows and kept for years (``retention.daily_rows_days``) after those are gone.

Each retention run recomputes the complete days that ended in the last ``RECHECK_DAYS`` (late rows,
delivered from a spool after an outage, still count), and fills in, ``BACKFILL_DAYS`` at a time, the
days before a camera's earliest daily row back to its earliest hourly row (a database upgraded to
this table, or rows of old recordings). A day is only computed while all of its hours are still
kept as hourly rows; after that its daily row stays as it is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cvmon.figures import FIGURE_FIELDS, HISTOGRAMS, ZoneFigures
from cvmon.histogram import DurationHistogram
from cvmon.storage.database import Database
from cvmon.storage.merge import sum_figures
from cvmon.storage.models import Base, CameraRecord, UnitRecord

RECHECK_DAYS = 8
BACKFILL_DAYS = 62
_HOURLY: Table = Base.metadata.tables["hourly_stats"]
_DAILY: Table = Base.metadata.tables["daily_stats"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyRow(ZoneFigures):
    """One zone's figures over one local day, the sum of its ``hours`` hourly rows."""

    camera_id: str
    zone_id: str
    zone_kind: str
    day: date
    hours: int


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def roll_up_days(db: Database, now: datetime, oldest_hour: datetime) -> int:
    """(Re)compute the daily rows due (see the module docstring); returns how many were written
    (a row that already holds its figures is not written again).
    ``oldest_hour``: hourly rows before it may be gone, so days starting before it are left alone."""
    current_hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    with db.transaction("cannot read hourly figures from", write=False) as session:
        units = select(CameraRecord.id, UnitRecord.timezone).join(UnitRecord, CameraRecord.unit_id == UnitRecord.id)
        zones = dict(((c, tz) for c, tz in session.execute(units)))
        hourly = select(_HOURLY.c.camera_id, func.min(_HOURLY.c.hour)).group_by(_HOURLY.c.camera_id)
        first_hour = dict(((c, h) for c, h in session.execute(hourly)))
        daily = select(_DAILY.c.camera_id, func.min(_DAILY.c.day)).group_by(_DAILY.c.camera_id)
        first_day = dict(((c, d) for c, d in session.execute(daily)))
    written = 0
    for camera_id, hour in first_hour.items():
        tz = ZoneInfo(zones.get(camera_id) or "UTC")
        days = _days_due(_aware(hour), first_day.get(camera_id), tz, current_hour, _aware(oldest_hour))
        if days:
            with db.transaction("cannot write daily figures to", write=True) as session:
                written += _roll_up_camera(session, camera_id, tz, days)
    return written


def _days_due(
    first_hour: datetime, first_day: date | None, tz: ZoneInfo, current_hour: datetime, oldest_hour: datetime
) -> list[date]:
    last = current_hour.astimezone(tz).date()
    while day_bounds(last, tz)[1] > current_hour:
        last -= timedelta(days=1)
    earliest = max(first_hour.astimezone(tz).date(), oldest_hour.astimezone(tz).date())
    if day_bounds(earliest, tz)[0] < oldest_hour:
        earliest += timedelta(days=1)
    if earliest > last:
        return []
    due = {last - timedelta(days=i) for i in range(RECHECK_DAYS)}
    fill_to = min(last, (first_day - timedelta(days=1)) if first_day else last)
    due |= {fill_to - timedelta(days=i) for i in range(BACKFILL_DAYS)}
    return sorted(d for d in due if earliest <= d <= last)


def _roll_up_camera(session: Session, camera_id: str, tz: ZoneInfo, days: list[date]) -> int:
    start, end = day_bounds(days[0], tz)[0], day_bounds(days[-1], tz)[1]
    wanted = set(days)
    rows = session.execute(
        select(_HOURLY).where(_HOURLY.c.camera_id == camera_id, _HOURLY.c.hour >= start, _HOURLY.c.hour < end)
    ).all()
    groups: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for row in rows:
        day = _aware(row.hour).astimezone(tz).date()
        if day in wanted:
            groups[(row.zone_id, day)].append(row)
    stored_stmt = select(_DAILY).where(
        _DAILY.c.camera_id == camera_id, _DAILY.c.day >= days[0], _DAILY.c.day <= days[-1]
    )
    stored = {(r.zone_id, r.day): r._mapping for r in session.execute(stored_stmt)}
    values = [
        v
        for (zone_id, day), hours in groups.items()
        if not _same(stored.get((zone_id, day)), v := _daily_values(camera_id, zone_id, day, hours))
    ]
    if values:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = insert(_DAILY)
        keys = ("camera_id", "zone_id", "day")
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c.name: stmt.excluded[c.name] for c in _DAILY.c if c.name not in keys}
        )
        session.execute(stmt, values)
    return len(values)


def _daily_values(camera_id: str, zone_id: str, day: date, hours: list[Any]) -> dict[str, Any]:
    return {"camera_id": camera_id, "zone_id": zone_id, "day": day, "hours": len(hours), **sum_figures(hours, "hour")}


def _same(stored: Any, values: dict[str, Any]) -> bool:
    """Whether a stored daily row already holds these figures (then it is not written again)."""
    if stored is None:
        return False
    for name, value in values.items():
        if isinstance(value, float):
            if not math.isclose(stored[name], value, rel_tol=1e-9, abs_tol=1e-6):
                return False
        elif name in HISTOGRAMS:
            if DurationHistogram.from_json(stored[name]) != DurationHistogram.from_json(value):
                return False
        elif stored[name] != value:
            return False
    return True


def delete_old_days(db: Database, before: date) -> int:
    """Delete daily rows of days before ``before``; returns how many."""
    with db.transaction("cannot delete daily figures from", write=True) as session:
        result = session.execute(delete(_DAILY).where(_DAILY.c.day < before))
        return int(getattr(result, "rowcount", 0) or 0)


def daily_rows(
    db: Database, camera_id: str | None = None, start: date | None = None, end: date | None = None
) -> list[DailyRow]:
    """Stored daily rows, optionally of one camera and of days in ``[start, end)``, by camera, zone, day."""
    stmt = select(_DAILY).order_by(_DAILY.c.camera_id, _DAILY.c.zone_id, _DAILY.c.day)
    if camera_id is not None:
        stmt = stmt.where(_DAILY.c.camera_id == camera_id)
    if start is not None:
        stmt = stmt.where(_DAILY.c.day >= start)
    if end is not None:
        stmt = stmt.where(_DAILY.c.day < end)
    with db.transaction("cannot read daily figures from", write=False) as session:
        out = []
        for row in session.execute(stmt):
            values = row._mapping
            key = {name: values[name] for name in ("camera_id", "zone_id", "zone_kind", "day", "hours")}
            figures = ZoneFigures.from_columns(values)
            out.append(DailyRow(**key, **{name: getattr(figures, name) for name in FIGURE_FIELDS}))
        return out


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
