"""cvmon benchmark suite (issue 6): one command, a table of medians and ratios, and a JSON file.

Usage:
    .venv/bin/python bench/run_all.py            # full run (about 40 min on 2 cores)
    .venv/bin/python bench/run_all.py --quick    # smoke run (about 4 min)
    .venv/bin/python bench/run_all.py --sections detectors,e2e --repeat 5
    .venv/bin/python bench/run_all.py --sections capacity --capacity-modes shared --capacity-clip 360p

Sections:
    detectors  detector only, ms per frame on 1080p frames, per backend / model / input size, and the
               person-count error of each on fixtures/annotations/counts.yaml (accuracy beside speed);
               an int8 (static QDQ) copy of YOLOX-Nano beside the float model; onnxruntime session
               options (intra-op threads 1 / 2, allow_spinning), wall and CPU ms per frame
    e2e        one camera end to end (cvmon's runner, no database) on a 1080p 25 fps H.264 clip made
               from ../shared/footage and on the original 768x432 clip, at 5 analysed fps, with a
               profile of where each analysed frame's time goes
    side       side by side on one clip: cvmon, Ultralytics' QueueManager, a naive loop
    decode     PyAV decoding, wall and CPU ms per frame: frame threads vs one thread, skip_loop_filter,
               B-frames with non-reference frames skipped, the 640x360 sub-stream, BGR conversion;
               and what decoding 16 cameras at 25 fps costs in cores
    capacity   cameras (1080p or 360p 25 fps files played in real time, 5 analysed fps) that run with
               lag under 1 s, CPU and memory per camera, in two modes: ``shared`` (as ``cvmon run``
               by default: one process per core, a thread per camera, one single-threaded detector
               per process) and ``process`` (one process per camera)

Generated clips and the exported YOLO11n models are cached in ~/.cache/cvmon-bench (CVMON_BENCH_CACHE).
The parts that need Ultralytics run under ``--ultralytics-python`` (default: this interpreter when it
has ultralytics, else /tmp/ulv/bin/python when it exists); without one they are skipped.
Nothing here asserts a timing; the numbers depend on whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from perf import capacity
from perf.common import (
    CACHE_DIR,
    MODEL_DIR,
    ROOT,
    SOURCE_CLIP,
    clip_info,
    load_average,
    machine_cpu_ticks,
    make_hd_clip,
    named_clip,
    trim_clip,
    ultralytics_env,
    yolo11n_files,
)
from perf.report import print_report

WORKER = Path(__file__).resolve().parent / "perf" / "worker.py"
INT8_SPEC = {
    "key": "onnx yolox_nano_416 int8",
    "type": "onnx",
    "layout": "yolox",
    "label": "yolox_nano_416_int8_qdq.onnx",
}
# decode rows: key, clip, what, threads (decode: 0 = FFmpeg's frame threads; convert: swscale threads,
# None = PyAV's default as cvmon uses it), skip_loop_filter, skip NONREF
DECODE_VARIANTS: list[tuple[str, str, str, int | None, bool, bool]] = [
    ("1080p, frame threads (AUTO, 0)", "1080p", "decode", 0, False, False),
    ("1080p, 1 thread", "1080p", "decode", 1, False, False),
    ("1080p, frame threads, skip_loop_filter=all", "1080p", "decode", 0, True, False),
    ("1080p, 1 thread, skip_loop_filter=all", "1080p", "decode", 1, True, False),
    ("1080p B-frames (bframes=2), 1 thread", "1080p-b2", "decode", 1, False, False),
    ("1080p B-frames, 1 thread, skip_frame=NONREF", "1080p-b2", "decode", 1, False, True),
    ("360p sub-stream, frame threads", "360p", "decode", 0, False, False),
    ("360p sub-stream, 1 thread", "360p", "decode", 1, False, False),
    ("1080p BGR conversion (PyAV default threads)", "1080p", "convert", None, False, False),
    ("1080p BGR conversion, threads=1", "1080p", "convert", 1, False, False),
    ("360p BGR conversion (PyAV default threads)", "360p", "convert", None, False, False),
    ("360p BGR conversion, threads=1", "360p", "convert", 1, False, False),
]
DECODE_CAMERAS = 16  # the target of issue 6: the decode budget of this many cameras
SECTIONS = ("detectors", "e2e", "side", "decode", "capacity")

FULL = {
    "repeat": 3,
    "detector_frames": 60,
    "hd_seconds": 60,
    "side_seconds": 10,
    "original_seconds": None,  # the whole 768x432 clip
    "capacity_trial_s": 60,
    "capacity_warmup_s": 5,
    "capacity_max_trials": 9,
    "capacity_max_cameras": 32,
    "capacity_abort_lag_s": 5.0,
    "capacity_counts": None,  # None: search N = 1, 2, 4, ... then bisect
    "capacity_modes": "shared,process",
}
QUICK = {
    "repeat": 1,
    "detector_frames": 10,
    "hd_seconds": 12,
    "side_seconds": 3,
    "original_seconds": 20,
    "capacity_trial_s": 10,
    "capacity_warmup_s": 3,
    "capacity_max_trials": 2,
    "capacity_max_cameras": 2,
    "capacity_abort_lag_s": 3.0,
    "capacity_counts": [1, 4],  # 4 cameras: two shared processes of 2 cameras on 2 cores
    "capacity_modes": "shared",
}


def find_ultralytics_python(wanted: str | None) -> str | None:
    candidates = [wanted] if wanted else [sys.executable, "/tmp/ulv/bin/python"]
    for py in candidates:
        if py and Path(py).exists():
            probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('ultralytics') is None)"
            ok = subprocess.run([py, "-c", probe], capture_output=True)
            if ok.returncode == 0:
                return py
    return None


def worker_env() -> dict[str, str]:
    env = {**os.environ, **ultralytics_env(), "CVMON_MODEL_DIR": str(MODEL_DIR)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def call(task: str, params: dict[str, Any], python: str = sys.executable, timeout: float = 1800) -> dict[str, Any]:
    """Run one task in a fresh worker process; its JSON result, or {"error": ...}."""
    with tempfile.TemporaryDirectory(prefix="cvmon-bench-") as d:
        out = Path(d) / "out.json"
        m0, r0, t0 = machine_cpu_ticks(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        try:
            proc = subprocess.run(
                [python, str(WORKER), task, json.dumps(params), str(out)],
                capture_output=True,
                text=True,
                env=worker_env(),
                timeout=timeout,
                cwd=str(ROOT),
            )
        except subprocess.TimeoutExpired:
            return {"error": f"{task} timed out after {timeout:.0f} s"}
        try:
            result: dict[str, Any] = json.loads(out.read_text())
        except (OSError, ValueError):
            result = {"error": f"{task} gave no result (exit {proc.returncode})"}
        m1, r1, wall = machine_cpu_ticks(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - t0
        worker = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / wall
        machine = (m1[0] - m0[0]) / wall
        # CPU the rest of the machine used meanwhile: the noise in this measurement
        result["_load"] = {
            "wall_s": round(wall, 1),
            "worker_cores": round(worker, 2),
            "other_cores": round(machine - worker, 2),
        }
        if "error" in result:
            result["stderr_tail"] = (proc.stderr or proc.stdout)[-1500:]
            print(f"  ! {task}: {result['error']}", flush=True)
        return result


def detector_specs(models: dict[str, str] | None, ulpy: str | None, quick: bool) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {"key": "onnx yolox_nano_416", "type": "onnx", "model": "yolox_nano_416"},
        {"key": "onnx nanodet_m_320", "type": "onnx", "model": "nanodet_m_320"},
    ]
    if models:
        untrained = "untrained" in models["source"]
        for size in (640, 320):
            specs.append(
                {
                    "key": f"onnx yolo11n {size}",
                    "type": "onnx",
                    "model": models[f"onnx{size}"],
                    "layout": "ultralytics",
                    "label": f"yolo11n_{size}.onnx",
                    "untrained": untrained,
                }
            )
        if ulpy:
            for size in (640,) if quick else (640, 320):
                specs.append(
                    {
                        "key": f"ultralytics yolo11n {size}",
                        "type": "ultralytics",
                        "model": models["pt"],
                        "input_size": size,
                        "label": "yolo11n_bench.pt",
                        "untrained": untrained,
                        "python": ulpy,
                    }
                )
    return specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer frames, repeats and trials")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    parser.add_argument("--repeat", type=int, help="repeats per measurement (median reported)")
    parser.add_argument("--fps", type=float, default=5.0, help="analysed frames per second")
    parser.add_argument("--ultralytics-python", help="interpreter that has ultralytics (e.g. /tmp/ulv/bin/python)")
    parser.add_argument("--yolo11n-weights", help="trained yolo11n .pt to use instead of untrained yolo11n.yaml")
    parser.add_argument(
        "--capacity-threads", type=int, help="inference threads of a camera alone in its process (default: cvmon's)"
    )
    parser.add_argument("--capacity-trial-s", type=float, help="seconds per capacity trial")
    parser.add_argument("--capacity-max-cameras", type=int, help="largest N tried (--quick: try 1 and this N)")
    parser.add_argument(
        "--capacity-modes",
        help=f"comma list of {', '.join(capacity.MODES)} (default both; --quick: shared)",
    )
    parser.add_argument(
        "--capacity-clip", choices=("1080p", "360p"), default="1080p", help="main stream or 640x360 sub-stream"
    )
    parser.add_argument(
        "--capacity-motion-gate",
        choices=("default", "on", "off"),
        default="default",
        help="cvmon's motion gate in the capacity trials (off: the detector runs on every analysed frame)",
    )
    parser.add_argument("--capacity-n", help="comma list of camera counts to try instead of the search, e.g. 1,8,16")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "latest.json", help="result file")
    args = parser.parse_args()
    cfg = dict(QUICK if args.quick else FULL)
    if args.repeat:
        cfg["repeat"] = args.repeat
    if args.capacity_trial_s:
        cfg["capacity_trial_s"] = args.capacity_trial_s
    if args.capacity_max_cameras:
        cfg["capacity_max_cameras"] = args.capacity_max_cameras
        if args.quick and not args.capacity_n:
            cfg["capacity_counts"] = [1, args.capacity_max_cameras]  # quick: 1 and that N, no search
    if args.capacity_n:
        cfg["capacity_counts"] = [int(x) for x in args.capacity_n.split(",") if x.strip()]
    if args.capacity_modes:
        cfg["capacity_modes"] = args.capacity_modes
    modes = [m.strip() for m in cfg["capacity_modes"].split(",") if m.strip()]
    if set(modes) - set(capacity.MODES):
        parser.error(f"unknown capacity mode(s): {', '.join(sorted(set(modes) - set(capacity.MODES)))}")
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    t_all = time.perf_counter()
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "settings": {**cfg, "analysis_fps": args.fps, "sections": sections, "capacity_clip": args.capacity_clip},
        "load_average_start": load_average(),
    }

    def save() -> None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, default=str))

    results["machine"] = call("versions", {})
    ulpy = find_ultralytics_python(args.ultralytics_python)
    results["ultralytics_python"] = ulpy
    print(f"cvmon bench ({results['mode']}), cache {CACHE_DIR}, ultralytics python: {ulpy or 'none (skipped)'}")

    # -- inputs: the clips and the YOLO11n exports -------------------------------------------------
    print("preparing clips ...", flush=True)
    hd = make_hd_clip(cfg["hd_seconds"])
    side = make_hd_clip(cfg["side_seconds"])
    original = trim_clip(cfg["original_seconds"]) if cfg["original_seconds"] else SOURCE_CLIP
    results["clips"] = {"hd": clip_info(hd), "original": clip_info(original), "side": clip_info(side)}
    extra_clips = set()
    if "decode" in sections:
        extra_clips |= {"360p", "1080p-b2"}
    if "capacity" in sections and args.capacity_clip != "1080p":
        extra_clips.add(args.capacity_clip)
    named = {"1080p": hd}
    for name in sorted(extra_clips):
        named[name] = named_clip(name, cfg["hd_seconds"])
        results["clips"][name] = clip_info(named[name])
    int8: dict[str, Any] | None = None
    if "detectors" in sections:
        int8 = call("quantize", {"frames": 30})
        results["int8"] = int8
        if "error" in int8:
            int8 = None
    models: dict[str, str] | None = None
    files = yolo11n_files()
    marker = files["pt"].with_suffix(".source.txt")
    wanted = str(Path(args.yolo11n_weights).resolve()) if args.yolo11n_weights else None
    cached = all(f.is_file() for f in files.values()) and marker.is_file()
    if cached and (wanted is None or marker.read_text() == wanted) and (wanted or "untrained" in marker.read_text()):
        models = {"source": marker.read_text(), **{k: str(v) for k, v in files.items()}}
    elif ulpy:
        print("preparing YOLO11n (export to ONNX, cached) ...", flush=True)
        got = call("export_yolo11n", {"weights": args.yolo11n_weights}, python=ulpy)
        models = None if "error" in got else got
    results["yolo11n"] = models
    save()

    section_t = time.perf_counter()

    def section_done(name: str) -> None:
        nonlocal section_t
        results.setdefault("section_s", {})[name] = round(time.perf_counter() - section_t, 1)
        section_t = time.perf_counter()
        save()

    section_done("prepare")

    if "detectors" in sections:
        print("detector only (and count error) ...", flush=True)
        rows = []
        specs = detector_specs(models, ulpy, args.quick)
        if int8:
            specs.insert(1, {**INT8_SPEC, "model": int8["path"]})
        for spec in specs:
            python = spec.pop("python", sys.executable)
            params = {"spec": spec, "clip": str(hd), "frames": cfg["detector_frames"], "repeat": cfg["repeat"]}
            r = call("detector", params, python=python)
            r.setdefault("key", spec["key"])
            rows.append(r)
            print(f"  {spec['key']}: {r.get('detect_ms') or 0:.1f} ms/frame", flush=True)
        results["detectors"] = rows
        print("onnxruntime session options ...", flush=True)
        rows = []
        float_spec = {"key": "onnx yolox_nano_416", "type": "onnx", "model": "yolox_nano_416"}
        variants = [(float_spec, t, spin) for t in (1, 2) for spin in (None, "0")]
        if int8:
            variants += [({**INT8_SPEC, "model": int8["path"]}, t, None) for t in (1, 2)]
        for spec, threads, spin in variants:
            params = {
                "spec": spec,
                "clip": str(hd),
                "frames": cfg["detector_frames"],
                "repeat": max(cfg["repeat"], 3),
                "threads": threads,
                "spinning": spin,
            }
            r = call("session_options", params)
            r.update({"key": spec["key"], "threads": threads, "spinning": spin or "default"})
            rows.append(r)
            print(
                f"  {spec['key']}, {threads} thread(s), spinning {spin or 'default'}: "
                f"{r.get('detect_ms') or 0:.1f} ms/frame, {r.get('detect_cpu_ms') or 0:.1f} CPU-ms/frame",
                flush=True,
            )
        results["session_options"] = rows
        section_done("detectors")

    if "e2e" in sections:
        print("one camera end to end ...", flush=True)
        rows = []
        for clip in (hd, original):
            r = call("e2e", {"clip": str(clip), "fps": args.fps, "repeat": cfg["repeat"], "detector": None})
            rows.append(r)
            print(f"  {clip.name}: {r.get('analysed_fps') or 0:.1f} analysed frames/s", flush=True)
        results["e2e"] = rows
        section_done("e2e")

    if "side" in sections:
        print(f"side by side on {side.name} ...", flush=True)
        rep = cfg["repeat"]
        yolo = {"key": "onnx yolo11n 640", "model": models["onnx640"], "layout": "ultralytics"} if models else None
        default = {"key": "onnx yolox_nano_416", "model": "yolox_nano_416"}
        equal: list[dict[str, Any]] = []
        natural: list[dict[str, Any]] = []
        fps = args.fps
        weights = models["pt"] if models else None
        if yolo:
            p = {"clip": str(side), "fps": fps, "detector": yolo, "threads": 2, "repeat": rep}
            equal.append(call("sbs_cvmon", p))
        if yolo and ulpy:
            p = {"clip": str(side), "weights": weights, "analysis_fps": fps, "threads": 2, "repeat": rep}
            equal.append(call("sbs_qm", p, python=ulpy))
        if yolo:
            p = {"clip": str(side), "detector": yolo, "analysis_fps": fps, "threads": 2, "repeat": rep}
            equal.append(call("sbs_naive", p))
        natural.append(call("sbs_cvmon", {"clip": str(side), "fps": fps, "detector": default, "repeat": rep}))
        if yolo and ulpy:
            p = {"clip": str(side), "weights": weights, "analysis_fps": None, "threads": None, "repeat": rep}
            natural.append(call("sbs_qm", p, python=ulpy))
        if yolo:
            p = {"clip": str(side), "detector": yolo, "analysis_fps": None, "threads": 2, "repeat": rep}
            natural.append(call("sbs_naive", p))
        results["side_by_side"] = {"clip": clip_info(side), "equal": equal, "natural": natural}
        section_done("side")

    if "decode" in sections:
        print("decoding (PyAV) ...", flush=True)
        rows = []
        for key, clip_name, what, threads, slf, nonref in DECODE_VARIANTS:
            params = {
                "key": key,
                "clip": str(named[clip_name]),
                "what": what,
                "threads": threads,
                "skip_loop_filter": slf,
                "skip_nonref": nonref,
                "fps": args.fps,
                "repeat": max(cfg["repeat"], 3),
            }
            r = call("decode", params)
            r.setdefault("key", key)
            rows.append(r)
            ms, cpu = r.get("ms") or 0, r.get("cpu_ms") or 0
            print(f"  {key}: {ms:.2f} ms/frame, {cpu:.2f} CPU-ms/frame", flush=True)
        results["decode"] = {"rows": rows, "cameras": DECODE_CAMERAS, "analysis_fps": args.fps}
        section_done("decode")

    if "capacity" in sections:
        cap_clip = named.get(args.capacity_clip, hd)
        print(f"capacity ({', '.join(modes)}; {cap_clip.name} played in real time) ...", flush=True)
        params = {
            "clip": str(cap_clip),
            "fps": args.fps,
            "detector": {"key": "onnx yolox_nano_416", "model": "yolox_nano_416"},
            "threads": args.capacity_threads,
            "motion_gate": {"default": None, "on": True, "off": False}[args.capacity_motion_gate],
            "duration_s": cfg["capacity_trial_s"],
            "warmup_s": cfg["capacity_warmup_s"],
            "max_lag_s": 1.0,
            "abort_lag_s": cfg["capacity_abort_lag_s"],
        }
        results["capacity"] = {"clip": clip_info(cap_clip), "clip_name": args.capacity_clip, "modes": {}}
        for mode in modes:
            results["capacity"]["modes"][mode] = capacity.search(
                params,
                sys.executable,
                worker_env(),
                cfg["capacity_max_trials"],
                cfg["capacity_max_cameras"],
                mode=mode,
                counts=cfg["capacity_counts"],
            )
            save()
        section_done("capacity")

    results["load_average_end"] = load_average()
    results["total_s"] = round(time.perf_counter() - t_all, 1)
    save()
    print()
    print_report(results)
    print(f"\nresults: {args.json}  (total {results['total_s']:.0f} s)")


if __name__ == "__main__":
    main()
