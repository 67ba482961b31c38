"""Benchmark of the core pipeline on one clip: decode, inference, end to end (not a test).

Usage: .venv/bin/python bench/bench_pipeline.py [--clip PATH] [--fps 5] [--repeat 3]
Prints medians over the repeats. Needs CVMON_MODEL_DIR (or ../shared/models) and the clip.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import av
import onnxruntime

from cvmon.config import parse_config
from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import create_detector
from cvmon.pipeline.runner import build_pipeline, process_recording
from cvmon.sources.file import FileSource

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
CLIP = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage")) / "intel_one-by-one-person-detection.mp4"


def decode_ms_per_frame(clip: Path) -> tuple[float, float, int]:
    """Decode every frame (no conversion); and decode plus BGR conversion. Returns ms/frame both ways."""
    with av.open(str(clip)) as c:
        c.streams.video[0].thread_type = "AUTO"
        t = time.perf_counter()
        n = sum(1 for _ in c.decode(video=0))
        plain = (time.perf_counter() - t) * 1000 / n
    with av.open(str(clip)) as c:
        c.streams.video[0].thread_type = "AUTO"
        t = time.perf_counter()
        for frame in c.decode(video=0):
            frame.to_ndarray(format="bgr24")
        converted = (time.perf_counter() - t) * 1000 / n
    return plain, converted, n


def inference_ms_per_frame(clip: Path, model: str, fps: float) -> float:
    detector = create_detector(DetectorConfig(model=model), MODEL_DIR)
    frames = [f for f in FileSource("bench", clip, fps)][:100]
    detector.detect(frames[0])
    times = []
    for f in frames:
        t = time.perf_counter()
        detector.detect(f)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def end_to_end(clip: Path, model: str, fps: float) -> tuple[float, float, int]:
    """Analysed frames per second and times faster than real time, whole pipeline, no database."""
    config = parse_config(
        {
            "units": [{"id": "u", "name": "U", "level": "ulp"}],
            "defaults": {"analysis_fps": fps, "detector": {"model": model}},
            "cameras": [
                {
                    "id": "c",
                    "unit": "u",
                    "source": str(clip),
                    "zones": [
                        {"id": "q", "kind": "queue", "points": [[0, 0.5], [0.5, 0.5], [0.5, 1], [0, 1]]},
                        {
                            "id": "t",
                            "kind": "counter_customer",
                            "points": [[0.4, 0.74], [0.72, 0.74], [0.74, 0.95], [0.38, 0.95]],
                        },
                    ],
                }
            ],
        }
    )
    cam = config.cameras[0]
    pipeline = build_pipeline(config, cam, MODEL_DIR)
    source = FileSource(cam.id, clip, fps, start=datetime(2026, 1, 1, tzinfo=UTC))
    t = time.perf_counter()
    result = process_recording(pipeline, source, None)
    wall = time.perf_counter() - t
    frames = int(result.summary["frames_analysed"])  # type: ignore[call-overload]
    duration = source.info.duration_s or 0.0
    return frames / wall, duration / wall, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clip", type=Path, default=CLIP)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default="yolox_nano_416")
    args = parser.parse_args()

    decode, convert, e2e_fps, realtime = [], [], [], []
    infer = []
    for _ in range(args.repeat):
        d, c, n = decode_ms_per_frame(args.clip)
        decode.append(d)
        convert.append(c)
        infer.append(inference_ms_per_frame(args.clip, args.model, args.fps))
        f, r, analysed = end_to_end(args.clip, args.model, args.fps)
        e2e_fps.append(f)
        realtime.append(r)
    med = statistics.median
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"onnxruntime {onnxruntime.__version__}, PyAV {av.__version__}"
    )
    print(
        f"clip: {args.clip.name} ({n} frames), analysis at {args.fps:g} fps ({analysed} frames), "
        f"model {args.model}, {args.repeat} runs, medians"
    )
    print(f"{'measure':44} {'median':>10}")
    print(f"{'decode, ms/frame (no conversion)':44} {med(decode):10.2f}")
    print(f"{'decode + BGR conversion, ms/frame':44} {med(convert):10.2f}")
    print(f"{'inference, ms/frame':44} {med(infer):10.2f}")
    print(f"{'end to end, analysed frames/s':44} {med(e2e_fps):10.1f}")
    print(f"{'end to end, times faster than real time':44} {med(realtime):10.1f}")
    print(f"{'ratio: sampled conversion saves, %':44} {100 * (1 - med(decode) / med(convert)):10.0f}")


if __name__ == "__main__":
    main()
