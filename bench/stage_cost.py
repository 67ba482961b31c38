"""What staff classification, the journey and the greeting stage add per camera (not a test).

Usage: PYTHONPATH=. .venv/bin/python bench/stage_cost.py [--frames 300] [--repeat 5]

The counter clip of the example cameras.yaml (intel_one-by-one-person-detection.mp4, a person at the
table = a counter, people walking by) is decoded once and the real detector (yolox_nano_416) run on
every frame once; its detections are then replayed, so each configuration times the same work apart
from the stages it switches on: the base pipeline (tracking, zones, minutes, rules), + staff
classification (cameras[].staff) and the journey (cameras[].journey), + greetings (MoveNet on the
staff zone's people, cameras[].behaviour). Configurations are interleaved over the repeats; medians
of ms per analysed frame are printed, with the detector's own ms per frame for scale and the cameras
per core that follow at 5 fps (detector + stages), and the peak memory each run allocated (tracemalloc).
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

import yaml

from cvmon.config import parse_config
from cvmon.detectors.base import create_detector
from cvmon.detectors.pose_backend import OnnxPoseEstimator
from cvmon.pipeline.camera import CameraPipeline
from cvmon.sources.file import FileSource
from cvmon.types import Detections, Frame

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
FOOTAGE = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
FPS = 5.0


class CachedDetector:
    """Replays the real detector's detections of each frame (by frame index)."""

    name = "cached"

    def __init__(self, found: dict[int, Detections]) -> None:
        self.found = found

    def detect(self, frame: Frame) -> Detections:
        return self.found[frame.index]


def example_config(extra: dict[str, Any]) -> Any:
    """The example cameras.yaml's counter camera on the shared clip, with ``extra`` merged into it."""
    data = yaml.safe_load((ROOT / "cameras.yaml").read_text())
    camera = next(c for c in data["cameras"] if c["id"] == "ampenan-loket")
    camera = {**copy.deepcopy(camera), **extra, "source": str(FOOTAGE / "intel_one-by-one-person-detection.mp4")}
    data["cameras"] = [camera]
    data["defaults"]["motion_gate"] = {"enabled": False}  # every frame through the stages
    return parse_config(data)


JOURNEY = {"steps": [{"zones": ["loket-queue"]}, {"zones": ["loket-1-customer"]}], "abandon_min_s": 30}
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
    pipeline.pop_rows(None)
    ms = (time.perf_counter() - t) * 1000 / len(frames)
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
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
        found[frame.index] = detector.detect(frame)
        det_ms.append((time.perf_counter() - t) * 1000)
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
    print(
        f"{'configuration':32} {'stages ms/frame':>16} {'vs base':>8} {'pose runs':>9} {'cameras/core':>13} {'RSS +kB':>8}"
    )
    base_per_core = 1000 / (FPS * (detector_ms + base_ms))
    for name in configs:
        ms = statistics.median(times[name])
        per_core = 1000 / (FPS * (detector_ms + ms))
        print(
            f"{name:32} {ms:16.2f} {ms / base_ms:8.2f} {estimates[name]:9d} "
            f"{per_core:8.2f} ({per_core / base_per_core:4.0%}) {memory[name]:8d}"
        )


if __name__ == "__main__":
    main()
