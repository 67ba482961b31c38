"""Time series of a zone's figures per minute, hour or local day, from minute rows and hourly roll-ups.

A bucket of an hour or a day takes the minute rows of each UTC hour where they are still stored,
and the hour's roll-up (``hourly_stats``) where retention has deleted them. A row counts when its
start lies in the requested period. Wait percentiles come from the merged duration histograms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo
from typing import Literal

from cvmon.figures import ZoneFigures
from cvmon.storage.models import HourlyStatRecord, MinuteStatRecord, ZoneFigureColumns, ZoneRecord
from cvmon.types import ZoneKind

Resolution = Literal["minute", "quarter", "hour", "day"]
# Resolutions built from minute rows only (an hourly roll-up cannot be split into shorter buckets).
MINUTE_ONLY: frozenset[str] = frozenset({"minute", "quarter"})


@dataclass(slots=True)
class _Bucket:
    figures: ZoneFigures = field(default_factory=ZoneFigures)
    minutes: int = 0

    def add_rows(self, row: ZoneFigureColumns, minutes: int) -> None:
        self.minutes += minutes
        self.figures = self.figures + ZoneFigures.from_columns(row)


@dataclass(frozen=True, slots=True)
class Point:
    t: datetime
    minutes: int
    count_mean: float | None
    count_max: int
    wait_p50_s: float | None
    wait_p90_s: float | None
    staffed_ratio: float | None
    occupancy: float | None
    visits: int
    seconds_offline: float


def _hour(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def bucket_start(ts: datetime, resolution: Resolution, tz: tzinfo) -> datetime:
    """Start of the bucket holding ``ts``: the UTC minute, quarter hour or hour, or local midnight of the unit's day."""
    if resolution == "minute":
        return ts.astimezone(UTC).replace(second=0, microsecond=0)
    if resolution == "quarter":
        utc = ts.astimezone(UTC)
        return utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)
    if resolution == "hour":
        return _hour(ts)
    return datetime.combine(ts.astimezone(tz).date(), time(), tzinfo=tz)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _point(t: datetime, b: _Bucket, kind: ZoneKind, capacity: int | None) -> Point:
    f = b.figures
    mean = f.mean_count
    wait = kind.measures_wait
    return Point(
        t=t,
        minutes=b.minutes,
        count_mean=_round(mean, 3),
        count_max=f.count_max,
        wait_p50_s=_round(f.visit_hist.quantile(0.5), 1) if wait else None,
        wait_p90_s=_round(f.visit_hist.quantile(0.9), 1) if wait else None,
        staffed_ratio=_round(f.staffed_ratio, 4) if kind.measures_staffing else None,
        occupancy=_round(mean / capacity, 4) if mean is not None and capacity else None,
        visits=f.visits,
        seconds_offline=round(f.seconds_offline, 1),
    )


def zone_series(
    zones: Sequence[ZoneRecord],
    minute_rows: Iterable[MinuteStatRecord],
    hourly_rows: Iterable[HourlyStatRecord],
    resolution: Resolution,
    tz: tzinfo,
) -> dict[str, list[Point]]:
    """Points per zone id, oldest first; hourly rows are used only for hours without minute rows and
    never at minute or quarter resolution."""
    minutes = list(minute_rows)
    covered = {(r.zone_id, _hour(r.minute)) for r in minutes}
    figures: list[tuple[str, datetime, int, ZoneFigureColumns]] = [(r.zone_id, r.minute, 1, r) for r in minutes]
    if resolution not in MINUTE_ONLY:
        figures += [(r.zone_id, r.hour, r.minutes, r) for r in hourly_rows if (r.zone_id, r.hour) not in covered]
    buckets: dict[str, dict[datetime, _Bucket]] = {z.zone_id: {} for z in zones}
    for zone_id, ts, n_minutes, row in figures:
        if zone_id in buckets:
            buckets[zone_id].setdefault(bucket_start(ts, resolution, tz), _Bucket()).add_rows(row, n_minutes)
    out: dict[str, list[Point]] = {}
    for zone in zones:
        kind = ZoneKind(zone.kind)
        out[zone.zone_id] = [_point(t, b, kind, zone.capacity) for t, b in sorted(buckets[zone.zone_id].items())]
    return out
