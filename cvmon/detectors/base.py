"""The Detector protocol, shared post-processing, and the registry of backends by config ``type``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from cvmon.config.models import DetectorConfig
from cvmon.errors import BackendUnavailable, ConfigError
from cvmon.types import Detections, Frame

PERSON_CLASS = 0


class Detector(Protocol):
    """Finds people in a frame.

    Optional attributes a backend may declare: ``thread_safe = True`` when cameras of one process may
    call it at the same time (otherwise calls are serialised), and ``reads_pixels = False`` when its
    boxes do not come from the frame (then motion gating is off for it).
    """

    name: str

    def detect(self, frame: Frame) -> Detections: ...


DetectorFactory = Callable[[DetectorConfig, Path], Detector]

# type -> "module:factory"; modules are imported only when their type is chosen, so a missing
# optional library (ultralytics) fails loudly then and only then.
BACKENDS: dict[str, str] = {
    "onnx": "cvmon.detectors.onnx_backend:OnnxDetector",
    "ultralytics": "cvmon.detectors.ultralytics_backend:UltralyticsDetector",
    "replay": "cvmon.detectors.replay:ReplayDetector",
}


def create_detector(config: DetectorConfig, model_dir: Path) -> Detector:
    """Build the backend named by ``config.type``."""
    target = BACKENDS.get(config.type)
    if target is None:
        raise ConfigError(f"detector.type: unknown backend '{config.type}' (known: {', '.join(BACKENDS)})")
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise BackendUnavailable(
            f"detector backend '{config.type}' needs a library that is not installed ({err.name}); "
            f"install the extra: pip install 'cvmon[{config.type}]'"
        ) from None
    factory: DetectorFactory = getattr(module, attr)
    return factory(config, model_dir)


def nms_persons(xyxy: np.ndarray, scores: np.ndarray, confidence: float, nms_iou: float) -> Detections:
    """Keep boxes above ``confidence`` and suppress overlaps above ``nms_iou``."""
    keep = scores >= confidence
    xyxy, scores = xyxy[keep], scores[keep]
    if len(xyxy) == 0:
        return Detections.empty()
    wh = xyxy[:, 2:] - xyxy[:, :2]
    kept = cv2.dnn.NMSBoxes(np.concatenate([xyxy[:, :2], wh], axis=1).tolist(), scores.tolist(), confidence, nms_iou)
    idx = np.asarray(kept, dtype=np.int64).reshape(-1)
    return Detections(xyxy=xyxy[idx], confidence=scores[idx], class_id=np.full(len(idx), PERSON_CLASS))


def clip_to_image(xyxy: np.ndarray, width: int, height: int) -> np.ndarray:
    out = xyxy.copy()
    out[:, [0, 2]] = out[:, [0, 2]].clip(0, width)
    out[:, [1, 3]] = out[:, [1, 3]].clip(0, height)
    return out
