"""The current figures of a zone: its latest stored minute, as the API and the viewer show them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from cvmon.figures import ZoneFigures
from cvmon.storage.models import MinuteStatRecord, ZoneRecord
from cvmon.types import ZoneKind


# A zone with the figures of its latest stored minute: a body of the API, a tile of the viewer (no
# docstring: it would become the OpenAPI schema's description).
class ZoneNow(BaseModel):
    zone_id: str
    name: str | None
    kind: str
    capacity: int | None
    points: list[list[float]]
    minute: datetime | None = Field(description="The zone's latest stored minute; null when none.")
    count_mean: float | None = Field(description="People in the zone (a queue zone's length), mean over the minute.")
    count_max: int | None
    occupancy: float | None = Field(description="count_mean / capacity.")
    staffed_ratio: float | None = Field(description="Share of observed seconds staffed (counter_staff, post).")
    visits: int | None
    wait_p50_s: float | None
    wait_p90_s: float | None
    seconds_offline: float | None


def zone_now(zone: ZoneRecord, minute: MinuteStatRecord | None) -> ZoneNow:
    """A zone with the figures of its latest minute (all None when it has none)."""
    kind = ZoneKind(zone.kind)
    mean = minute.count_sum / minute.samples if minute is not None and minute.samples else None
    staffed = None
    if minute is not None and kind.measures_staffing and minute.seconds_observed:
        staffed = round(minute.seconds_staffed / minute.seconds_observed, 4)
    wait = minute is not None and kind.measures_wait
    return ZoneNow(
        zone_id=zone.zone_id,
        name=zone.name,
        kind=zone.kind,
        capacity=zone.capacity,
        points=zone.points,
        minute=minute.minute if minute else None,
        count_mean=None if mean is None else round(mean, 3),
        count_max=minute.count_max if minute else None,
        occupancy=round(mean / zone.capacity, 4) if mean is not None and zone.capacity else None,
        staffed_ratio=staffed,
        visits=minute.visits if minute else None,
        wait_p50_s=_quantile(minute, 0.5) if wait and minute else None,
        wait_p90_s=_quantile(minute, 0.9) if wait and minute else None,
        seconds_offline=minute.seconds_offline if minute else None,
    )


def _quantile(minute: MinuteStatRecord, q: float) -> float | None:
    value = ZoneFigures.from_columns(minute).visit_hist.quantile(q)
    return None if value is None else round(value, 1)
