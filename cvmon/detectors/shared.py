"""Detectors shared by the cameras of one worker process: one model in memory per distinct settings."""

from __future__ import annotations

import threading
from pathlib import Path

from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import Detector, create_detector
from cvmon.types import Detections, Frame


class LockedDetector:
    """Serialises calls to a backend that is not safe to call from several threads at once."""

    def __init__(self, inner: Detector) -> None:
        self.inner = inner
        self.name = inner.name
        self.reads_pixels = getattr(inner, "reads_pixels", True)
        self._lock = threading.Lock()

    def detect(self, frame: Frame) -> Detections:
        with self._lock:
            return self.inner.detect(frame)


class DetectorCache:
    """Hands every camera of a process the detector for its settings, building each one once.

    Backends that declare ``thread_safe = True`` (onnxruntime sessions) are called from every
    camera's thread at once; others are wrapped in a lock. With ``single_thread`` the inference of
    each call runs on its caller's thread only (``threads: 1``): with several cameras in a process
    their calls then run side by side, one core each, instead of fighting over one thread pool.
    """

    def __init__(self, model_dir: Path, single_thread: bool = False) -> None:
        self.model_dir = model_dir
        self.single_thread = single_thread
        self._lock = threading.Lock()
        self._made: dict[str, Detector] = {}

    def get(self, config: DetectorConfig) -> Detector:
        if self.single_thread:
            config = config.model_copy(update={"threads": 1})
        key = config.model_dump_json()
        with self._lock:
            detector = self._made.get(key)
            if detector is None:
                detector = create_detector(config, self.model_dir)
                if not getattr(detector, "thread_safe", False):
                    detector = LockedDetector(detector)
                self._made[key] = detector
            return detector

    def __len__(self) -> int:
        return len(self._made)
