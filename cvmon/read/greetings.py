"""The PS4 greeting per staff zone and local hour of a day: arrivals judged and how they ended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cvmon.figures import GREETING_COUNTS, ZoneFigures, total
from cvmon.storage.models import MinuteStatRecord, ZoneRecord


@dataclass(frozen=True, slots=True)
class GreetingRow:
    """A staff zone's greeting counts over one local hour (``hour`` None: the whole day)."""

    camera_id: str
    zone_id: str
    zone_name: str | None
    hour: int | None
    figures: ZoneFigures

    @property
    def greeted_pct(self) -> float | None:
        ratio = self.figures.greeted_ratio
        return None if ratio is None else round(100 * ratio, 1)


def greeting_rows(
    session: Session, camera_ids: Sequence[str], start: datetime, end: datetime, tz: tzinfo
) -> list[GreetingRow]:
    """Per staff zone with arrivals in ``[start, end)``: a row per local hour, then the zone's total."""
    m = MinuteStatRecord
    stmt = (
        select(m.camera_id, m.zone_id, ZoneRecord.name, m.minute, *(getattr(m, name) for name in GREETING_COUNTS))
        .join(ZoneRecord, (ZoneRecord.camera_id == m.camera_id) & (ZoneRecord.zone_id == m.zone_id))
        .where(m.camera_id.in_(list(camera_ids)), m.minute >= start, m.minute < end, m.greet_arrivals > 0)
        .order_by(m.camera_id, m.zone_id, m.minute)
    )
    hours: dict[tuple[str, str], dict[int, ZoneFigures]] = {}
    names: dict[tuple[str, str], str | None] = {}
    for camera_id, zone_id, name, minute, *counts in session.execute(stmt):
        key = (camera_id, zone_id)
        names[key] = name
        hour = minute.astimezone(tz).hour
        by_hour = hours.setdefault(key, {})
        by_hour[hour] = by_hour.get(hour, ZoneFigures()) + ZoneFigures(
            **dict(zip(GREETING_COUNTS, counts, strict=True))
        )
    out: list[GreetingRow] = []
    for key, by_hour in hours.items():
        out += [GreetingRow(*key, names[key], hour, f) for hour, f in sorted(by_hour.items())]
        out.append(GreetingRow(*key, names[key], None, total(by_hour.values())))
    return out
