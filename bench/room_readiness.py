"""Room readiness on generated cases from real frames: detection and false-alarm rates, and the check's cost.

    .venv/bin/python bench/room_readiness.py [--cases 135] [--width 320]

Each case (``bench/room_scenes.py``) is a later empty frame of the one-by-one clip with an object
pasted into a region, the room's table moved, its lighting or noise changed, a real person in it
(boxed by the real detector, ``yolox_nano_416``, down to the evidence score 0.1), the lights off, the
camera moved or the view covered. Every case is checked against the clip's empty frame 30.

Per region: a *detection* is a changed region reported changed; a *false alarm* is a region that
did not change reported changed (regions a paste only grazes are not scored). Per picture: the
condition (ok, lights off, camera moved, covered) against its truth. Cost: milliseconds per check
(median, p90) and the peak memory one check allocates (tracemalloc), on this machine's CPU.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.room_scenes import KINDS, PERSON_FRAMES, REGIONS, frames, make_case, reference
from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import create_detector
from cvmon.types import Frame
from cvmon.types.room import RegionStatus
from cvmon.zones.room_compare import CompareSettings, compare_room

MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", Path(__file__).resolve().parent.parent.parent / "shared" / "models"))


def people_boxes() -> dict[int, np.ndarray]:
    """The real detector's person boxes on the person frames, down to the evidence score."""
    from datetime import UTC, datetime

    detector = create_detector(DetectorConfig(confidence=0.1), MODEL_DIR)
    out = {}
    for index, image in frames(PERSON_FRAMES).items():
        out[index] = detector.detect(Frame("bench", datetime.now(UTC), index, image)).xyxy
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=135, help="cases (seeds 0..n-1), spread over the kinds")
    parser.add_argument("--width", type=int, default=320, help="pixels across the compared pictures")
    args = parser.parse_args()

    settings = CompareSettings(width=args.width)
    ref = reference()
    people = people_boxes()
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    millis: list[float] = []
    peaks: list[float] = []
    for seed in range(args.cases):
        case = make_case(seed, people)
        tracemalloc.start()
        start = time.perf_counter()
        found = compare_room(ref, case.image, case.people_xyxy, REGIONS, settings)
        millis.append((time.perf_counter() - start) * 1000)
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        t = tally[case.kind]
        t["cases"] += 1
        t["condition_right"] += found.condition is case.condition
        if case.condition is not found.condition or case.condition.value != "ok":
            continue
        for region in found.regions:
            if region.region_id in case.unsure:
                continue
            changed = region.status is RegionStatus.CHANGED
            if region.region_id in case.changed:
                t["changed"] += 1
                t["detected"] += changed
            else:
                t["unchanged"] += 1
                t["false_alarms"] += changed
                t["not_visible"] += region.status is RegionStatus.NOT_VISIBLE

    print(f"{args.cases} cases, compared at {args.width} px across, reference: frame 30 of the one-by-one clip")
    print(f"{'kind':<14}{'cases':>6}{'condition ok':>14}{'detected':>12}{'false alarms':>15}{'not visible':>13}")
    total: dict[str, int] = defaultdict(int)
    for kind in KINDS:
        t = tally[kind]
        for key, value in t.items():
            total[key] += value
        print(_row(kind, t))
    print(_row("all", total))
    ms = np.asarray(millis)
    print(
        f"cost per check: median {np.median(ms):.1f} ms, p90 {np.percentile(ms, 90):.1f} ms; "
        f"peak memory allocated by one check: median {np.median(peaks):.2f} MB, max {max(peaks):.2f} MB"
    )


def _row(kind: str, t: dict[str, int]) -> str:
    def rate(num: str, den: str) -> str:
        return f"{t[num]}/{t[den]}" if t[den] else "-"

    return (
        f"{kind:<14}{t['cases']:>6}{rate('condition_right', 'cases'):>14}{rate('detected', 'changed'):>12}"
        f"{rate('false_alarms', 'unchanged'):>15}{rate('not_visible', 'unchanged'):>13}"
    )


if __name__ == "__main__":
    main()
