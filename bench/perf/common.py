"""Paths, the cache of generated clips and models, the bench camera, statistics and process stats."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
SHARED = ROOT.parent / "shared"
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
FOOTAGE_DIR = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
SOURCE_CLIP = FOOTAGE_DIR / "intel_one-by-one-person-detection.mp4"
ANNOTATIONS = ROOT / "fixtures" / "annotations" / "counts.yaml"
CACHE_DIR = Path(os.environ.get("CVMON_BENCH_CACHE", Path.home() / ".cache" / "cvmon-bench"))

# The bench camera's zones (relative coordinates), as in bench/bench_pipeline.py, plus one small
# privacy mask away from the table so that the masking stage is part of what is measured.
ZONES: list[dict[str, Any]] = [
    {"id": "q", "kind": "queue", "points": [[0, 0.5], [0.5, 0.5], [0.5, 1], [0, 1]]},
    {"id": "t", "kind": "counter_customer", "points": [[0.4, 0.74], [0.72, 0.74], [0.74, 0.95], [0.38, 0.95]]},
]
PRIVACY_MASKS: list[dict[str, Any]] = [{"points": [[0.0, 0.0], [0.12, 0.0], [0.12, 0.08], [0.0, 0.08]]}]


def ultralytics_env() -> dict[str, str]:
    """Environment that keeps Ultralytics offline: no downloads, no installs, settings in the cache."""
    return {
        "YOLO_OFFLINE": "1",
        "YOLO_AUTOINSTALL": "0",
        "YOLO_VERBOSE": "False",
        "YOLO_CONFIG_DIR": os.environ.get("YOLO_CONFIG_DIR", str(CACHE_DIR / "ultralytics-config")),
    }


def camera_config(
    clip: Path, fps: float, detector: dict[str, Any] | None = None, motion_gate: bool | None = None
) -> Any:
    """A one-camera cvmon Config on ``clip`` with the bench zones (imports cvmon lazily); ``motion_gate``
    None keeps cvmon's default."""
    from cvmon.config import parse_config

    defaults: dict[str, Any] = {"analysis_fps": fps}
    if detector:
        defaults["detector"] = detector
    if motion_gate is not None:
        defaults["motion_gate"] = {"enabled": motion_gate}
    return parse_config(
        {
            "units": [{"id": "u", "name": "U", "level": "ulp"}],
            "defaults": defaults,
            "cameras": [{"id": "c", "unit": "u", "source": str(clip), "zones": ZONES, "privacy_masks": PRIVACY_MASKS}],
        }
    )


def detector_dict(spec: dict[str, Any], threads: int | None = None) -> dict[str, Any]:
    """The ``detector:`` block of a cvmon config for a bench detector spec."""
    out: dict[str, Any] = {"type": spec.get("type", "onnx"), "model": spec["model"]}
    for key in ("layout", "input_size"):
        if spec.get(key) is not None:
            out[key] = spec[key]
    if threads is not None:
        out["threads"] = threads
    return out


def median(values: Sequence[float]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(statistics.median(vals)) if vals else None


def spread(values: Sequence[float]) -> tuple[float | None, float | None]:
    vals = [v for v in values if v is not None]
    return (min(vals), max(vals)) if vals else (None, None)


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# -- the 1080p 25 fps clip ----------------------------------------------------------------------


def make_hd_clip(
    seconds: float | None,
    width: int = 1920,
    height: int = 1080,
    fps: int = 25,
    bit_rate: int = 4_000_000,
    gop: int = 50,
    source: Path = SOURCE_CLIP,
    cache: Path = CACHE_DIR,
    bframes: int = 0,
) -> Path:
    """An H.264 re-encoding of ``source`` at ``width`` x ``height`` (cached): ``seconds`` from the
    start, or all of it.

    The 10 fps source is turned into 25 fps by blending the two neighbouring source frames, so that
    every frame differs as in a real 25 fps camera (repeated frames would decode unrealistically
    cheaply). Encoded like a typical CCTV main stream: x264, yuv420p, constant ~4 Mbit/s, a key
    frame every 2 s, no B-frames (``bframes`` > 0 for a copy with B-frames, x264's other defaults
    kept: adaptive placement, B-pyramid). The sub-stream clip is the same at 640x360 and a lower
    bit rate (``SUB_STREAM``).
    """
    import av
    import cv2
    import numpy as np

    tag = f"{int(seconds)}s" if seconds else "full"
    if bit_rate != 4_000_000:
        tag += f"_{bit_rate // 1000}k"
    if bframes:
        tag += f"_b{bframes}"
    out = cache / "clips" / f"{source.stem}_{width}x{height}_{fps}fps_{tag}.mp4"
    if out.is_file() and out.stat().st_size > 0:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(source)) as c:
        src_fps = float(c.streams.video[0].average_rate or 10)
        src = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]
    total_s = len(src) / src_fps
    n_out = int(min(seconds or total_s, total_s) * fps)
    tmp = out.with_suffix(".part.mp4")
    t0 = time.perf_counter()
    with av.open(str(tmp), mode="w") as oc:
        stream = oc.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = bit_rate
        stream.options = {
            "preset": "veryfast",
            "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes={bframes}:vbv-maxrate={bit_rate // 1000}:"
            f"vbv-bufsize={bit_rate // 1000}",
        }
        for k in range(n_out):
            s = k * src_fps / fps
            i = min(int(s), len(src) - 1)
            j = min(i + 1, len(src) - 1)
            w = s - int(s)
            img = src[i] if w < 1e-6 else cv2.addWeighted(src[i], 1 - w, src[j], w, 0)
            shrink = width < img.shape[1]
            img = cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="bgr24")
            frame.pts = k
            for packet in stream.encode(frame):
                oc.mux(packet)
        for packet in stream.encode():
            oc.mux(packet)
    tmp.replace(out)
    print(f"  made {out} ({n_out} frames) in {time.perf_counter() - t0:.0f} s", flush=True)
    return out


# A camera's sub-stream: 640x360 at 25 fps and about 0.5 Mbit/s, as cameras' second streams usually
# default to; same footage, same key-frame interval.
SUB_STREAM = (640, 360, 512_000)  # width, height, bit rate
CLIPS = ("1080p", "360p", "1080p-b2")


def named_clip(name: str, seconds: float | None) -> Path:
    """The bench clips by name: ``1080p`` (main stream), ``360p`` (sub-stream), ``1080p-b2`` (main
    stream with 2 B-frames)."""
    if name == "1080p":
        return make_hd_clip(seconds)
    if name == "360p":
        width, height, bit_rate = SUB_STREAM
        return make_hd_clip(seconds, width=width, height=height, bit_rate=bit_rate)
    if name == "1080p-b2":
        return make_hd_clip(seconds, bframes=2)
    raise ValueError(f"unknown clip {name!r} (one of {', '.join(CLIPS)})")


def trim_clip(seconds: float, source: Path = SOURCE_CLIP, cache: Path = CACHE_DIR) -> Path:
    """The first ``seconds`` of ``source``, stream-copied (no re-encoding), cached."""
    import av

    out = cache / "clips" / f"{source.stem}_first{int(seconds)}s.mp4"
    if out.is_file() and out.stat().st_size > 0:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(source)) as ic, av.open(str(tmp), mode="w") as oc:
        ins = ic.streams.video[0]
        outs = oc.add_stream_from_template(ins)
        tb = float(ins.time_base or 0)
        for packet in ic.demux(ins):
            if packet.dts is None:
                continue
            if packet.pts is not None and packet.pts * tb >= seconds:
                break
            packet.stream = outs
            oc.mux(packet)
    tmp.replace(out)
    return out


def clip_info(path: Path) -> dict[str, Any]:
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        duration = float(s.duration * s.time_base) if s.duration and s.time_base else (c.duration or 0) / 1e6
        return {
            "path": str(path),
            "name": path.name,
            "width": s.codec_context.width,
            "height": s.codec_context.height,
            "fps": float(s.average_rate) if s.average_rate else None,
            "frames": s.frames or None,
            "duration_s": round(duration, 3),
            "codec": s.codec_context.name,
            "bit_rate": c.bit_rate,
        }


# -- YOLO11n (untrained unless weights are given), exported once ---------------------------------


def yolo11n_files(cache: Path = CACHE_DIR) -> dict[str, Path]:
    d = cache / "models"
    return {"pt": d / "yolo11n_bench.pt", "onnx640": d / "yolo11n_640.onnx", "onnx320": d / "yolo11n_320.onnx"}


def export_yolo11n(weights: str | None, cache: Path = CACHE_DIR) -> dict[str, Any]:
    """Build YOLO11n (``yolo11n.yaml``, untrained, seeded) or load ``weights``; save it as .pt and export
    ONNX at 640 and 320 into the cache. Runs under an interpreter that has Ultralytics."""
    import shutil

    import torch
    from ultralytics import YOLO

    files = yolo11n_files(cache)
    files["pt"].parent.mkdir(parents=True, exist_ok=True)
    marker = files["pt"].with_suffix(".source.txt")
    source = str(Path(weights).resolve()) if weights else "yolo11n.yaml (untrained, torch seed 0)"
    if not (files["pt"].is_file() and marker.is_file() and marker.read_text() == source):
        if weights:
            shutil.copyfile(weights, files["pt"])
        else:
            torch.manual_seed(0)
            YOLO("yolo11n.yaml").save(str(files["pt"]))
        marker.write_text(source)
        for key in ("onnx640", "onnx320"):
            files[key].unlink(missing_ok=True)
    for key, size in (("onnx640", 640), ("onnx320", 320)):
        if files[key].is_file():
            continue
        exported = YOLO(str(files["pt"])).export(format="onnx", imgsz=size, simplify=False, dynamic=False)
        Path(exported).replace(files[key])
    return {"source": source, **{k: str(v) for k, v in files.items()}}


# -- process statistics (psutil when installed, else /proc) --------------------------------------


def proc_cpu_s(pid: int) -> float | None:
    """User plus system CPU seconds of a process (all its threads)."""
    try:
        import psutil

        t = psutil.Process(pid).cpu_times()
        return float(t.user + t.system)
    except ImportError:
        pass
    except Exception:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, IndexError, ValueError):
        return None


def proc_memory_mb(pid: int) -> dict[str, float | None]:
    """RSS, PSS (shared pages split between the processes that share them) and USS, in MB."""
    out: dict[str, float | None] = {"rss_mb": None, "pss_mb": None, "uss_mb": None}
    try:
        import psutil

        info = psutil.Process(pid).memory_full_info()
        out["rss_mb"] = info.rss / 1e6
        out["pss_mb"] = getattr(info, "pss", 0) / 1e6 or None
        out["uss_mb"] = getattr(info, "uss", 0) / 1e6 or None
        return out
    except ImportError:
        pass
    except Exception:
        return out
    try:
        values: dict[str, int] = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                values[parts[0][:-1]] = int(parts[1])
        out["rss_mb"] = values.get("Rss", 0) * 1024 / 1e6
        out["pss_mb"] = values.get("Pss", 0) * 1024 / 1e6
        out["uss_mb"] = (values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)) * 1024 / 1e6
    except OSError:
        pass
    return out


def machine_cpu_ticks() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return (total - idle) / ticks, total / ticks
