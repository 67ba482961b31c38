"""Figures of a zone over a period, computed from stored minute rows only.

Wait-time percentiles come from the stored duration histograms, so they are available for any
period without keeping a single visit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cvmon.figures import ZoneFigures, total
from cvmon.types import MinuteRow, ZoneKind


@dataclass(frozen=True, slots=True)
class ZonePeriodStats:
    """One zone over a period: its summed figures and how many minute rows they came from."""

    camera_id: str
    zone_id: str
    kind: str
    minutes: int
    figures: ZoneFigures

    @property
    def samples(self) -> int:
        return self.figures.samples

    @property
    def visit_p50_s(self) -> float | None:
        return self.figures.visit_hist.quantile(0.5)

    @property
    def visit_p90_s(self) -> float | None:
        return self.figures.visit_hist.quantile(0.9)

    @property
    def staffed_ratio(self) -> float | None:
        return self.figures.staffed_ratio if ZoneKind(self.kind).measures_staffing else None

    def as_dict(self) -> dict[str, object]:
        f = self.figures
        return {
            **figures_summary(ZoneKind(self.kind), f),
            "minutes": self.minutes,
            "mean_count": None if f.mean_count is None else round(f.mean_count, 3),
            "mean_visit_s": _round(f.mean_visit_s),
            "seconds_observed": round(f.seconds_observed, 1),
            "seconds_offline": round(f.seconds_offline, 1),
            "seconds_over_capacity": round(f.seconds_over_capacity, 1),
        }


def figures_summary(kind: ZoneKind, figures: ZoneFigures) -> dict[str, object]:
    """A zone's figures as the command line shows them (``cvmon process``, ``cvmon stats``):
    mean and largest count, visits, wait or visit p50 and p90 from the histogram, staffed ratio."""
    p50, p90 = _round(figures.visit_hist.quantile(0.5)), _round(figures.visit_hist.quantile(0.9))
    wait = kind.measures_wait
    staffed = figures.staffed_ratio if kind.measures_staffing else None
    mean = figures.mean_count
    return {
        "kind": kind.value,
        "mean_count": round(mean, 3) if mean is not None else 0.0,
        "max_count": figures.count_max,
        "visits": figures.visits,
        "wait_p50_s": p50 if wait else None,
        "wait_p90_s": p90 if wait else None,
        "visit_p50_s": p50,
        "visit_p90_s": p90,
        "staffed_ratio": None if staffed is None else round(staffed, 4),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def zone_period_stats(rows: Iterable[MinuteRow]) -> list[ZonePeriodStats]:
    """Group minute rows by camera and zone and add them up."""
    groups: dict[tuple[str, str], list[MinuteRow]] = {}
    for row in rows:
        groups.setdefault((row.camera_id, row.zone_id), []).append(row)
    return [
        ZonePeriodStats(camera_id, zone_id, group[-1].zone_kind, len(group), total(group))
        for (camera_id, zone_id), group in sorted(groups.items())
    ]
