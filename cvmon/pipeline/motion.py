"""Motion gating: skip the detector on frames where nothing moved since it last ran.

People who stand or sit still are found again by the detector exactly where they were, so on a
frame that differs from the last detected one by (almost) nothing, that frame's detections are
reused: the tracker, the zones, staffing and dwell see the same people in the same places. The
detector still runs at least every ``max_skip_s`` seconds, so nothing stale lasts longer.

The comparison is against the frame the detector last saw, not the previous frame: slow changes
add up until they count. Only the area around the zones is compared (people whose feet are in a
zone stand above it), the whole frame when a camera has no zones.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import shapely

from cvmon.config.models import MotionGateConfig
from cvmon.zones.geometry import Zone

THUMB_PX = 240
"""Longer side of the greyscale thumbnail that is compared (sampled, not averaged: cheap at 1080p)."""


def watched_region(zones: list[Zone]) -> tuple[float, float, float, float]:
    """Relative (x1, y1, x2, y2) of the area compared: the zones' bounding box, widened by a tenth
    of its width on each side and raised by half its height (the bodies above the feet)."""
    if not zones:
        return (0.0, 0.0, 1.0, 1.0)
    x1, y1, x2, y2 = (float(v) for v in shapely.total_bounds([z.polygon for z in zones]))
    w, h = x2 - x1, y2 - y1
    return (max(0.0, x1 - 0.1 * w), max(0.0, y1 - 0.5 * h), min(1.0, x2 + 0.1 * w), min(1.0, y2 + 0.05 * h))


class MotionGate:
    """Says, frame by frame, whether the detector must run."""

    def __init__(self, config: MotionGateConfig, zones: list[Zone]) -> None:
        self.config = config
        self.region = watched_region(zones)
        self._reference: np.ndarray | None = None
        self._reference_t = 0.0
        self.last_changed = 1.0

    def thumbnail(self, image: np.ndarray) -> np.ndarray:
        """Blurred greyscale samples of the watched area."""
        h, w = image.shape[:2]
        x1, y1, x2, y2 = self.region
        crop = image[
            int(y1 * h) : max(int(y1 * h) + 1, math.ceil(y2 * h)),
            int(x1 * w) : max(int(x1 * w) + 1, math.ceil(x2 * w)),
        ]
        step = max(1, math.ceil(max(crop.shape[:2]) / THUMB_PX))
        small = np.ascontiguousarray(crop[::step, ::step])
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        return cv2.GaussianBlur(grey, (5, 5), 0)

    def needs_detection(self, image: np.ndarray, t: float) -> bool:
        """Whether ``image`` at video time ``t`` must go to the detector; if so, it becomes the reference."""
        if not self.config.enabled:
            return True
        thumb = self.thumbnail(image)
        ref = self._reference
        due = ref is None or ref.shape != thumb.shape or not 0.0 <= t - self._reference_t < self.config.max_skip_s
        if not due:
            assert ref is not None
            diff = cv2.absdiff(thumb, ref)
            self.last_changed = float(np.count_nonzero(diff > self.config.pixel_delta)) / diff.size
            due = self.last_changed > self.config.min_changed
        if due:
            self._reference, self._reference_t = thumb, t
        return due

    def reset(self) -> None:
        """Forget the reference (after a gap in the stream)."""
        self._reference = None
