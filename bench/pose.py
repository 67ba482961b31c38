"""Pose backend speed: ms per person crop (square crop, resize, MoveNet inference, decoding).

Usage: PYTHONPATH=. .venv/bin/python bench/pose.py [--runs N] [--threads T]
Crops are the people yolox_nano_416 finds in intel_one-by-one-person-detection.mp4; the detector's
time is not counted. Prints the median (and 10th / 90th percentiles) of N timed crops after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import av

from cvmon.config.models import DetectorConfig
from cvmon.config.pose import PoseConfig
from cvmon.detectors.onnx_backend import OnnxDetector
from cvmon.detectors.pose_backend import OnnxPoseEstimator

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
CLIP = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage")) / "intel_one-by-one-person-detection.mp4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    detector = OnnxDetector(DetectorConfig(), MODEL_DIR)
    pose = OnnxPoseEstimator(PoseConfig(threads=args.threads), MODEL_DIR)
    crops = []
    with av.open(str(CLIP)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % 10 == 0:
                image = frame.to_ndarray(format="bgr24")
                crops += [(image, tuple(float(v) for v in box)) for box in detector.detect_image(image).xyxy]
    if not crops:
        raise SystemExit(f"no person found in {CLIP}")
    for image, box in crops[:20]:
        pose.estimate(image, box)  # type: ignore[arg-type]
    times = []
    for k in range(args.runs):
        image, box = crops[k % len(crops)]
        start = time.perf_counter()
        pose.estimate(image, box)  # type: ignore[arg-type]
        times.append((time.perf_counter() - start) * 1000)
    deciles = statistics.quantiles(times, n=10)
    print(
        f"{pose.name}, {args.threads} thread(s), {args.runs} crops of {len(crops)} people: "
        f"median {statistics.median(times):.2f} ms per crop (p10 {deciles[0]:.2f}, p90 {deciles[-1]:.2f})"
    )


if __name__ == "__main__":
    main()
