"""Figures of a zone over a period, computed from stored minute rows only.

Wait-time percentiles come from the stored duration histograms, so they are available for any
period without keeping a single visit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cvmon.metrics.histogram import histogram_quantile, merge_histograms
from cvmon.types import MinuteRow, ZoneKind


@dataclass(frozen=True, slots=True)
class ZonePeriodStats:
    """One zone over a period."""

    camera_id: str
    zone_id: str
    kind: str
    minutes: int
    samples: int
    mean_count: float | None
    max_count: int
    visits: int
    mean_visit_s: float | None
    visit_p50_s: float | None
    visit_p90_s: float | None
    staffed_ratio: float | None
    seconds_observed: float
    seconds_offline: float
    seconds_over_capacity: float

    def as_dict(self) -> dict[str, object]:
        wait = ZoneKind(self.kind).measures_wait
        return {
            "kind": self.kind,
            "minutes": self.minutes,
            "mean_count": None if self.mean_count is None else round(self.mean_count, 3),
            "max_count": self.max_count,
            "visits": self.visits,
            "mean_visit_s": _round(self.mean_visit_s),
            "wait_p50_s": _round(self.visit_p50_s) if wait else None,
            "wait_p90_s": _round(self.visit_p90_s) if wait else None,
            "visit_p50_s": _round(self.visit_p50_s),
            "visit_p90_s": _round(self.visit_p90_s),
            "staffed_ratio": None if self.staffed_ratio is None else round(self.staffed_ratio, 4),
            "seconds_observed": round(self.seconds_observed, 1),
            "seconds_offline": round(self.seconds_offline, 1),
            "seconds_over_capacity": round(self.seconds_over_capacity, 1),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def zone_period_stats(rows: Iterable[MinuteRow]) -> list[ZonePeriodStats]:
    """Group minute rows by camera and zone and combine them."""
    groups: dict[tuple[str, str], list[MinuteRow]] = {}
    for row in rows:
        groups.setdefault((row.camera_id, row.zone_id), []).append(row)
    out = []
    for (camera_id, zone_id), group in sorted(groups.items()):
        kind = group[0].zone_kind
        samples = sum(r.samples for r in group)
        visits = sum(r.visits for r in group)
        observed = sum(r.seconds_observed for r in group)
        hist = merge_histograms(r.visit_hist for r in group)
        staffing = ZoneKind(kind).measures_staffing
        out.append(
            ZonePeriodStats(
                camera_id=camera_id,
                zone_id=zone_id,
                kind=kind,
                minutes=len(group),
                samples=samples,
                mean_count=sum(r.count_sum for r in group) / samples if samples else None,
                max_count=max(r.count_max for r in group),
                visits=visits,
                mean_visit_s=sum(r.visit_seconds_sum for r in group) / visits if visits else None,
                visit_p50_s=histogram_quantile(hist, 0.5),
                visit_p90_s=histogram_quantile(hist, 0.9),
                staffed_ratio=sum(r.seconds_staffed for r in group) / observed if staffing and observed else None,
                seconds_observed=observed,
                seconds_offline=sum(r.seconds_offline for r in group),
                seconds_over_capacity=sum(r.seconds_over_capacity for r in group),
            )
        )
    return out
