"""Per-camera, per-minute coverage: how much of a minute a camera was analysed, online or offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class CameraMinute:
    """Coverage of one camera for one wall-clock minute (UTC), written next to its zones' MinuteRows.

    ``t_first_s``/``t_last_s`` are the seconds within the minute that the analysed frames covered;
    as for ``MinuteRow`` they tell a re-run (overlap: replace) from a resumed minute (no overlap: merge).
    ``frames_detected`` of the analysed frames went through the detector (the others reused its last
    detections: nothing had moved); ``inference_ms_sum``/``inference_ms_max`` are the detector's
    milliseconds over those (their mean is the sum over ``frames_detected``).
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
