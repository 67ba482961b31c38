"""The detector's inference time per analysed frame, carried in the camera's minute coverage."""

from __future__ import annotations

from datetime import timedelta
from itertools import islice

import numpy as np
import pytest

from cvmon.config import Config, parse_config
from cvmon.pipeline import detection as detection_module
from cvmon.pipeline.camera import CameraPipeline
from cvmon.pipeline.runner import build_pipeline
from cvmon.sources.file import FileSource
from cvmon.types import Detections, Frame
from tests.conftest import MODEL_DIR, ONE_BY_ONE, T0

SQUARE = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]]
REAL_FRAMES = 10  # two seconds of the recording at 5 fps


def make_config() -> Config:
    """One camera on the recording, with the default (onnx) detector and one waiting zone; the
    detector runs on every frame (no motion gating: the fake frames here are all alike)."""
    return parse_config(
        {
            "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
            "defaults": {"analysis_fps": 5, "motion_gate": {"enabled": False}},
            "cameras": [
                {
                    "id": "cam",
                    "unit": "ulp-a",
                    "source": str(ONE_BY_ONE),
                    "zones": [{"id": "hall", "kind": "waiting", "points": SQUARE}],
                }
            ],
        }
    )


def test_the_real_detector_fills_a_positive_inference_time() -> None:
    """The default onnx detector (YOLOX-Nano) on the first seconds of real footage."""
    if not (MODEL_DIR / "yolox_nano_416_coco.onnx").is_file() or not ONE_BY_ONE.is_file():
        pytest.skip(f"model or footage not found under {MODEL_DIR} / {ONE_BY_ONE.parent}")
    config = make_config()
    cam = config.cameras[0]
    pipeline = build_pipeline(config, cam, MODEL_DIR)
    for frame in islice(FileSource(cam.id, ONE_BY_ONE, 5, start=T0), REAL_FRAMES):
        pipeline.process_frame(frame)
    pipeline.finish()
    _rows, (coverage,) = pipeline.pop_rows(None)
    assert coverage.frames_analysed == REAL_FRAMES
    assert coverage.inference_ms_max > 0
    assert coverage.inference_ms_max <= coverage.inference_ms_sum <= REAL_FRAMES * coverage.inference_ms_max


class FakeClock:
    """``perf_counter`` that only moves when the fake detector says it worked."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TimedDetector:
    """Finds nobody, taking the scripted seconds per call (powers of two: exact in binary)."""

    name = "timed"

    def __init__(self, clock: FakeClock, seconds: list[float]) -> None:
        self.clock = clock
        self.seconds = iter(seconds)

    def detect(self, frame: Frame) -> Detections:
        self.clock.now += next(self.seconds)
        return Detections.empty()


def test_inference_time_is_summed_and_maxed_per_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the detector call is timed: ten frames in each of two minutes, sum and max per minute."""
    clock = FakeClock()
    monkeypatch.setattr(detection_module, "perf_counter", clock)  # the detection stage times the detector
    first = [2**-6] * 9 + [2**-5]  # 9 x 15.625 ms + 31.25 ms
    second = [2**-7] * 10  # 10 x 7.8125 ms
    config = make_config()
    pipeline = CameraPipeline(config, config.cameras[0], TimedDetector(clock, first + second))
    image = np.zeros((180, 320, 3), np.uint8)
    for i in range(20):
        video_s = 58.0 + 0.2 * i
        pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=video_s), i, image, video_s))
    pipeline.finish()
    _rows, cameras = pipeline.pop_rows(None)
    assert [c.minute for c in cameras] == [T0, T0 + timedelta(minutes=1)]
    assert [c.frames_analysed for c in cameras] == [10, 10]
    assert [(c.inference_ms_sum, c.inference_ms_max) for c in cameras] == [(171.875, 31.25), (78.125, 7.8125)]
