"""Capacity: how many cameras (one process each, files played at their real frame rate) run in real time.

Each camera process runs cvmon's live runner (``run_live``, as ``cvmon run`` does for a stream) on a
``PacedFileSource`` with no database. Its lag is how far the video time of the frame it has just
analysed is behind the wall time since its start; a camera keeps up when its lag, after a short
warm-up, stays under one second for the whole trial. N = 1, 2, 4, ... until a trial fails, then bisect.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perf.common import (
    MODEL_DIR,
    camera_config,
    detector_dict,
    machine_cpu_ticks,
    median,
    proc_cpu_s,
    proc_memory_mb,
)

WORKER = Path(__file__).resolve().parent / "worker.py"


class _NullSink:
    """Takes minute rows, events and alerts and drops them (the trials measure analysis, not storage)."""

    def write_minutes(self, rows: Any, cameras: Any = ()) -> None:
        return None

    def write_events(self, events: Any) -> None:
        return None

    def write_alerts(self, camera: Any, changes: Any, snapshots: Any = ()) -> None:
        return None


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def camera(params: dict[str, Any]) -> dict[str, Any]:
    """One camera process of a trial: load, say ready, wait for the common start, run, report lags."""
    from cvmon.pipeline.runner import build_pipeline, run_live
    from perf.paced import PacedFileSource

    d = Path(params["dir"])
    i = params["index"]
    clip = Path(params["clip"])
    config = camera_config(clip, params["fps"], detector_dict(params["detector"], params.get("threads")))
    cam = config.cameras[0]
    pipeline = build_pipeline(config, cam, MODEL_DIR)
    source = PacedFileSource(f"cam{i}", clip, params["fps"], start=datetime.now(UTC))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    (d / f"ready-{i}").write_text(str(os.getpid()))
    go = d / "go"
    deadline = time.time() + params.get("ready_timeout_s", 300)
    while not go.exists() and time.time() < deadline and not stop.is_set():
        time.sleep(0.05)
    start_at = float(go.read_text()) if go.exists() else time.time()
    time.sleep(max(0.0, start_at - time.time()))
    lags: list[tuple[float, float]] = []
    status = d / f"status-{i}.json"
    last_write = [0.0]

    def on_frame(result: Any) -> None:
        now = time.monotonic()
        elapsed = now - (source.t0 or now)
        lags.append((round(elapsed, 3), round(elapsed - result.video_s, 4)))
        if now - last_write[0] >= 1.0:
            _write_json(status, {"elapsed": elapsed, "lag": lags[-1][1], "frames": len(lags)})
            last_write[0] = now

    timer = threading.Timer(params["duration_s"], stop.set)
    timer.daemon = True
    timer.start()
    error = None
    try:
        run_live(pipeline, source, _NullSink(), stop, on_frame=on_frame)  # type: ignore[arg-type]
    except Exception as err:  # reported in the result, the trial counts it as failed
        error = f"{type(err).__name__}: {err}"
    warm = [lag for t, lag in lags if t >= params["warmup_s"]]
    elapsed = lags[-1][0] if lags else 0.0
    return {
        "index": i,
        "error": error,
        "frames_analysed": len(lags),
        "decoded": source.decoded,
        "elapsed_s": elapsed,
        "analysed_fps": len(lags) / elapsed if elapsed else 0.0,
        "max_lag_s": max(warm) if warm else None,
        "median_lag_s": median(warm) if warm else None,
        "last_lag_s": lags[-1][1] if lags else None,
        "lag_series": lags[:: max(1, len(lags) // 60)],
    }


def _kill(procs: list[subprocess.Popen[bytes]], sig: int) -> None:
    for p in procs:
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(sig)


def trial(n: int, params: dict[str, Any], python: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``n`` camera processes together for ``duration_s``; their lags, CPU and memory."""
    d = Path(tempfile.mkdtemp(prefix=f"cvmon-bench-cap{n}-"))
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    for i in range(n):
        p = {**params, "dir": str(d), "index": i}
        out = d / f"cam{i}.json"
        log = (d / f"cam{i}.log").open("wb")
        logs.append(log)
        procs.append(
            subprocess.Popen(
                [python, str(WORKER), "camera", json.dumps(p), str(out)], stdout=log, stderr=subprocess.STDOUT, env=env
            )
        )
    t_launch = time.time()
    ready_deadline = t_launch + 60 + 10 * n
    while time.time() < ready_deadline:
        if all((d / f"ready-{i}").exists() for i in range(n)) or any(p.poll() is not None for p in procs):
            break
        time.sleep(0.2)
    load_s = time.time() - t_launch
    start_at = time.time() + 1.0
    _write_json(d / "go", start_at)
    duration = params["duration_s"]
    warmup = params["warmup_s"]
    time.sleep(max(0.0, start_at + warmup - time.time()))
    cpu0 = [proc_cpu_s(p.pid) for p in procs]
    m0 = machine_cpu_ticks()
    w0 = time.monotonic()
    aborted = None
    while time.time() < start_at + duration - 0.5:
        time.sleep(1.0)
        if any(p.poll() is not None for p in procs):
            aborted = "a camera process ended early"
            break
        for i in range(n):
            try:
                s = json.loads((d / f"status-{i}.json").read_text())
            except (OSError, ValueError):
                continue
            if s["elapsed"] >= warmup and s["lag"] > params["abort_lag_s"]:
                aborted = f"camera {i} lag {s['lag']:.1f} s > {params['abort_lag_s']} s"
        if aborted:
            break
    cpu1 = [proc_cpu_s(p.pid) for p in procs]
    m1 = machine_cpu_ticks()
    window = time.monotonic() - w0
    memory = [proc_memory_mb(p.pid) for p in procs]
    if aborted:
        _kill(procs, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=max(5.0, start_at + duration + 15 - time.time()))
        except subprocess.TimeoutExpired:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for log in logs:
        log.close()
    cams = []
    for i in range(n):
        try:
            cams.append(json.loads((d / f"cam{i}.json").read_text()))
        except (OSError, ValueError):
            tail = (d / f"cam{i}.log").read_text(errors="replace")[-400:]
            cams.append({"index": i, "error": f"no result ({tail.strip()})", "max_lag_s": None})
    cpu_pct = [
        100 * (b - a) / window if a is not None and b is not None and window > 0 else None
        for a, b in zip(cpu0, cpu1, strict=True)
    ]
    cams_cpu = sum(c for c in cpu_pct if c is not None) / 100
    machine_busy = (m1[0] - m0[0]) / window if window > 0 else None
    limit = params["max_lag_s"]
    ok = [c.get("error") is None and c.get("max_lag_s") is not None and c["max_lag_s"] < limit for c in cams]
    lags = [c["max_lag_s"] for c in cams if c.get("max_lag_s") is not None]
    result = {
        "cameras": n,
        "passed": all(ok) and not aborted,
        "aborted": aborted,
        "load_s": round(load_s, 1),
        "window_s": round(window, 1),
        "worst_max_lag_s": max(lags) if lags else None,
        "median_max_lag_s": median(lags),
        "median_lag_s": median([c["median_lag_s"] for c in cams if c.get("median_lag_s") is not None]),
        "analysed_fps_per_camera": median([c.get("analysed_fps", 0.0) for c in cams]),
        "cpu_pct_per_camera": median([c for c in cpu_pct if c is not None]),
        "rss_mb_per_camera": median([m["rss_mb"] for m in memory if m["rss_mb"]]),
        "pss_mb_per_camera": median([m["pss_mb"] for m in memory if m["pss_mb"]]),
        "uss_mb_per_camera": median([m["uss_mb"] for m in memory if m["uss_mb"]]),
        "cameras_cpu_cores": round(cams_cpu, 3),
        "machine_busy_cores": round(machine_busy, 3) if machine_busy is not None else None,
        "other_load_cores": round(machine_busy - cams_cpu, 3) if machine_busy is not None else None,
        "errors": [c["error"] for c in cams if c.get("error")][:3],
        "per_camera": cams,
    }
    return result


def search(
    params: dict[str, Any], python: str, env: dict[str, str], max_trials: int, max_cameras: int
) -> dict[str, Any]:
    """N = 1, 2, 4, ... until a trial fails (or ``max_cameras``), then bisect; at most ``max_trials``."""
    trials: dict[int, dict[str, Any]] = {}
    best, worst = 0, None
    n = 1
    while len(trials) < max_trials and n not in trials and n >= 1:
        print(f"  capacity trial: {n} camera(s), {params['duration_s']:.0f} s ...", flush=True)
        r = trial(n, params, python, env)
        trials[n] = r
        lag = r["worst_max_lag_s"]
        print(
            f"    {'pass' if r['passed'] else 'fail'}: worst lag {lag if lag is None else round(lag, 2)} s, "
            f"CPU {r['cpu_pct_per_camera'] or 0:.0f} %/camera, other load {r['other_load_cores']} cores"
            + (f" ({r['aborted']})" if r["aborted"] else ""),
            flush=True,
        )
        if r["passed"]:
            best = max(best, n)
        else:
            worst = n if worst is None else min(worst, n)
        if worst is None:
            if n >= max_cameras:
                break
            n = min(n * 2, max_cameras)
        else:
            if worst - best <= 1:
                break
            n = (best + worst) // 2
    return {
        "capacity": best,
        "first_failing": worst,
        "bounded_by_max_cameras": worst is None and best >= max_cameras,
        "resolved": worst is not None and worst - best <= 1,
        "trials": [trials[k] for k in sorted(trials)],
        "settings": {k: v for k, v in params.items() if k not in ("dir", "index")},
    }


if __name__ == "__main__":  # pragma: no cover - run through worker.py
    sys.exit("run through bench/perf/worker.py or bench/run_all.py")
