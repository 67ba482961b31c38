"""Capacity: how many cameras (files played at their real frame rate) run in real time.

Two ways of hosting the cameras (``MODES``):

- ``shared``: as ``cvmon run`` does by default: the N cameras spread over one worker process per
  core (``cameras_per_process_auto(N)`` cameras each); each camera runs in a thread of its own; the
  cameras of a process share one detector (``DetectorCache``), and a process with more than one
  camera runs inference and decoding single-threaded per camera (onnxruntime intra-op threads 1,
  ``decode_threads=1``), as cvmon's ``WorkerPool`` does. With N up to the number of cores this is
  one camera per process, as in ``process``.
- ``process``: one process per camera, cvmon's default detector threads and FFmpeg's own decoding
  threads (``cvmon run --cameras-per-process 1``).

Each camera runs cvmon's live runner (``run_live``, as ``cvmon run`` does for a stream) on a
``PacedFileSource`` with no database. Its lag is how far the video time of the frame it has just
analysed is behind the wall time since its start; a camera keeps up when its lag, after a short
warm-up, stays under one second for the whole trial. N = 1, 2, 4, ... until a trial fails, then bisect.
Memory per added camera is the difference of the processes' total PSS (or USS) between a trial and
the smallest one, divided by the difference in cameras.
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
MODES = ("shared", "process")


class _NullSink:
    """Takes minute rows, events and alerts and drops them (the trials measure analysis, not storage)."""

    def write_minutes(self, rows: Any, cameras: Any = (), *, source: str = "") -> None:
        return None

    def write_events(self, events: Any) -> None:
        return None

    def write_alerts(self, camera: Any, changes: Any, snapshots: Any = ()) -> None:
        return None


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def host(params: dict[str, Any]) -> dict[str, Any]:
    """One worker process of a trial, as ``cvmon run``'s ``_host_main``: its cameras (``indices``) run
    in one thread each and share one detector from a ``DetectorCache`` (``single_thread`` when the
    process hosts more than one camera, as the pool does); load, say ready, wait for the common
    start, run, report each camera's lags."""
    from cvmon.detectors.shared import DetectorCache
    from cvmon.pipeline.runner import build_pipeline, run_live
    from perf.paced import PacedFileSource

    d = Path(params["dir"])
    h = params["host"]
    clip = Path(params["clip"])
    shared = bool(params.get("shared"))
    detectors = DetectorCache(MODEL_DIR, single_thread=shared)
    cams: list[dict[str, Any]] = []
    for i in params["indices"]:
        detector = detector_dict(params["detector"], params.get("threads"))
        config = camera_config(clip, params["fps"], detector, params.get("motion_gate"))
        pipeline = build_pipeline(config, config.cameras[0], MODEL_DIR, detectors)
        source = PacedFileSource(
            f"cam{i}", clip, params["fps"], start=datetime.now(UTC), decode_threads=1 if shared else 0
        )
        cams.append({"index": i, "pipeline": pipeline, "source": source, "stop": threading.Event(), "lags": []})
    models = {getattr(c["pipeline"].detector, "name", "?") for c in cams}
    stopping = threading.Event()

    def stop_all(*_: Any) -> None:
        stopping.set()
        for c in cams:
            c["stop"].set()

    signal.signal(signal.SIGTERM, stop_all)
    (d / f"ready-{h}").write_text(str(os.getpid()))
    go = d / "go"
    deadline = time.time() + params.get("ready_timeout_s", 300)
    while not go.exists() and time.time() < deadline and not stopping.is_set():
        time.sleep(0.05)
    start_at = float(go.read_text()) if go.exists() else time.time()
    time.sleep(max(0.0, start_at - time.time()))

    def run_one(c: dict[str, Any]) -> None:
        source, lags = c["source"], c["lags"]
        status = d / f"status-{c['index']}.json"
        last_write = [0.0]

        def on_frame(result: Any) -> None:
            now = time.monotonic()
            elapsed = now - (source.t0 or now)
            lags.append((round(elapsed, 3), round(elapsed - result.video_s, 4)))
            if now - last_write[0] >= 1.0:
                _write_json(status, {"elapsed": elapsed, "lag": lags[-1][1], "frames": len(lags)})
                last_write[0] = now

        try:
            run_live(c["pipeline"], source, _NullSink(), c["stop"], on_frame=on_frame)  # type: ignore[arg-type]
        except Exception as err:  # reported in the result, the trial counts it as failed
            c["error"] = f"{type(err).__name__}: {err}"

    timer = threading.Timer(params["duration_s"], stop_all)
    timer.daemon = True
    timer.start()
    threads = [threading.Thread(target=run_one, args=(c,), name=f"camera-{c['index']}") for c in cams]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = []
    for c in cams:
        lags = c["lags"]
        warm = [lag for t, lag in lags if t >= params["warmup_s"]]
        elapsed = lags[-1][0] if lags else 0.0
        out.append(
            {
                "index": c["index"],
                "error": c.get("error"),
                "frames_analysed": len(lags),
                # frames the detector ran on (cvmon's motion gate skips it while nothing moves)
                "frames_detected": getattr(c["pipeline"], "frames_detected", None),
                "decoded": c["source"].decoded,
                "elapsed_s": elapsed,
                "analysed_fps": len(lags) / elapsed if elapsed else 0.0,
                "max_lag_s": max(warm) if warm else None,
                "median_lag_s": median(warm) if warm else None,
                "last_lag_s": lags[-1][1] if lags else None,
                "lag_series": lags[:: max(1, len(lags) // 60)],
            }
        )
    return {"host": h, "shared": shared, "detectors": len(detectors), "models": sorted(models), "cameras": out}


def _kill(procs: list[subprocess.Popen[bytes]], sig: int) -> None:
    for p in procs:
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(sig)


def layout(n: int, mode: str) -> list[list[int]]:
    """The camera indices of each worker process: ``process`` one camera per process; ``shared`` as
    ``cvmon run`` spreads them by default (``cameras_per_process_auto``: one process per core)."""
    if mode == "process":
        per = 1
    elif mode == "shared":
        from cvmon.pipeline.workers import cameras_per_process_auto

        per = cameras_per_process_auto(n)
    else:
        raise ValueError(f"unknown capacity mode {mode!r} (one of {', '.join(MODES)})")
    return [list(range(k, min(k + per, n))) for k in range(0, n, per)]


def trial(n: int, params: dict[str, Any], python: str, env: dict[str, str], mode: str = "process") -> dict[str, Any]:
    """Run ``n`` cameras together for ``duration_s`` in the worker processes of ``mode``; their lags,
    CPU and memory."""
    d = Path(tempfile.mkdtemp(prefix=f"cvmon-bench-cap-{mode}{n}-"))
    hosts = layout(n, mode)
    # a process with more than one camera runs them single-threaded, as cvmon's WorkerPool does
    shared = [len(indices) > 1 for indices in hosts]
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    for h, indices in enumerate(hosts):
        p = {**params, "dir": str(d), "host": h, "indices": indices, "shared": shared[h]}
        out = d / f"host{h}.json"
        log = (d / f"host{h}.log").open("wb")
        logs.append(log)
        procs.append(
            subprocess.Popen(
                [python, str(WORKER), "capacity_host", json.dumps(p), str(out)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        )
    t_launch = time.time()
    ready_deadline = t_launch + 60 + 10 * n
    while time.time() < ready_deadline:
        if all((d / f"ready-{h}").exists() for h in range(len(hosts))) or any(p.poll() is not None for p in procs):
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
    cams: list[dict[str, Any]] = []
    detectors: list[int | None] = []
    for h, indices in enumerate(hosts):
        try:
            got = json.loads((d / f"host{h}.json").read_text())
            if "error" in got:
                raise ValueError(got["error"])
            cams += got["cameras"]
            detectors.append(got.get("detectors"))
        except (OSError, ValueError) as err:
            tail = (d / f"host{h}.log").read_text(errors="replace")[-400:]
            for i in indices:
                cams.append({"index": i, "error": f"no result ({err}; {tail.strip()})", "max_lag_s": None})
    cpu_s = [b - a if a is not None and b is not None else None for a, b in zip(cpu0, cpu1, strict=True)]
    cams_cpu = sum(c for c in cpu_s if c is not None) / window if window > 0 else 0.0
    machine_busy = (m1[0] - m0[0]) / window if window > 0 else None
    limit = params["max_lag_s"]
    ok = [c.get("error") is None and c.get("max_lag_s") is not None and c["max_lag_s"] < limit for c in cams]
    lags = [c["max_lag_s"] for c in cams if c.get("max_lag_s") is not None]

    def total(key: str) -> float | None:
        vals = [m[key] for m in memory if m[key]]
        return round(sum(vals), 1) if len(vals) == len(memory) else None

    pss, uss, rss = total("pss_mb"), total("uss_mb"), total("rss_mb")
    result = {
        "cameras": n,
        "mode": mode,
        "processes": len(hosts),
        "cameras_per_process": max(len(x) for x in hosts),
        "single_thread": any(shared),
        "detectors_per_process": detectors,  # models loaded in each process (1: shared by its cameras)
        "passed": all(ok) and not aborted,
        "aborted": aborted,
        "load_s": round(load_s, 1),
        "window_s": round(window, 1),
        "worst_max_lag_s": max(lags) if lags else None,
        "median_max_lag_s": median(lags),
        "median_lag_s": median([c["median_lag_s"] for c in cams if c.get("median_lag_s") is not None]),
        "analysed_fps_per_camera": median([c.get("analysed_fps", 0.0) for c in cams]),
        "detector_share": _share(cams),
        # all the cameras' processes together, shared out over the cameras
        "cpu_pct_per_camera": round(100 * cams_cpu / n, 1),
        "rss_mb_total": rss,
        "pss_mb_total": pss,
        "uss_mb_total": uss,
        "rss_mb_per_camera": rss / n if rss else None,
        "pss_mb_per_camera": pss / n if pss else None,
        "uss_mb_per_camera": uss / n if uss else None,
        "cameras_cpu_cores": round(cams_cpu, 3),
        "machine_busy_cores": round(machine_busy, 3) if machine_busy is not None else None,
        "other_load_cores": round(machine_busy - cams_cpu, 3) if machine_busy is not None else None,
        "errors": [c["error"] for c in cams if c.get("error")][:3],
        "per_camera": sorted(cams, key=lambda c: c["index"]),
        "per_process_memory": memory,
    }
    return result


def _share(cams: list[dict[str, Any]]) -> float | None:
    """Frames the detector ran on / frames analysed, over all cameras (None when unknown)."""
    ran = [c.get("frames_detected") for c in cams]
    if not cams or any(r is None for r in ran):
        return None
    analysed = sum(c.get("frames_analysed") or 0 for c in cams)
    return round(sum(ran) / analysed, 3) if analysed else None


def _per_added_camera(trials: list[dict[str, Any]]) -> None:
    """Memory an added camera costs: (total at N - total at the smallest N) / (N - smallest N)."""
    base = min(trials, key=lambda t: t["cameras"])
    for t in trials:
        extra = t["cameras"] - base["cameras"]
        for key in ("pss", "uss", "rss"):
            a, b = base.get(f"{key}_mb_total"), t.get(f"{key}_mb_total")
            t[f"{key}_mb_per_added_camera"] = round((b - a) / extra, 1) if extra and a and b else None


def search(
    params: dict[str, Any],
    python: str,
    env: dict[str, str],
    max_trials: int,
    max_cameras: int,
    mode: str = "process",
    counts: list[int] | None = None,
) -> dict[str, Any]:
    """N = 1, 2, 4, ... until a trial fails (or ``max_cameras``), then bisect; at most ``max_trials``.
    With ``counts`` exactly those N are tried (no search; the capacity is the largest passing N
    below the first failing one)."""
    trials: dict[int, dict[str, Any]] = {}
    best, worst = 0, None

    def one(n: int) -> dict[str, Any]:
        hosts = layout(n, mode)
        print(
            f"  capacity trial ({mode}): {n} camera(s) in {len(hosts)} process(es) of up to "
            f"{max(len(x) for x in hosts)}, {params['duration_s']:.0f} s ...",
            flush=True,
        )
        r = trial(n, params, python, env, mode)
        trials[n] = r
        lag = r["worst_max_lag_s"]
        print(
            f"    {'pass' if r['passed'] else 'fail'}: worst lag {lag if lag is None else round(lag, 2)} s, "
            f"CPU {r['cpu_pct_per_camera'] or 0:.0f} %/camera, PSS {r['pss_mb_total'] or 0:.0f} MB in all, "
            f"other load {r['other_load_cores']} cores" + (f" ({r['aborted']})" if r["aborted"] else ""),
            flush=True,
        )
        return r

    if counts:
        for n in sorted(set(counts)):
            if one(n)["passed"]:
                best = n if worst is None else best
            elif worst is None:
                worst = n
    else:
        n = 1
        while len(trials) < max_trials and n not in trials and n >= 1:
            if one(n)["passed"]:
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
    ordered = [trials[k] for k in sorted(trials)]
    _per_added_camera(ordered)
    return {
        "mode": mode,
        "capacity": best,
        "first_failing": worst,
        "bounded_by_max_cameras": worst is None and best >= max(trials),
        "resolved": worst is not None and worst - best <= 1,
        "trials": ordered,
        "settings": {k: v for k, v in params.items() if k not in ("dir", "host", "indices")},
    }


if __name__ == "__main__":  # pragma: no cover - run through worker.py
    sys.exit("run through bench/perf/worker.py or bench/run_all.py")
