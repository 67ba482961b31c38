"""Side by side on the same clip: cvmon, Ultralytics' QueueManager, and a naive decode-and-detect loop.

Every tool is timed from its first frame to its last, its model already loaded (model loading and
one warm-up frame are left out for all three).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from perf.common import MODEL_DIR, ZONES, clip_info, detector_dict, median


def _summary(tool: str, runs: list[dict[str, float]], fps_src: float, extra: dict[str, Any]) -> dict[str, Any]:
    for r in runs:
        r["video_s"] = r["decoded"] / fps_src
    return {
        "tool": tool,
        "repeats": len(runs),
        "decoded": runs[0]["decoded"],
        "analysed": runs[0]["analysed"],
        "wall_s_runs": [round(r["wall_s"], 3) for r in runs],
        "wall_s": median([r["wall_s"] for r in runs]),
        "analysed_fps": median([r["analysed"] / r["wall_s"] for r in runs]),
        "video_fps": median([r["decoded"] / r["wall_s"] for r in runs]),
        "x_realtime": median([r["video_s"] / r["wall_s"] for r in runs]),
        **extra,
    }


def cvmon_run(params: dict[str, Any]) -> dict[str, Any]:
    """cvmon's own runner on the file: sampled decoding, detection, tracking, zones, aggregation."""
    from perf.pipeline import end_to_end

    clip = Path(params["clip"])
    info = clip_info(clip)
    det = detector_dict(params["detector"], params.get("threads"))
    runs = []
    for _ in range(params["repeat"]):
        r = end_to_end(clip, params["fps"], det)
        runs.append({"wall_s": r["wall_s"], "analysed": r["analysed"], "decoded": info["frames"] or 0})
    return _summary("cvmon", runs, info["fps"], {"model": params["detector"]["key"], "threads": det.get("threads", 2)})


def naive_run(params: dict[str, Any]) -> dict[str, Any]:
    """cv2.VideoCapture reads (decodes and converts) every frame; the detector runs on every frame,
    or on every k-th frame when ``analysis_fps`` is given (the naive way to sample)."""
    import cv2

    from cvmon.config.models import DetectorConfig
    from cvmon.detectors.base import create_detector

    clip = Path(params["clip"])
    info = clip_info(clip)
    det: Any = create_detector(DetectorConfig(**detector_dict(params["detector"], params.get("threads"))), MODEL_DIR)
    every = max(1, round(info["fps"] / params["analysis_fps"])) if params.get("analysis_fps") else 1
    cap = cv2.VideoCapture(str(clip))
    ok, img = cap.read()
    det.detect_image(img)  # warm-up
    cap.release()
    runs = []
    for _ in range(params["repeat"]):
        cap = cv2.VideoCapture(str(clip))
        decoded = analysed = 0
        t = time.perf_counter()
        while True:
            ok, img = cap.read()
            if not ok:
                break
            if decoded % every == 0:
                det.detect_image(img)
                analysed += 1
            decoded += 1
        wall = time.perf_counter() - t
        cap.release()
        runs.append({"wall_s": wall, "analysed": analysed, "decoded": decoded})
    threads = det.session.get_session_options().intra_op_num_threads
    extra = {"model": params["detector"]["key"], "detect_every": every, "threads": threads}
    return _summary("naive loop", runs, info["fps"], extra)


def queue_manager_run(params: dict[str, Any]) -> dict[str, Any]:
    """Ultralytics' QueueManager, fed frames read by cv2.VideoCapture as in its documentation;
    every frame, or every k-th when ``analysis_fps`` is given. ``threads`` None keeps Ultralytics'
    own choice (it sets torch to cpu_count - 1 threads when it selects the CPU)."""
    import cv2

    if params.get("threads"):
        import ultralytics.utils.torch_utils as tu

        tu.NUM_THREADS = int(params["threads"])  # what select_device() hands to torch.set_num_threads
    import torch
    import ultralytics
    from ultralytics import solutions

    clip = Path(params["clip"])
    info = clip_info(clip)
    w, h = info["width"], info["height"]
    region = [(int(x * w), int(y * h)) for x, y in ZONES[0]["points"]]
    every = max(1, round(info["fps"] / params["analysis_fps"])) if params.get("analysis_fps") else 1
    runs = []
    counts: list[int] = []
    for _ in range(params["repeat"]):
        qm = solutions.QueueManager(
            model=params["weights"],
            region=region,
            show=False,
            classes=[0],
            imgsz=params.get("imgsz", 640),
            verbose=False,
        )
        cap = cv2.VideoCapture(str(clip))
        ok, img = cap.read()
        qm(img.copy())  # warm-up: predictor set-up happens on the first call
        cap.release()
        cap = cv2.VideoCapture(str(clip))
        decoded = analysed = 0
        t = time.perf_counter()
        while True:
            ok, img = cap.read()
            if not ok:
                break
            if decoded % every == 0:
                res = qm(img)
                counts.append(int(getattr(res, "queue_count", 0) or 0))
                analysed += 1
            decoded += 1
        wall = time.perf_counter() - t
        cap.release()
        runs.append({"wall_s": wall, "analysed": analysed, "decoded": decoded})
    extra = {
        "model": f"YOLO11n {params.get('imgsz', 640)} (torch)",
        "detect_every": every,
        "threads": torch.get_num_threads(),
        "ultralytics": ultralytics.__version__,
        "torch": torch.__version__,
    }
    return _summary("QueueManager", runs, info["fps"], extra)
