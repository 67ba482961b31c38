"""What one analysed frame showed, handed from the camera pipeline to its callers and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from cvmon.types.alerts import AlertChange
from cvmon.types.frames import Detections


@dataclass(frozen=True, slots=True)
class FrameResult:
    """What one analysed frame showed: the count per zone (for samples CSV and live views)."""

    frame_index: int
    video_s: float
    ts: datetime
    counts: dict[str, int]
    detections: Detections  # the people counted (at the counting score)
    tracked: Detections
    evidence_boxes: np.ndarray  # everyone to blur: detections down to the evidence score, predicted tracks
    alert_changes: list[AlertChange]
    in_service: bool = True
