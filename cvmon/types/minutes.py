"""One minute of figures: a zone's (``MinuteRow``) and its camera's coverage (``CameraMinute``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from cvmon.figures import FIGURE_FIELDS, ZoneFigures

COVERAGE_SUMS: tuple[str, ...] = ("frames_analysed", "frames_detected", "seconds_online", "seconds_offline")
"""The coverage figures that add up (``inference_ms_sum`` too; ``inference_ms_max`` takes the maximum)."""
COVERAGE_FIELDS: tuple[str, ...] = (*COVERAGE_SUMS, "inference_ms_sum", "inference_ms_max", "t_first_s", "t_last_s")
"""Every field of a ``CameraMinute`` but its key; stored as columns of these names."""


@dataclass(slots=True)
class CameraMinute:
    """Coverage of one camera for one wall-clock minute (UTC), written next to its zones' MinuteRows.

    ``t_first_s``/``t_last_s`` are the seconds within the minute that the analysed frames and the
    offline time covered. ``frames_detected`` of the analysed frames went through the detector (the
    others reused its last detections: nothing had moved); ``inference_ms_sum``/``inference_ms_max``
    are the detector's milliseconds over those (their mean is the sum over ``frames_detected``).
    ``a + b`` is the coverage of both (with ``a``'s key).
    """

    camera_id: str
    minute: datetime
    frames_analysed: int = 0
    seconds_online: float = 0.0
    seconds_offline: float = 0.0
    t_first_s: float = 60.0
    t_last_s: float = 0.0
    inference_ms_sum: float = 0.0
    inference_ms_max: float = 0.0
    frames_detected: int = 0

    def __add__(self, other: CameraMinute) -> CameraMinute:
        return replace(
            self,
            **{name: getattr(self, name) + getattr(other, name) for name in (*COVERAGE_SUMS, "inference_ms_sum")},
            inference_ms_max=max(self.inference_ms_max, other.inference_ms_max),
            t_first_s=min(self.t_first_s, other.t_first_s),
            t_last_s=max(self.t_last_s, other.t_last_s),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MinuteRow(ZoneFigures):
    """The figures of one zone of one camera for one wall-clock minute (UTC): a ``ZoneFigures`` and its key.

    ``t_first_s``/``t_last_s`` are the seconds within the minute that the samples, visits and offline
    time covered (``t_first_s > t_last_s`` when nothing did).
    """

    camera_id: str
    zone_id: str
    zone_kind: str
    minute: datetime
    t_first_s: float = 60.0
    t_last_s: float = 0.0

    def with_figures(self, figures: ZoneFigures) -> MinuteRow:
        """The same key and covered seconds with other figures."""
        return replace(self, **{name: getattr(figures, name) for name in FIGURE_FIELDS})
