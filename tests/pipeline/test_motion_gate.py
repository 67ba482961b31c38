"""Motion gating: the detector is skipped on frames where nothing moved since it last ran, and the
figures stay what they would have been."""

from __future__ import annotations

from datetime import timedelta
from itertools import islice

import numpy as np
import pytest

from cvmon.config import Config, parse_config
from cvmon.config.models import MotionGateConfig, ZoneConfig
from cvmon.pipeline.camera import CameraPipeline
from cvmon.pipeline.motion import MotionGate, watched_region
from cvmon.pipeline.runner import build_pipeline
from cvmon.sources.file import FileSource
from cvmon.types import Detections, Frame
from cvmon.zones.geometry import Zone
from tests.conftest import MODEL_DIR, ONE_BY_ONE, T0

BOTTOM_RIGHT = [[0.5, 0.5], [1.0, 0.5], [1.0, 1.0], [0.5, 1.0]]
WHOLE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]


def scene(rng: np.random.Generator, block_at: tuple[int, int] | None = None) -> np.ndarray:
    """A 960x540 frame of fixed texture with sensor-like noise, and a dark 'person' block where asked."""
    base = np.tile(np.linspace(40, 200, 960, dtype=np.float32), (540, 1))[..., None].repeat(3, axis=2)
    noisy = base + rng.normal(0, 2.0, base.shape).astype(np.float32)
    if block_at is not None:
        x, y = block_at
        noisy[y : y + 100, x : x + 40] = 20
    return np.clip(noisy, 0, 255).astype(np.uint8)


def gate(zones: list[list[list[float]]], **settings: float) -> MotionGate:
    configs = [ZoneConfig(id=f"z{i}", kind="waiting", points=p) for i, p in enumerate(zones)]
    return MotionGate(MotionGateConfig(**settings), [Zone.from_config(z) for z in configs])


def test_still_frames_skip_the_detector_until_it_is_due_again() -> None:
    rng = np.random.default_rng(1)
    g = gate([WHOLE], max_skip_s=1.0)
    ran = [g.needs_detection(scene(rng), t) for t in np.arange(0, 2.2, 0.2)]
    # the first frame, then again once a second of video has passed since the detector last ran
    assert ran == [True, False, False, False, False, True, False, False, False, False, True]


def test_a_moving_person_in_the_watched_area_brings_the_detector_back() -> None:
    rng = np.random.default_rng(2)
    g = gate([BOTTOM_RIGHT], max_skip_s=10.0)
    assert g.needs_detection(scene(rng, (700, 350)), 0.0)
    assert not g.needs_detection(scene(rng, (700, 350)), 0.2)  # still there, standing still
    assert g.needs_detection(scene(rng, (715, 350)), 0.4)  # moved 15 px at 540p


def test_movement_far_from_the_zones_does_not_count() -> None:
    rng = np.random.default_rng(3)
    g = gate([BOTTOM_RIGHT], max_skip_s=10.0)
    assert g.region == pytest.approx((0.45, 0.25, 1.0, 1.0))  # widened sideways, raised by half its height
    assert g.needs_detection(scene(rng), 0.0)
    assert not g.needs_detection(scene(rng, (25, 10)), 0.2)  # top-left corner: outside the watched area
    assert g.needs_detection(scene(rng, (750, 400)), 0.4)


def test_without_zones_the_whole_frame_is_watched() -> None:
    assert watched_region([]) == (0.0, 0.0, 1.0, 1.0)


def test_disabled_gate_and_reset_always_detect() -> None:
    rng = np.random.default_rng(4)
    off = gate([WHOLE], enabled=False)
    assert all(off.needs_detection(scene(rng), t) for t in (0.0, 0.2, 0.4))
    on = gate([WHOLE], max_skip_s=10.0)
    assert on.needs_detection(scene(rng), 0.0) and not on.needs_detection(scene(rng), 0.2)
    on.reset()
    assert on.needs_detection(scene(rng), 0.4)


class CountingDetector:
    """Fake detector (the logic under test is the gate): one fixed person, and a count of its calls."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, frame: Frame) -> Detections:
        self.calls += 1
        box = np.array([[700, 350, 740, 450]], np.float32)
        return Detections(box, np.array([0.9], np.float32), np.zeros(1, np.int64))


def config(gate_on: bool, source: str = "unused.mp4") -> Config:
    return parse_config(
        {
            "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
            "defaults": {"analysis_fps": 4, "motion_gate": {"enabled": gate_on, "max_skip_s": 1.0}},
            "cameras": [
                {
                    "id": "cam",
                    "unit": "ulp-a",
                    "source": source,
                    "zones": [{"id": "desk", "kind": "counter_staff", "points": BOTTOM_RIGHT}],
                }
            ],
        }
    )


def test_a_still_scene_keeps_its_people_staffing_and_coverage_with_fewer_detector_calls() -> None:
    rng = np.random.default_rng(5)
    results = {}
    for gate_on in (False, True):
        detector = CountingDetector()
        cfg = config(gate_on)
        pipeline = CameraPipeline(cfg, cfg.cameras[0], detector)
        counts = []
        for i in range(40):  # ten seconds at 4 fps (times exact in binary), the staff member sitting still
            t = 0.25 * i
            result = pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=t), i, scene(rng, (700, 350)), t))
            counts.append(result.counts["desk"])
        pipeline.finish()
        rows, (coverage,) = pipeline.pop_rows(None)
        results[gate_on] = (detector.calls, counts, rows[0], coverage)
    (calls_off, counts_off, row_off, cov_off), (calls_on, counts_on, row_on, cov_on) = results[False], results[True]
    assert calls_off == 40 and calls_on == 10  # once per second of video
    assert counts_on == counts_off == [1] * 40
    assert (
        row_on.count_sum == row_off.count_sum and row_on.seconds_staffed == row_off.seconds_staffed >= 7.5
    )  # staffed once debounced
    assert (cov_on.frames_analysed, cov_on.frames_detected) == (40, 10)
    assert (cov_off.frames_analysed, cov_off.frames_detected) == (40, 40)


def test_on_real_footage_the_gate_changes_no_count_and_saves_detector_calls() -> None:
    """The default detector on the first 30 s of a real clip (4 fps), gate on and off: the same count in
    every zone on every frame, with the detector run on fewer frames."""
    if not (MODEL_DIR / "yolox_nano_416_coco.onnx").is_file() or not ONE_BY_ONE.is_file():
        pytest.skip(f"model or footage not found under {MODEL_DIR} / {ONE_BY_ONE.parent}")
    runs = {}
    for gate_on in (False, True):
        cfg = config(gate_on, str(ONE_BY_ONE))
        cam = cfg.cameras[0]
        pipeline = build_pipeline(cfg, cam, MODEL_DIR)
        counts = [pipeline.process_frame(f).counts for f in islice(FileSource(cam.id, ONE_BY_ONE, 4, start=T0), 120)]
        runs[gate_on] = (counts, pipeline.frames_detected)
    assert runs[True][0] == runs[False][0]
    assert runs[False][1] == 120 and runs[True][1] < 120
