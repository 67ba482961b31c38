"""Soak: several live cameras from a local RTSP server through ``cvmon run``, memory over time.

Usage: .venv/bin/python bench/soak.py [--cameras 3] [--minutes 30] [--every-s 60] [--warmup-min 5]

Starts the project's GStreamer RTSP server (tests/rtsp_server.py, Debian's Python) looping the
one-by-one clip from the shared footage, writes a cameras.yaml of N cameras on it (each with a
queue, a counter and a staff zone, every rule on), and runs ``cvmon run`` with its defaults (one
worker process per core, the cameras of a process sharing a detector) against an SQLite database
in a scratch folder. Every ``--every-s`` it samples the resident memory (RSS, and USS/PSS where
the kernel gives them) of ``cvmon run`` and all its worker processes, the rows stored so far and
the analysed frames per second and camera that the stored coverage shows (written a minute late).

Prints a row per sample, then the memory after warm-up: median, first and last third, growth per
hour (least squares over the samples after warm-up) and the ratio last / first third. Flat means a
ratio near 1.00 and a slope that is small against the median. JSON in bench/results/soak.json.
Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CVMON_SHARED_DIR", ROOT.parent / "shared"))
FOOTAGE = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
MODELS = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
CLIP = FOOTAGE / "intel_one-by-one-person-detection.mp4"
SYSTEM_PYTHON = os.environ.get("CVMON_GST_PYTHON", "/usr/bin/python3")
RESULTS = ROOT / "bench" / "results"

ZONES = [
    {"id": "queue", "kind": "queue", "points": [[0.05, 0.55], [0.45, 0.55], [0.45, 0.98], [0.05, 0.98]]},
    {
        "id": "counter",
        "kind": "counter_customer",
        "queue": "queue",
        "points": [[0.5, 0.55], [0.95, 0.55], [0.95, 0.98], [0.5, 0.98]],
    },
    {
        "id": "staff",
        "kind": "counter_staff",
        "counter": "counter",
        "points": [[0.3, 0.1], [0.7, 0.1], [0.7, 0.5], [0.3, 0.5]],
    },
]


def start_server() -> tuple[subprocess.Popen[str], str]:
    """The RTSP server looping the clip; returns it and its URL once it listens."""
    proc = subprocess.Popen(
        [SYSTEM_PYTHON, str(ROOT / "tests" / "rtsp_server.py"), "--port", "0", "--path", "/cam", "--file", str(CLIP)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("READY "):
            return proc, line.split()[1]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("soak: the RTSP server did not start (needs python3-gi and gir1.2-gst-rtsp-server-1.0)")


def write_config(folder: Path, url: str, cameras: int) -> Path:
    config = {
        "version": 1,
        "units": [{"id": "ulp-soak", "name": "ULP soak", "level": "ulp"}],
        "cameras": [
            {"id": f"soak-{i + 1}", "name": f"Soak {i + 1}", "unit": "ulp-soak", "source": url, "zones": ZONES}
            for i in range(cameras)
        ],
    }
    path = folder / "cameras.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def memory(root: psutil.Process) -> dict[str, float]:
    """MB of resident memory of a process and its children: RSS, USS and PSS summed."""
    out = {"rss_mb": 0.0, "uss_mb": 0.0, "pss_mb": 0.0, "processes": 0.0}
    for proc in [root, *root.children(recursive=True)]:
        try:
            full = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        out["rss_mb"] += full.rss / 2**20
        out["uss_mb"] += getattr(full, "uss", 0) / 2**20
        out["pss_mb"] += getattr(full, "pss", 0) / 2**20
        out["processes"] += 1
    return out


def stored(db: Path) -> tuple[int, int]:
    """Minute rows stored so far, and the frames the stored coverage says were analysed."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            rows = int(conn.execute("SELECT count(*) FROM minute_stats").fetchone()[0])
            frames = int(conn.execute("SELECT coalesce(sum(frames_analysed), 0) FROM camera_minutes").fetchone()[0])
            return rows, frames
    except sqlite3.Error:
        return 0, 0


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    if len(points) < 3:
        return None
    result = statistics.linear_regression([t for t, _ in points], [m for _, m in points])
    return result.slope * 60.0  # points are (minute, MB)


def summary(samples: list[dict[str, Any]], warmup_min: float, key: str) -> dict[str, Any]:
    after = [(s["minute"], s[key]) for s in samples if s["minute"] >= warmup_min]
    if len(after) < 3:
        return {"samples": len(after)}
    third = max(1, len(after) // 3)
    first = statistics.median(m for _, m in after[:third])
    last = statistics.median(m for _, m in after[-third:])
    return {
        "samples": len(after),
        "median_mb": round(statistics.median(m for _, m in after), 1),
        "first_third_mb": round(first, 1),
        "last_third_mb": round(last, 1),
        "ratio_last_first": round(last / first, 3) if first else None,
        "mb_per_hour": round(slope_per_hour(after) or 0.0, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every-s", type=float, default=60.0)
    parser.add_argument("--warmup-min", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.json")
    args = parser.parse_args(argv)
    if not CLIP.is_file():
        raise SystemExit(f"soak: {CLIP} not found (set CVMON_FOOTAGE_DIR)")
    server, url = start_server()
    scratch = Path(tempfile.mkdtemp(prefix="cvmon-soak-"))
    db = scratch / "soak.db"
    config = write_config(scratch, url, args.cameras)
    env = {**os.environ, "CVMON_DATA_DIR": str(scratch), "CVMON_MODEL_DIR": str(MODELS)}
    env["CVMON_DATABASE_URL"] = f"sqlite:///{db}"
    log = (scratch / "cvmon-run.log").open("w")
    run = subprocess.Popen(
        [str(Path(sys.executable).parent / "cvmon"), "run", str(config)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    root = psutil.Process(run.pid)
    started = time.monotonic()
    samples: list[dict[str, Any]] = []
    print(f"soak: {args.cameras} cameras on {url}, {args.minutes:g} min, a sample every {args.every_s:g} s")
    print(f"{'minute':>6} {'procs':>5} {'RSS MB':>8} {'USS MB':>8} {'PSS MB':>8} {'rows':>7} {'fps/cam':>7}")
    try:
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            time.sleep(min(args.every_s, max(0.0, args.minutes * 60 - elapsed)))
            if run.poll() is not None:
                raise SystemExit(f"soak: cvmon run exited with {run.returncode}; see {scratch / 'cvmon-run.log'}")
            m = memory(root)
            rows, frames = stored(db)
            minute = round((time.monotonic() - started) / 60, 2)
            fps = frames / (args.cameras * minute * 60)
            sample = {"minute": minute, **m, "rows": rows, "stored_fps_per_camera": round(fps, 2)}
            samples.append(sample)
            print(
                f"{sample['minute']:>6.1f} {int(m['processes']):>5} {m['rss_mb']:>8.1f} {m['uss_mb']:>8.1f} "
                f"{m['pss_mb']:>8.1f} {sample['rows']:>7} {fps:>7.2f}",
                flush=True,
            )
    finally:
        run.send_signal(signal.SIGTERM)
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            run.kill()
        server.terminate()
        log.close()
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cameras": args.cameras,
        "minutes": args.minutes,
        "warmup_min": args.warmup_min,
        "rss": summary(samples, args.warmup_min, "rss_mb"),
        "pss": summary(samples, args.warmup_min, "pss_mb"),
        "samples": samples,
    }
    for key in ("rss", "pss"):
        s = result[key]
        if "median_mb" in s:
            print(
                f"{key.upper()} after {args.warmup_min:g} min warm-up: median {s['median_mb']} MB, first third "
                f"{s['first_third_mb']} MB, last third {s['last_third_mb']} MB (ratio {s['ratio_last_first']}), "
                f"{s['mb_per_hour']:+.2f} MB/hour"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
