"""What staff classification, the journey and the greeting stage add per camera (not a test).

Usage: PYTHONPATH=. .venv/bin/python bench/stage_cost.py [--frames 300] [--repeat 5]

The counter clip of the example cameras.yaml (intel_one-by-one-person-detection.mp4) is decoded once
and the real detector (yolox_nano_416) run on every frame once. The person at the table stands for
the counter's staff (the table is the staff zone here) and a scripted customer box walks up to the
counter every 30 s and stays 20 s (the clip shows one person at a time, so nobody would arrive
otherwise; the pose model's cost does not depend on what the box shows). The detections are then
replayed, so each configuration times the same work apart from the stages it switches on: the base
pipeline (tracking, zones, minutes, rules), + staff classification (cameras[].staff) and the journey
(cameras[].journey), + greetings (MoveNet on the staff zone's people,
cameras[].behaviour). Configurations are interleaved over the repeats; medians of ms per analysed
frame are printed, with the detector's own ms per frame for scale and the cameras per core that
follow at 5 fps (detector + stages), and the peak memory each run allocated (tracemalloc).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from cvmon.config import parse_config
from cvmon.detectors.base import create_detector
from cvmon.detectors.pose_backend import OnnxPoseEstimator
from cvmon.figures import ZoneFigures, total
from cvmon.pipeline.camera import CameraPipeline
from cvmon.sources.file import FileSource
from cvmon.types import Detections, Frame

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
FOOTAGE = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
FPS = 5.0
RESULTS: dict[bool, ZoneFigures] = {}  # the last run's figures, with and without greetings


class CachedDetector:
    """Replays the real detector's detections of each frame (by frame index), with the scripted customer."""

    name = "cached"

    def __init__(self, found: dict[int, Detections]) -> None:
        self.found = found

    def detect(self, frame: Frame) -> Detections:
        return self.found[frame.index]


def customer_box(t: float, width: int, height: int) -> list[float] | None:
    """The scripted customer: from the left edge into the counter zone every 30 s, 20 s there, then away."""
    phase = t % 30.0
    if phase > 24.0:
        return None
    x = 0.05 + min(phase, 2.0) / 2.0 * 0.12 if phase < 22.0 else 0.17 - (phase - 22.0) / 2.0 * 0.12
    feet_x, feet_y, h = x * width, 0.95 * height, 0.45 * height
    return [feet_x - 0.2 * h, feet_y - h, feet_x + 0.2 * h, feet_y]


def with_customer(found: Detections, t: float, width: int, height: int) -> Detections:
    box = customer_box(t, width, height)
    if box is None:
        return found
    return Detections(
        xyxy=np.vstack([found.xyxy, np.array([box], np.float32)]),
        confidence=np.append(found.confidence, np.float32(0.9)),
        class_id=np.append(found.class_id, 0),
    )


def example_config(extra: dict[str, Any]) -> Any:
    """The example counter camera on the shared clip with the table as the staff side and the customer side
    where the scripted customer stands, with ``extra`` merged into it."""
    data = yaml.safe_load((ROOT / "cameras.yaml").read_text())
    source = next(c for c in data["cameras"] if c["id"] == "ampenan-loket")
    table = source["zones"][0]["points"]
    camera = {
        "id": "bench-loket",
        "unit": source["unit"],
        "source": str(FOOTAGE / "intel_one-by-one-person-detection.mp4"),
        "zones": [
            {"id": "meja", "kind": "counter_staff", "counter": "depan", "points": table},
            {
                "id": "depan",
                "kind": "counter_customer",
                "points": [[0.10, 0.80], [0.30, 0.80], [0.30, 1.0], [0.10, 1.0]],
            },
            {"id": "lorong", "kind": "queue", "points": [[0.0, 0.80], [0.10, 0.80], [0.10, 1.0], [0.0, 1.0]]},
        ],
        **copy.deepcopy(extra),
    }
    data["cameras"] = [camera]
    data["defaults"]["motion_gate"] = {"enabled": False}  # every frame through the stages
    return parse_config(data)


JOURNEY = {"steps": [{"zones": ["lorong"]}, {"zones": ["depan"]}], "abandon_min_s": 30}
CONFIGS: dict[str, dict[str, Any]] = {
    "base": {},
    "+ staff, journey": {"staff": {"enabled": True}, "journey": JOURNEY},
    "+ staff, journey, greetings": {"staff": {"enabled": True}, "journey": JOURNEY, "behaviour": {"enabled": True}},
}


def run(config: Any, frames: list[Frame], detector: CachedDetector, traced: bool = False) -> tuple[float, int, int]:
    """ms per frame of the pipeline over the frames; pose estimates run; with ``traced``, the peak of the
    Python and numpy memory the run allocated (kB; the run is then slower and its time not used)."""
    camera = config.cameras[0]
    pose = OnnxPoseEstimator(camera.behaviour.pose, MODEL_DIR) if camera.behaviour else None
    if traced:
        tracemalloc.start()
    pipeline = CameraPipeline(config, camera, detector, pose)
    t = time.perf_counter()
    for frame in frames:
        pipeline.process_frame(frame)
    pipeline.finish(close_alerts=True)
    rows, _ = pipeline.pop_rows(None)
    ms = (time.perf_counter() - t) * 1000 / len(frames)
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
    greeted = total(r.figures for r in rows)
    RESULTS[config.cameras[0].behaviour is not None] = greeted
    return ms, pipeline.greeting.estimates, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = example_config({})
    camera = base.cameras[0]
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 WITA, a Monday: service hours
    frames = [f for f in FileSource(camera.id, camera.source, FPS, start=start) if isinstance(f, Frame)]
    frames = frames[: args.frames]
    detector = create_detector(base.detector_for(camera), MODEL_DIR)
    detector.detect(frames[0])
    found, det_ms = {}, []
    for frame in frames:
        t = time.perf_counter()
        real = detector.detect(frame)
        det_ms.append((time.perf_counter() - t) * 1000)
        found[frame.index] = with_customer(real, frame.video_s, frame.width, frame.height)
    cached = CachedDetector(found)
    configs = {name: example_config(extra) for name, extra in CONFIGS.items()}
    times: dict[str, list[float]] = {name: [] for name in configs}
    estimates: dict[str, int] = {}
    memory: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, config in configs.items():
            ms, estimates[name], _ = run(config, frames, cached)
            times[name].append(ms)
    for name, config in configs.items():
        memory[name] = run(config, frames, cached, traced=True)[2]
    detector_ms = statistics.median(det_ms)
    base_ms = statistics.median(times["base"])
    print(f"{len(frames)} frames at {FPS:g} fps, detector median {detector_ms:.1f} ms/frame, {args.repeat} repeats")
    header = ("configuration", "stages ms/frame", "vs base", "pose runs", "cameras/core", "peak kB")
    print(f"{header[0]:32} {header[1]:>16} {header[2]:>8} {header[3]:>9} {header[4]:>13} {header[5]:>8}")
    base_per_core = 1000 / (FPS * (detector_ms + base_ms))
    for name in configs:
        ms = statistics.median(times[name])
        per_core = 1000 / (FPS * (detector_ms + ms))
        print(
            f"{name:32} {ms:16.2f} {ms / base_ms:8.2f} {estimates[name]:9d} "
            f"{per_core:8.2f} ({per_core / base_per_core:4.0%}) {memory[name]:8d}"
        )
    g = RESULTS[True]
    print(
        f"greetings judged: {g.greet_arrivals} arrivals, {g.greeted} greeted, {g.greet_missed} not greeted, "
        f"{g.greet_unseen} not visible (the table hides the hips: the honest answer is mostly not visible)"
    )


if __name__ == "__main__":
    main()
