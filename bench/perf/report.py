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
    for key, c in clips.items():
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
        _int8_note(res, dets)

    if res.get("session_options"):
        _session_options(res["session_options"])

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

    if res.get("decode"):
        _decode(res["decode"])

    if res.get("capacity"):
        _capacity(res["capacity"])


def _int8_note(res: dict[str, Any], dets: list[dict[str, Any]]) -> None:
    by = {d.get("key"): d for d in dets}
    f, q = by.get("onnx yolox_nano_416"), by.get("onnx yolox_nano_416 int8")
    if not f or not q or q.get("error"):
        return
    fm, qm = (f.get("accuracy") or {}).get("mae"), (q.get("accuracy") or {}).get("mae")
    diff = f"{qm - fm:+.3f}" if fm is not None and qm is not None else "-"
    recipe = (res.get("int8") or {}).get("recipe", "")
    print(
        f"int8 vs float YOLOX-Nano 416 ({_f(q.get('threads'), 0)} threads): detect {_f(q.get('detect_ms'), 2)} vs "
        f"{_f(f.get('detect_ms'), 2)} ms ({_ratio(q.get('detect_ms'), f.get('detect_ms'))}), model alone "
        f"{_f(q.get('model_ms'), 2)} vs {_f(f.get('model_ms'), 2)} ms; count MAE {_f(qm, 3)} vs {_f(fm, 3)} "
        f"(int8 minus float {diff}). int8: {recipe}."
    )


def _session_options(rows_in: list[dict[str, Any]]) -> None:
    print("\n== onnxruntime session options: detect() on 1080p frames, wall and CPU ms per frame ==")
    base = next(
        (r for r in rows_in if r.get("key") == "onnx yolox_nano_416" and r.get("threads") == 1 and not r.get("error")),
        {},
    )
    rows = []
    for r in rows_in:
        rows.append(
            [
                r.get("key", "?"),
                _f(r.get("threads"), 0),
                str(r.get("spinning", "default")),
                _f(r.get("detect_ms"), 2),
                _f(r.get("detect_cpu_ms"), 2),
                _ratio(r.get("detect_cpu_ms"), r.get("detect_ms")),
                _f(r.get("model_ms"), 2),
                _f(r.get("model_cpu_ms"), 2),
                _ratio(r.get("detect_ms"), base.get("detect_ms")),
                _ratio(r.get("detect_cpu_ms"), base.get("detect_cpu_ms")),
                _other(r),
                (r.get("error") or "")[:50],
            ]
        )
    table(
        [
            "model",
            "thr",
            "spinning",
            "ms/frame",
            "CPU-ms/frame",
            "CPU/wall",
            "model ms",
            "model CPU-ms",
            "ms vs 1 thr",
            "CPU vs 1 thr",
            "other load",
            "note",
        ],
        rows,
    )
    print(
        "spinning: session.intra_op.allow_spinning (default: onnxruntime's pool threads spin while waiting for "
        "work; 0: they sleep). CPU-ms: process_time, every thread of the process; with one thread there is no "
        "pool, so spinning changes nothing. 'vs 1 thr': against the float model with 1 thread, default spinning. "
        "Medians over repeats."
    )


def _decode(dec: dict[str, Any]) -> None:
    n = dec.get("cameras", 16)
    fps = dec.get("analysis_fps", 5)
    print(f"\n== decoding with PyAV: wall and CPU ms per frame, and what {n} cameras need ==")
    rows = []
    for r in dec.get("rows") or []:
        if r.get("error"):
            rows.append([r.get("key", "?"), *["-"] * 8, r["error"][:50]])
            continue
        c = r["clip"]
        cores = r["cpu_ms"] * r["per_s"] * n / 1000 if r.get("cpu_ms") is not None else None
        rows.append(
            [
                r["key"],
                f"{c['width']}x{c['height']}",
                _f(r.get("thread_count"), 0) if r.get("thread_count") is not None else "auto",
                f"{r['frames_out']}/{r['frames']}",
                _f(r.get("ms"), 2),
                _f(r.get("cpu_ms"), 2),
                f"{r['per_s']:g}",
                _f(cores, 2),
                _other(r),
                "",
            ]
        )
    table(
        [
            "decoding / converting",
            "size",
            "thr",
            "out/frames",
            "ms/frame",
            "CPU-ms/frame",
            "frames/s",
            f"cores x{n} cams",
            "other load",
            "note",
        ],
        rows,
    )
    print(
        "decode rows: per frame of the stream (every frame is read, whether or not the decoder puts it out; "
        "out/frames: frames put out / frames in the clip); thr: the codec context's thread count once open "
        "(FFmpeg picks cores+1 for 0). Conversion rows: to_ndarray('bgr24') per analysed frame "
        f"({fps:g} fps), in a pass of their own; out/frames: converted / decoded; thr: swscale threads asked "
        "(auto: PyAV's default, what cvmon's sources use). CPU: every thread of the process. "
        f"cores x{n} cams = CPU-ms/frame x frames/s x {n} cameras / 1000: core-seconds per second "
        f"(decode: x 25 fps; conversion: x {fps:g} fps). skip_loop_filter=all and skip_frame=NONREF change "
        "the pictures (no deblocking; fewer, irregularly spaced frames): their effect on detection is not measured."
    )
    by = {r.get("key"): r for r in dec.get("rows") or [] if not r.get("error")}
    for size in ("1080p", "360p"):
        d = by.get(f"{size}, 1 thread") or by.get(f"{size} sub-stream, 1 thread")
        cv = by.get(f"{size} BGR conversion (PyAV default threads)")
        if d and cv and d.get("cpu_ms") is not None and cv.get("cpu_ms") is not None:
            a = d["cpu_ms"] * d["per_s"] * n / 1000
            b = cv["cpu_ms"] * cv["per_s"] * n / 1000
            print(
                f"{n} cameras at {size}, one decoding thread each: decode {a:.2f} + BGR conversion {b:.2f} = "
                f"{a + b:.2f} cores before any inference"
            )


def _capacity(cap: dict[str, Any]) -> None:
    modes: dict[str, dict[str, Any]] = cap.get("modes") or {}
    for mode, res in modes.items():
        s = res["settings"]
        what = {
            "shared": "as cvmon run by default: one process per core, a thread per camera, one detector per process "
            "(single-threaded inference and decoding when a process hosts more than one camera)",
            "process": "one process per camera, cvmon's default threads",
        }.get(mode, mode)
        gate = {None: "as cvmon's default", True: "on", False: "off"}.get(s.get("motion_gate"), "?")
        print(
            f"\n== capacity, {mode} mode: {what}; cvmon run_live, no database, motion gate {gate}, "
            f"{s['clip'].rsplit('/', 1)[-1]} played at its real rate, {s['fps']:g} analysed fps, "
            f"{s['duration_s']:.0f} s trials, lag limit {s['max_lag_s']:g} s after {s['warmup_s']:g} s warm-up =="
        )
        rows = []
        for t in res["trials"]:
            rows.append(
                [
                    str(t["cameras"]),
                    f"{t.get('processes', t['cameras'])}x{t.get('cameras_per_process', 1)}"
                    + ("*" if t.get("single_thread") else ""),
                    "pass" if t["passed"] else "FAIL",
                    _f(t.get("worst_max_lag_s"), 2),
                    _f(t.get("median_lag_s"), 3),
                    _f(t.get("analysed_fps_per_camera"), 2),
                    _f(t.get("detector_share"), 2),
                    _f(t.get("cpu_pct_per_camera"), 0),
                    _f(t.get("pss_mb_total"), 0),
                    _f(t.get("pss_mb_per_camera"), 0),
                    _f(t.get("pss_mb_per_added_camera"), 0),
                    _f(t.get("uss_mb_per_added_camera"), 0),
                    _f(t.get("cameras_cpu_cores"), 2),
                    _f(t.get("other_load_cores"), 2),
                    (t.get("aborted") or "; ".join(t.get("errors") or []))[:50],
                ]
            )
        table(
            [
                "cameras",
                "procs",
                "result",
                "worst lag s",
                "median lag s",
                "f/s/cam",
                "det share",
                "CPU %/cam",
                "PSS MB all",
                "PSS MB/cam",
                "PSS +MB/cam",
                "USS +MB/cam",
                "cams cores",
                "other cores",
                "note",
            ],
            rows,
        )
        more = "" if res.get("resolved") else " (search not resolved: more trials or cameras needed)"
        print(f"capacity ({mode}): {res['capacity']} camera(s) with lag under {s['max_lag_s']:g} s{more}")
    print(
        "procs: processes x cameras per process (*: single-threaded inference and decoding per camera). "
        "det share: analysed frames the detector ran on (cvmon's motion gate skips the others). CPU %/cam: "
        "the processes' CPU over the trial / cameras, % of one core. PSS MB all: the processes' PSS summed; "
        "PSS/USS +MB/cam: memory per added camera = (total at N - total at the smallest N) / (N - smallest N), the "
        "honest figure (PSS MB/cam also shares out the fixed cost). other cores: machine CPU not used by the cameras."
    )
    if len(modes) > 1 and "shared" in modes and "process" in modes:
        sh, pr = modes["shared"], modes["process"]
        print("\nshared vs process mode:")
        bounds = "" if sh.get("resolved") and pr.get("resolved") else " (a search not resolved: lower bounds)"
        print(
            f"  cameras sustained: shared {sh['capacity']}, process {pr['capacity']}, "
            f"ratio {_ratio(sh['capacity'], pr['capacity'])}{bounds}"
        )
        by_sh = {t["cameras"]: t for t in sh["trials"]}
        by_pr = {t["cameras"]: t for t in pr["trials"]}
        rows = []
        for n in sorted(set(by_sh) & set(by_pr)):
            a, b = by_sh[n], by_pr[n]
            rows.append(
                [
                    str(n),
                    f"{'pass' if a['passed'] else 'FAIL'}/{'pass' if b['passed'] else 'FAIL'}",
                    f"{_f(a.get('cpu_pct_per_camera'), 0)} / {_f(b.get('cpu_pct_per_camera'), 0)}",
                    _ratio(a.get("cpu_pct_per_camera"), b.get("cpu_pct_per_camera")),
                    f"{_f(a.get('pss_mb_total'), 0)} / {_f(b.get('pss_mb_total'), 0)}",
                    _ratio(a.get("pss_mb_total"), b.get("pss_mb_total")),
                    f"{_f(a.get('pss_mb_per_added_camera'), 0)} / {_f(b.get('pss_mb_per_added_camera'), 0)}",
                    _ratio(a.get("pss_mb_per_added_camera"), b.get("pss_mb_per_added_camera")),
                    f"{_f(a.get('worst_max_lag_s'), 2)} / {_f(b.get('worst_max_lag_s'), 2)}",
                ]
            )
        if rows:
            table(
                [
                    "cameras",
                    "shared/process",
                    "CPU %/cam",
                    "ratio",
                    "PSS MB all",
                    "ratio",
                    "PSS +MB/cam",
                    "ratio",
                    "worst lag s",
                ],
                rows,
            )
            print("  ratio: shared / process at the same number of cameras (N the two searches both tried).")
