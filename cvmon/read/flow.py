"""The flow through the touchpoints per local hour of a day, for a set of cameras: their journey counts
added up (cameras add up by counts only; nobody is followed from one camera to another)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cvmon.figures import FLOW_COUNTS, ZoneFigures, total
from cvmon.histogram import DurationHistogram
from cvmon.storage.models import MinuteStatRecord


@dataclass(frozen=True, slots=True)
class FlowHour:
    """The journey counts of one local hour (``hour`` None: the whole day)."""

    hour: int | None
    figures: ZoneFigures

    def share(self, part: str, of: str) -> float | None:
        whole = getattr(self.figures, of)
        return round(100.0 * getattr(self.figures, part) / whole, 1) if whole else None

    @property
    def journey_p50_s(self) -> float | None:
        value = self.figures.journey_hist.quantile(0.5)
        return None if value is None else round(value, 1)


def flow_hours(
    session: Session, camera_ids: Sequence[str], start: datetime, end: datetime, tz: tzinfo
) -> list[FlowHour]:
    """A row per local hour with journey counts in ``[start, end)``, then the day's total (none: empty)."""
    m = MinuteStatRecord
    stmt = (
        select(m.minute, m.journey_seconds_sum, m.journey_hist, *(getattr(m, n) for n in FLOW_COUNTS))
        .where(
            m.camera_id.in_(list(camera_ids)),
            m.minute >= start,
            m.minute < end,
            or_(*(getattr(m, n) > 0 for n in FLOW_COUNTS)),
        )
        .order_by(m.minute)
    )
    hours: dict[int, ZoneFigures] = {}
    for minute, seconds, hist, *counts in session.execute(stmt):
        figures = ZoneFigures(
            **dict(zip(FLOW_COUNTS, counts, strict=True)),
            journey_seconds_sum=seconds,
            journey_hist=DurationHistogram.from_json(hist),
        )
        hour = minute.astimezone(tz).hour
        hours[hour] = hours.get(hour, ZoneFigures()) + figures
    if not hours:
        return []
    return [FlowHour(h, f) for h, f in sorted(hours.items())] + [FlowHour(None, total(hours.values()))]
