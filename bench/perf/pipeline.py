"""One camera end to end (cvmon's own runner on a file, no database) and where its time goes."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perf.common import MODEL_DIR, camera_config, clip_info, detector_dict, median, spread

START = datetime(2026, 1, 1, tzinfo=UTC)


def _pipeline(clip: Path, fps: float, detector: dict[str, Any] | None) -> tuple[Any, Any]:
    from cvmon.pipeline.runner import build_pipeline
    from cvmon.sources.file import FileSource

    config = camera_config(clip, fps, detector)
    cam = config.cameras[0]
    return build_pipeline(config, cam, MODEL_DIR), FileSource(cam.id, clip, fps, start=START)


def end_to_end(clip: Path, fps: float, detector: dict[str, Any] | None) -> dict[str, float]:
    """Wall time, CPU time (all threads of this process) and frames of one ``process_recording``."""
    import numpy as np

    from cvmon.pipeline.runner import process_recording
    from cvmon.types import Frame

    pipeline, source = _pipeline(clip, fps, detector)
    blank = np.zeros((source.info.height, source.info.width, 3), np.uint8)
    pipeline.detector.detect(Frame("warm-up", START, 0, blank))  # first run of the model: not timed
    cpu = time.process_time()
    t = time.perf_counter()
    result = process_recording(pipeline, source, None)
    wall = time.perf_counter() - t
    cpu = time.process_time() - cpu
    frames = int(result.summary["frames_analysed"])  # type: ignore[call-overload]
    duration = source.info.duration_s or 0.0
    return {"wall_s": wall, "cpu_s": cpu, "analysed": frames, "video_s": duration}


class _Timer:
    """Accumulates seconds per named stage."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.total[name] += time.perf_counter() - t

        return timed


class _Proxy:
    """Forwards every attribute to ``target`` except the methods replaced by timed ones."""

    def __init__(self, target: Any, **methods: Callable[..., Any]) -> None:
        self._target = target
        self.__dict__.update(methods)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


def decode_profile(clip: Path, fps: float) -> dict[str, float]:
    """Decode every frame as cvmon's FileSource does (threaded) and convert the sampled ones to BGR:
    seconds spent decoding, converting, and the frame counts."""
    import av

    from cvmon.sources.base import FrameSampler

    sampler = FrameSampler(fps)
    decode_s = convert_s = decode_cpu_s = 0.0
    decoded = converted = 0
    with av.open(str(clip)) as c:
        stream = c.streams.video[0]
        stream.thread_type = "AUTO"
        it = iter(c.decode(stream))
        t0: float | None = None
        while True:
            t, c = time.perf_counter(), time.process_time()
            try:
                frame = next(it)
            except StopIteration:
                break
            decode_s += time.perf_counter() - t
            decode_cpu_s += time.process_time() - c  # all threads of the process (FFmpeg's too)
            decoded += 1
            ft = float(frame.time or 0.0)
            t0 = ft if t0 is None else t0
            if sampler.take(ft - t0):
                t = time.perf_counter()
                frame.to_ndarray(format="bgr24")
                convert_s += time.perf_counter() - t
                converted += 1
    return {
        "decode_s": decode_s,
        "decode_cpu_s": decode_cpu_s,
        "convert_s": convert_s,
        "decoded": decoded,
        "converted": converted,
    }


def profile(clip: Path, fps: float, detector: dict[str, Any] | None) -> dict[str, Any]:
    """One instrumented end-to-end run: ms per analysed frame in each stage."""
    from cvmon.pipeline.runner import process_recording

    pipeline, source = _pipeline(clip, fps, detector)
    timer = _Timer()
    det = pipeline.detector
    if hasattr(det, "session") and hasattr(det, "layout"):
        det.layout = _Proxy(det.layout, preprocess=timer.wrap("preprocess", det.layout.preprocess))
        det.session = _Proxy(det.session, run=timer.wrap("model", det.session.run))
    pipeline.detector = _Proxy(det, detect=timer.wrap("detect", det.detect))
    pipeline.tracker = _Proxy(pipeline.tracker, update=timer.wrap("tracking", pipeline.tracker.update))
    pipeline.process_frame = timer.wrap("process_frame", pipeline.process_frame)

    class TimedSource:
        camera_id = source.camera_id

        def __iter__(self) -> Iterator[Any]:
            it = iter(source)
            while True:
                t = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    timer.total["source"] += time.perf_counter() - t
                yield item

        def close(self) -> None:
            source.close()

    t = time.perf_counter()
    result = process_recording(pipeline, TimedSource(), None)
    wall = time.perf_counter() - t
    n = int(result.summary["frames_analysed"])  # type: ignore[call-overload]
    dec = decode_profile(clip, fps)
    tot = timer.total
    ms = {k: 1000 * v / n for k, v in tot.items()}
    out = {
        "analysed": n,
        "decoded": dec["decoded"],
        "wall_ms_per_analysed": 1000 * wall / n,
        # decoding of every frame (also those not analysed), charged to the analysed ones
        "decode_ms_per_analysed": 1000 * dec["decode_s"] / n,
        "decode_ms_per_frame": 1000 * dec["decode_s"] / max(dec["decoded"], 1),
        "decode_cpu_ms_per_frame": 1000 * dec["decode_cpu_s"] / max(dec["decoded"], 1),
        "convert_ms_per_analysed": 1000 * dec["convert_s"] / max(dec["converted"], 1),
        "source_ms_per_analysed": ms.get("source", 0.0),
        "preprocess_ms": ms.get("preprocess"),
        "model_ms": ms.get("model"),
        "detect_ms": ms.get("detect", 0.0),
        "tracking_ms": ms.get("tracking", 0.0),
        "process_frame_ms": ms.get("process_frame", 0.0),
    }
    if out["preprocess_ms"] is not None and out["model_ms"] is not None:
        out["postprocess_ms"] = out["detect_ms"] - out["preprocess_ms"] - out["model_ms"]
    out["rest_ms"] = out["process_frame_ms"] - out["detect_ms"] - out["tracking_ms"]
    out["runner_ms"] = out["wall_ms_per_analysed"] - out["process_frame_ms"] - out["source_ms_per_analysed"]
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


def run(params: dict[str, Any]) -> dict[str, Any]:
    clip = Path(params["clip"])
    fps = float(params["fps"])
    detector = detector_dict(params["detector"], params.get("threads")) if params.get("detector") else None
    runs = [end_to_end(clip, fps, detector) for _ in range(params["repeat"])]
    fps_runs = [r["analysed"] / r["wall_s"] for r in runs]
    rt_runs = [r["video_s"] / r["wall_s"] for r in runs]
    cores = [r["cpu_s"] / r["wall_s"] for r in runs]
    cpu_per_video_s = [r["cpu_s"] / r["video_s"] for r in runs]
    out: dict[str, Any] = {
        "clip": clip_info(clip),
        "analysis_fps": fps,
        "detector": detector or "default (yolox_nano_416)",
        "repeats": params["repeat"],
        "analysed": runs[0]["analysed"],
        "analysed_fps_runs": [round(x, 2) for x in fps_runs],
        "analysed_fps": median(fps_runs),
        "analysed_fps_min_max": spread(fps_runs),
        "x_realtime": median(rt_runs),
        "cores_used": median(cores),
        "cpu_s_per_video_s": median(cpu_per_video_s),
    }
    if params.get("profile", True):
        out["profile"] = profile(clip, fps, detector)
    return out
