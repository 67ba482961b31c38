"""Shared fixtures and factories."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from cvmon.types import Detections

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CVMON_SHARED_DIR", REPO_ROOT.parent / "shared"))
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
FOOTAGE_DIR = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
ONE_BY_ONE = FOOTAGE_DIR / "intel_one-by-one-person-detection.mp4"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does touches ~/.cvmon."""
    monkeypatch.setenv("CVMON_DATA_DIR", str(tmp_path_factory.mktemp("cvmon-data")))


def make_detections(boxes: list[list[float]], tracker_ids: list[int] | None = None) -> Detections:
    """Detections from [[x1, y1, x2, y2, score], ...] (score optional, default 0.9)."""
    arr = np.asarray([b if len(b) == 5 else [*b, 0.9] for b in boxes], dtype=np.float32).reshape(-1, 5)
    return Detections(
        xyxy=arr[:, :4],
        confidence=arr[:, 4],
        class_id=np.zeros(len(arr), np.int64),
        tracker_id=None if tracker_ids is None else np.asarray(tracker_ids, np.int64),
    )


def make_blank_video(path: Path, seconds: float, fps: int = 5, size: tuple[int, int] = (320, 180)) -> Path:
    """A real H.264 file of grey frames, for replayed detections that need frames with timestamps."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        image = np.full((size[1], size[0], 3), 128, np.uint8)
        for _ in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


T0 = datetime(2026, 11, 23, 1, 0, 0, tzinfo=UTC)  # 09:00 WITA
