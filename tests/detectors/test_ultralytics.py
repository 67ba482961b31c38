"""The optional Ultralytics extra: its backend, and the ONNX layout of a real Ultralytics export.

Untrained YOLO11n weights (built from yolo11n.yaml, offline) are enough: the shapes, the
pre-processing and the decoding are real even where the detections mean nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ultralytics = pytest.importorskip("ultralytics", reason="the ultralytics extra is not installed")

from cvmon.config.models import DetectorConfig  # noqa: E402
from cvmon.detectors.base import create_detector  # noqa: E402
from cvmon.sources.file import FileSource  # noqa: E402
from cvmon.types import Frame  # noqa: E402
from tests.conftest import ONE_BY_ONE  # noqa: E402


@pytest.fixture(scope="module")
def frame() -> Frame:
    return next(f for f in FileSource("cam", ONE_BY_ONE, 1) if f.index >= 300)


@pytest.fixture(scope="module")
def yolo11n_onnx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Ultralytics ONNX export (untrained YOLO11n, 320x320), made offline."""
    from ultralytics import YOLO

    folder = tmp_path_factory.mktemp("yolo")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        exported = YOLO("yolo11n.yaml").export(format="onnx", imgsz=320, simplify=False)
    finally:
        os.chdir(cwd)
    return Path(folder / exported) if not Path(exported).is_absolute() else Path(exported)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def test_ultralytics_backend_runs_a_model_it_loads(frame: Frame, tmp_path: Path) -> None:
    detector = create_detector(DetectorConfig(type="ultralytics", model="yolo11n.yaml", confidence=0.01), tmp_path)
    dets = detector.detect(frame)
    assert detector.name == "ultralytics:yolo11n.yaml"
    assert dets.xyxy.shape == (len(dets), 4)
    assert np.all(dets.class_id == 0)
    assert np.all(dets.confidence >= 0.01)


def test_onnx_backend_decodes_a_real_ultralytics_export_like_ultralytics(frame: Frame, yolo11n_onnx: Path) -> None:
    """Our letterbox, RGB/255 input and (4+80, N) decoding give Ultralytics' own boxes for its export."""
    from ultralytics import YOLO

    conf = 1e-7  # untrained heads score about 1e-5
    ours = create_detector(
        DetectorConfig(model=str(yolo11n_onnx), layout="ultralytics", confidence=conf, nms_iou=0.7), yolo11n_onnx.parent
    ).detect(frame)
    theirs = (
        YOLO(str(yolo11n_onnx), task="detect")
        .predict(frame.image, imgsz=320, conf=conf, iou=0.7, classes=[0], verbose=False, device="cpu")[0]
        .boxes
    )
    assert len(theirs) > 0, "the untrained model gave Ultralytics no box at all; nothing to compare"
    assert len(ours) > 0
    their_xyxy = theirs.xyxy.cpu().numpy()
    their_conf = theirs.conf.cpu().numpy()
    for k in np.argsort(-their_conf)[:3]:
        best = max(iou(their_xyxy[k], box) for box in ours.xyxy)
        assert best > 0.9, (their_xyxy[k], their_conf[k])


def test_registry_layout_of_an_export_is_checked(yolo11n_onnx: Path) -> None:
    from cvmon.errors import ModelError

    with pytest.raises(ModelError, match="do not fit the yolox layout"):
        create_detector(DetectorConfig(model=str(yolo11n_onnx), layout="yolox"), yolo11n_onnx.parent)
