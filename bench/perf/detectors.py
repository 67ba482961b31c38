"""Detector only: ms per frame per backend, model and input size; and person-count error beside it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from perf.common import ANNOTATIONS, FOOTAGE_DIR, MODEL_DIR, detector_dict, median, spread


def count_error(found: int, count: int, partial: int) -> int:
    """0 when the count lies between the full people and full plus partial ones (as in
    tests/accuracy/test_real_footage.py)."""
    if count <= found <= count + partial:
        return 0
    return min(abs(found - count), abs(found - count - partial))


def sample_frames(clip: Path, n: int) -> list[Any]:
    """About ``n`` frames spread over the whole clip, as cvmon Frames (decoded by cvmon's FileSource)."""
    from cvmon.sources.file import FileSource

    probe = FileSource("bench", clip, 1.0)
    duration = probe.info.duration_s or 10.0
    frames = list(FileSource("bench", clip, max(n / duration, 0.01), start=datetime(2026, 1, 1, tzinfo=UTC)))
    return [f for f in frames if hasattr(f, "image")][:n]


def count_mae(detect_count: Any) -> dict[str, Any]:
    """Mean absolute person-count error over the hand-annotated frames (fixtures/annotations/counts.yaml)."""
    import av

    ann = yaml.safe_load(ANNOTATIONS.read_text(encoding="utf-8"))
    per_clip: dict[str, list[int]] = {}
    for clip, info in ann["clips"].items():
        wanted = {f["index"]: (f["count"], f.get("partial", 0)) for f in info["frames"]}
        last = max(wanted)
        with av.open(str(FOOTAGE_DIR / clip)) as container:
            for i, frame in enumerate(container.decode(video=0)):
                if i in wanted:
                    found = detect_count(np.ascontiguousarray(frame.to_ndarray(format="bgr24")))
                    per_clip.setdefault(clip, []).append(count_error(found, *wanted[i]))
                if i >= last:
                    break
    errors = [e for errs in per_clip.values() for e in errs]
    return {
        "mae": round(float(np.mean(errors)), 4) if errors else None,
        "frames": len(errors),
        "exact_share": round(float(np.mean([e == 0 for e in errors])), 4) if errors else None,
        "per_clip_mae": {c: round(float(np.mean(e)), 3) for c, e in per_clip.items()},
    }


def run(params: dict[str, Any]) -> dict[str, Any]:
    """Time ``detect`` on 1080p frames; time the model alone; measure count error (confidence 0.3)."""
    from cvmon.config.models import DetectorConfig
    from cvmon.detectors.base import create_detector
    from cvmon.types import Frame

    spec = params["spec"]
    frames = sample_frames(Path(params["clip"]), params["frames"])
    config = DetectorConfig(**detector_dict(spec, params.get("threads")), confidence=0.3)
    t = time.perf_counter()
    detector: Any = create_detector(config, MODEL_DIR)
    load_s = time.perf_counter() - t
    for f in frames[:3]:
        detector.detect(f)
    repeat_ms = []
    all_ms: list[float] = []
    for _ in range(params["repeat"]):
        times = []
        for f in frames:
            t = time.perf_counter()
            detector.detect(f)
            times.append((time.perf_counter() - t) * 1000)
        repeat_ms.append(float(np.mean(times)))
        all_ms += times
    out: dict[str, Any] = {
        "key": spec["key"],
        "backend": spec.get("type", "onnx"),
        "model": spec.get("label", spec["model"]),
        "input_size": getattr(detector, "size", spec.get("input_size")),
        "frame_size": f"{frames[0].width}x{frames[0].height}",
        "frames": len(frames),
        "repeats": params["repeat"],
        "load_s": round(load_s, 3),
        "detect_ms_runs": [round(x, 3) for x in repeat_ms],
        "detect_ms": median(repeat_ms),
        "detect_ms_min_max": spread(repeat_ms),
        "detect_ms_p90_frame": float(np.percentile(all_ms, 90)),
        "untrained": bool(spec.get("untrained")),
    }
    if hasattr(detector, "session"):  # onnx: the model alone, on a pre-made tensor
        tensor, _ = detector.layout.preprocess(frames[0].image, detector.size)
        runs = []
        for _ in range(max(10, len(frames))):
            t = time.perf_counter()
            detector.session.run(None, {detector.input_name: tensor})
            runs.append((time.perf_counter() - t) * 1000)
        out["model_ms"] = median(runs)
        pre = []
        for f in frames:
            t = time.perf_counter()
            detector.layout.preprocess(f.image, detector.size)
            pre.append((time.perf_counter() - t) * 1000)
        out["preprocess_ms"] = median(pre)
        out["threads"] = config.threads
    elif hasattr(detector, "model"):  # ultralytics: its own speed record, same predict arguments
        import torch

        speeds: dict[str, list[float]] = {"preprocess": [], "inference": [], "postprocess": []}
        for f in frames:
            res = detector.model.predict(
                f.image, classes=[0], conf=0.3, iou=config.nms_iou, imgsz=detector.size, verbose=False, device="cpu"
            )
            for k in speeds:
                speeds[k].append(float(res[0].speed.get(k, 0.0)))
        out["model_ms"] = median(speeds["inference"])
        out["preprocess_ms"] = median(speeds["preprocess"])
        out["threads"] = torch.get_num_threads()  # what Ultralytics left it at, not what was asked
        out["threads_asked"] = config.threads
        import ultralytics

        out["ultralytics"] = ultralytics.__version__
        out["torch"] = torch.__version__

    def detect_count(image: np.ndarray) -> int:
        frame = Frame(camera_id="acc", ts=datetime(2026, 1, 1, tzinfo=UTC), index=0, image=image)
        return len(detector.detect(frame))

    out["accuracy"] = count_mae(detect_count)
    return out


def session_options(params: dict[str, Any]) -> dict[str, Any]:
    """detect() with the session built as cvmon builds it, but ``threads`` intra-op threads and, when
    ``spinning`` is given, ``session.intra_op.allow_spinning`` set to it ("0": pool threads sleep
    instead of spinning between runs). Wall and CPU (process_time: every thread of this process)
    milliseconds per frame, median over repeats; and the same for the model alone."""
    import onnxruntime as ort

    from cvmon.config.models import DetectorConfig
    from cvmon.detectors.base import create_detector

    spec = params["spec"]
    frames = sample_frames(Path(params["clip"]), params["frames"])
    threads = int(params["threads"])
    config = DetectorConfig(**detector_dict(spec, threads), confidence=0.3)
    detector: Any = create_detector(config, MODEL_DIR)
    options = ort.SessionOptions()  # as cvmon.detectors.onnx_backend.OnnxDetector, plus the option tried
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if params.get("spinning") is not None:
        options.add_session_config_entry("session.intra_op.allow_spinning", str(params["spinning"]))
    providers = [p for p in ort.get_available_providers() if p == "CPUExecutionProvider"]
    detector.session = ort.InferenceSession(str(detector.path), sess_options=options, providers=providers)
    for f in frames[:3]:
        detector.detect(f)
    tensor, _ = detector.layout.preprocess(frames[0].image, detector.size)
    wall, cpu, model_wall, model_cpu = [], [], [], []
    for _ in range(params["repeat"]):
        t, c = time.perf_counter(), time.process_time()
        for f in frames:
            detector.detect(f)
        wall.append(1000 * (time.perf_counter() - t) / len(frames))
        cpu.append(1000 * (time.process_time() - c) / len(frames))
        t, c = time.perf_counter(), time.process_time()
        for _ in frames:
            detector.session.run(None, {detector.input_name: tensor})
        model_wall.append(1000 * (time.perf_counter() - t) / len(frames))
        model_cpu.append(1000 * (time.process_time() - c) / len(frames))
    return {
        "key": spec["key"],
        "model": spec.get("label", spec["model"]),
        "threads": threads,
        "spinning": params.get("spinning") or "default",
        "frames": len(frames),
        "repeats": params["repeat"],
        "detect_ms": median(wall),
        "detect_cpu_ms": median(cpu),
        "detect_ms_min_max": spread(wall),
        "model_ms": median(model_wall),
        "model_cpu_ms": median(model_cpu),
    }
