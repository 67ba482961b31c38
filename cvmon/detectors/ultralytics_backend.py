"""The ``ultralytics`` backend (optional extra): any model Ultralytics loads (.pt, .onnx, ...).

Ultralytics is kept offline: no hub calls, no automatic installs, settings under the data folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_AUTOINSTALL", "0")
os.environ.setdefault("YOLO_VERBOSE", "False")
_DATA_DIR = os.environ.get("CVMON_DATA_DIR", str(Path.home() / ".cvmon"))
os.environ.setdefault("YOLO_CONFIG_DIR", os.path.join(_DATA_DIR, "ultralytics"))

import numpy as np
from ultralytics import YOLO

from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import PERSON_CLASS
from cvmon.detectors.model_registry import load_registry
from cvmon.errors import ModelError
from cvmon.types import Detections, Frame


class UltralyticsDetector:
    """Person detector running a model through the Ultralytics library."""

    def __init__(self, config: DetectorConfig, model_dir: Path) -> None:
        registry = load_registry()
        model = config.model
        path = model_dir / registry[model].file if model in registry else Path(model).expanduser()
        if not path.exists() and not path.is_absolute() and (model_dir / model).exists():
            path = model_dir / model
        if not path.exists() and not model.endswith(".yaml"):
            raise ModelError(f"{path}: model file not found for the ultralytics backend")
        try:
            self.model = YOLO(str(path) if path.exists() else model)
        except Exception as err:  # Ultralytics raises many kinds for a bad file
            raise ModelError(f"{path}: Ultralytics cannot load it ({str(err).splitlines()[0][:160]})") from None
        self.name = f"ultralytics:{path.name}"
        self.confidence = config.confidence
        self.nms_iou = config.nms_iou
        self.size = config.input_size or 640
        import torch

        torch.set_num_threads(config.threads)

    def detect(self, frame: Frame) -> Detections:
        results: Any = self.model.predict(
            frame.image,
            classes=[PERSON_CLASS],
            conf=self.confidence,
            iou=self.nms_iou,
            imgsz=self.size,
            verbose=False,
            device="cpu",
        )
        result = results[0]
        boxes: Any = result.boxes
        if boxes is None or len(boxes) == 0:
            return Detections.empty()
        return Detections(
            xyxy=boxes.xyxy.cpu().numpy().astype(np.float32),
            confidence=boxes.conf.cpu().numpy().astype(np.float32),
            class_id=np.full(len(boxes), PERSON_CLASS, np.int64),
        )
