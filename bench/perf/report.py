"""The printed tables of a bench run (from the same dict that is written as JSON)."""

from __future__ import annotations

from typing import Any


def _f(v: Any, nd: int = 1, suffix: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return f"{v:.{nd}f}{suffix}"
    return str(v)


def _ratio(a: Any, b: Any) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def _other(r: dict[str, Any]) -> str:
    """CPU cores used by other processes while this measurement ran (see run_all.call)."""
    return _f((r.get("_load") or {}).get("other_cores"), 2)


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))


def print_report(res: dict[str, Any]) -> None:
    m = res.get("machine", {})
    found = [*(res.get("detectors") or []), *((res.get("side_by_side") or {}).get("equal") or [])]
    mu = next((r for r in found if r.get("ultralytics")), {})
    print(
        f"machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, CPU only; python {m.get('python')}, "
        f"onnxruntime {m.get('onnxruntime')}, PyAV {m.get('av')}, OpenCV {m.get('cv2')}"
        + (f", torch {mu.get('torch')}, ultralytics {mu.get('ultralytics')}" if mu else "")
    )
    print(
        "other load: CPU cores busy with other processes during a measurement (machine busy minus the worker); "
        "the machine has no spare core, so any other load slows the numbers it sits beside."
    )
    print(
        f"mode: {res.get('mode')}, {res['settings'].get('repeat')} repeat(s), medians; seconds per section "
        f"{res.get('section_s')}; load average at start "
        f"{res.get('load_average_start')}, at end {res.get('load_average_end')} "
        "(anything else running on the machine shows in every number below)"
    )
    clips = res.get("clips", {})
    for key in ("hd", "original", "side"):
        c = clips.get(key)
        if c:
            print(
                f"clip {key}: {c['name']} {c['width']}x{c['height']} {_f(c['fps'], 0)} fps, {c['duration_s']:.1f} s, "
                f"{c['codec']}, {_f((c.get('bit_rate') or 0) / 1e6, 2)} Mbit/s"
            )
    y = res.get("yolo11n")
    if y:
        print(f"YOLO11n: {y.get('source')}")

    dets = res.get("detectors")
    if dets:
        print("\n== detector only: detect() on 1080p frames (letterbox, model, decode, NMS) ==")
        base = next((d.get("detect_ms") for d in dets if d.get("key") == "onnx yolox_nano_416"), None)
        rows = []
        for d in dets:
            acc = d.get("accuracy") or {}
            note = "untrained: MAE meaningless" if d.get("untrained") else ""
            if d.get("error"):
                note = d["error"][:60]
            mm = d.get("detect_ms_min_max") or [None, None]
            rows.append(
                [
                    d["key"],
                    _f(d.get("input_size"), 0),
                    _f(d.get("detect_ms"), 2),
                    f"{_f(mm[0], 1)}-{_f(mm[1], 1)}",
                    _f(d.get("model_ms"), 2),
                    _f(d.get("preprocess_ms"), 2),
                    _f(d.get("threads"), 0),
                    _ratio(d.get("detect_ms"), base),
                    _f(acc.get("mae"), 3),
                    f"{acc.get('frames', '-')}",
                    _other(d),
                    note,
                ]
            )
        table(
            [
                "detector",
                "input",
                "ms/frame",
                "min-max",
                "model ms",
                "prep ms",
                "thr",
                "vs nano",
                "count MAE",
                "frames",
                "other load",
                "note",
            ],
            rows,
        )
        print(
            "count MAE: mean absolute person-count error at confidence 0.3 on the hand-annotated frames "
            "(a count within count..count+partial is 0), as tests/accuracy does."
        )

    e2e = res.get("e2e")
    if e2e:
        fps = res["settings"]["analysis_fps"]
        print(f"\n== one camera end to end (cvmon runner, no database), {fps:g} analysed fps ==")
        rows = []
        for r in e2e:
            if r.get("error"):
                rows.append([r.get("clip", {}).get("name", "?"), *["-"] * 7, r["error"][:50]])
                continue
            c = r["clip"]
            mm = r.get("analysed_fps_min_max") or [None, None]
            cores = res.get("machine", {}).get("cores") or 2
            est = cores / r["cpu_s_per_video_s"] if r.get("cpu_s_per_video_s") else None
            rows.append(
                [
                    f"{c['width']}x{c['height']} {_f(c['fps'], 0)} fps",
                    f"{r['analysed']}",
                    _f(r.get("analysed_fps"), 1),
                    f"{_f(mm[0], 1)}-{_f(mm[1], 1)}",
                    _f(r.get("x_realtime"), 1),
                    _f(r.get("cores_used"), 2),
                    _f(r.get("cpu_s_per_video_s"), 3),
                    _f(est, 1),
                    _other(r),
                ]
            )
        table(
            [
                "clip",
                "analysed",
                "analysed f/s",
                "min-max",
                "x real time",
                "cores used",
                "CPU-s/video-s",
                "cams/machine*",
                "other load",
            ],
            rows,
        )
        print("* arithmetic only: the machine's cores / CPU-seconds per video second; the capacity trials measure it.")
        print("\n== where the time goes, ms per analysed frame (one instrumented run) ==")
        rows = []
        for r in e2e:
            p = r.get("profile")
            if not p:
                continue
            c = r["clip"]
            rows.append(
                [
                    f"{c['width']}x{c['height']} {_f(c['fps'], 0)} fps",
                    f"{_f(p['decode_ms_per_analysed'], 2)} ({_f(p['decode_ms_per_frame'], 2)}/f)",
                    _f(p.get("decode_cpu_ms_per_frame"), 2),
                    _f(p["convert_ms_per_analysed"], 2),
                    _f(p["source_ms_per_analysed"], 2),
                    _f(p.get("preprocess_ms"), 2),
                    _f(p.get("model_ms"), 2),
                    _f(p.get("postprocess_ms"), 2),
                    _f(p["tracking_ms"], 2),
                    _f(p["rest_ms"], 2),
                    _f(p["runner_ms"], 2),
                    _f(p["wall_ms_per_analysed"], 2),
                ]
            )
        table(
            [
                "clip",
                "decode all",
                "dec CPU/f",
                "BGR conv",
                "source tot",
                "letterbox",
                "model",
                "post+NMS",
                "tracking",
                "zones etc",
                "runner",
                "total",
            ],
            rows,
        )
        print(
            "decode all: decoding every frame (analysed or not) charged to the analysed ones (own pass, threaded as "
            "FileSource), in brackets per decoded frame; dec CPU/f: CPU ms (all threads) per decoded frame; "
            "BGR conv: conversion of an analysed frame; source tot: the source's whole time in the "
            "pipeline run (decode + conversion); zones etc: masks, zone membership, zone state, rules, aggregation."
        )

    sbs = res.get("side_by_side")
    if sbs:
        c = sbs["clip"]
        print(
            f"\n== side by side on {c['name']} ({c['width']}x{c['height']} {_f(c['fps'], 0)} fps, "
            f"{c['duration_s']:.0f} s), models loaded and warmed before timing =="
        )
        for part, title, metric in (
            (
                "equal",
                "A. equal work: the same frames (every 5th of 25 fps, i.e. 5 fps), the same YOLO11n at 640, 2 threads",
                "analysed_fps",
            ),
            (
                "natural",
                "B. as each tool is naturally used: cvmon default (YOLOX-Nano 416, 5 fps); QueueManager on every "
                "frame, Ultralytics' own thread setting; naive loop detecting every frame with YOLO11n 640 ONNX",
                "video_fps",
            ),
        ):
            rows_in = sbs.get(part) or []
            if not rows_in:
                continue
            print(title)
            rows = []
            for r in rows_in:
                if r.get("error"):
                    rows.append(["?", *["-"] * 7, r["error"][:60]])
                    continue
                rows.append(
                    [
                        r["tool"],
                        str(r.get("model")),
                        _f(r.get("threads"), 0),
                        f"{r['analysed']}/{r['decoded']}",
                        _f(r.get("wall_s"), 2),
                        _f(r.get("analysed_fps"), 1),
                        _f(r.get("video_fps"), 1),
                        _f(r.get("x_realtime"), 2),
                        _other(r),
                    ]
                )
            table(
                [
                    "tool",
                    "model",
                    "thr",
                    "analysed/decoded",
                    "wall s",
                    "analysed f/s",
                    "video f/s",
                    "x real time",
                    "other load",
                ],
                rows,
            )
            by = {r.get("tool"): r for r in rows_in if not r.get("error")}
            cv = by.get("cvmon", {}).get(metric)
            what = "analysed frames/s" if metric == "analysed_fps" else "video frames/s (= times real time)"
            print(
                f"   ratios on {what}: cvmon / QueueManager = {_ratio(cv, by.get('QueueManager', {}).get(metric))}, "
                f"cvmon / naive = {_ratio(cv, by.get('naive loop', {}).get(metric))}"
            )

    cap = res.get("capacity")
    if cap:
        s = cap["settings"]
        print(
            f"\n== capacity: one process per camera (cvmon run_live, no database), "
            f"{s['clip'].rsplit('/', 1)[-1]} played at its real rate, {s['fps']:g} analysed fps, "
            f"{s['duration_s']:.0f} s trials, lag limit {s['max_lag_s']:g} s after {s['warmup_s']:g} s warm-up =="
        )
        rows = []
        for t in cap["trials"]:
            rows.append(
                [
                    str(t["cameras"]),
                    "pass" if t["passed"] else "FAIL",
                    _f(t.get("worst_max_lag_s"), 2),
                    _f(t.get("median_lag_s"), 3),
                    _f(t.get("analysed_fps_per_camera"), 2),
                    _f(t.get("cpu_pct_per_camera"), 0),
                    _f(t.get("rss_mb_per_camera"), 0),
                    _f(t.get("pss_mb_per_camera"), 0),
                    _f(t.get("uss_mb_per_camera"), 0),
                    _f(t.get("cameras_cpu_cores"), 2),
                    _f(t.get("other_load_cores"), 2),
                    (t.get("aborted") or "; ".join(t.get("errors") or []))[:50],
                ]
            )
        table(
            [
                "cameras",
                "result",
                "worst lag s",
                "median lag s",
                "f/s/cam",
                "CPU %/cam",
                "RSS MB/cam",
                "PSS MB/cam",
                "USS MB/cam",
                "cams cores",
                "other cores",
                "note",
            ],
            rows,
        )
        more = "" if cap.get("resolved") else " (search not resolved: more trials or cameras needed)"
        print(f"capacity: {cap['capacity']} camera(s) with lag under {s['max_lag_s']:g} s{more}")
        print(
            "CPU % is of one core; PSS splits shared library pages between the cameras (the memory an added "
            "camera costs lies between USS and PSS); other cores: machine CPU not used by the cameras (other load)."
        )
