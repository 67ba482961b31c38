"""Detection: the detector behind the motion gate, the detections reused while nothing moves."""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

import numpy as np

from cvmon.detectors.base import Detector
from cvmon.pipeline.motion import MotionGate
from cvmon.types import Detections, Frame


@dataclass(frozen=True, slots=True)
class Sighting:
    """Who one frame shows."""

    found: Detections  # everyone the detector reports (down to the evidence score)
    counted: Detections  # those counted (at the counting score)
    inference_ms: float | None  # the detector's time on this frame; None when it was skipped


class DetectionStage:
    """A camera's detector and motion gate; owns the last detections (reused on a still frame)."""

    def __init__(self, detector: Detector, gate: MotionGate, counting_confidence: float) -> None:
        self.detector = detector
        self.gate = gate
        self.counting_confidence = counting_confidence
        self.frames_detected = 0
        self._last_found: Detections | None = None

    def detect(self, frame: Frame, image: np.ndarray) -> Sighting:
        """Who ``frame`` (its pixels masked as ``image``) shows: detected, or the last detections when
        nothing moved since the detector last ran."""
        inference_ms: float | None = None
        if self.gate.needs_detection(image, frame.video_s) or self._last_found is None:
            started = perf_counter()
            found = self.detector.detect(frame if image is frame.image else _with_image(frame, image))
            inference_ms = (perf_counter() - started) * 1000.0
            self._last_found = found
            self.frames_detected += 1
        else:
            found = self._last_found  # nothing moved: the same people in the same places
        return Sighting(found, found[found.confidence >= self.counting_confidence], inference_ms)

    def reset(self) -> None:
        """Forget the last detections and the gate's reference (after a gap in the stream)."""
        self.gate.reset()
        self._last_found = None


def _with_image(frame: Frame, image: np.ndarray) -> Frame:
    return Frame(frame.camera_id, frame.ts, frame.index, image, frame.video_s)
