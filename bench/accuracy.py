"""Accuracy of cvmon's figures on generated scenes with exact ground truth (issue 13, item 8).

Usage: .venv/bin/python bench/accuracy.py [--scenes 30] [--seed 1] [--jobs 1] [--quick] [--per-scene]
       .venv/bin/python bench/accuracy.py --journey [--staff-model warm|cold] [...]   (issue 17, item 6)

Generates scenes from seeds (bench/scenes; videos cached in bench/results/scenes, keyed by seed
and generator version), runs the cvmon of this tree on each with its default settings and the real
detector (as ``cvmon process`` does), and prints the errors against the truth beside the goals.
JSON (every scene's figures) in bench/results/accuracy.json. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench.scenes` importable
    sys.path.insert(0, str(ROOT))

from bench.scenes import GENERATOR_VERSION, Timing, flow_report, generate_scene, plan_for_seed, sprite_bank  # noqa: E402
from bench.scenes.measure import DENSE, run_cvmon, score  # noqa: E402

RESULTS = ROOT / "bench" / "results"
QUICK_SCENES, QUICK_SECONDS = 4, 60.0

GOALS = {
    "visits_exact_share": ">= 90 %",
    "wait_p50": "within 5 %",
    "wait_p90": "within 5 %",
    "staffed_ratio": "within 0.02",
    "queue_mean": "within 0.1",
}


def default_timing() -> Timing:
    """The truth's debounce settings: cvmon's own defaults, read from the tree under test."""
    from cvmon.config.models import TimingConfig

    t = TimingConfig()
    return Timing(t.min_enter_s, t.min_exit_s, t.staffed_grace_s)


def one_scene(args: tuple[int, bool, dict[str, float]]) -> dict[str, Any]:
    seed, quick, tracker = args
    plan = plan_for_seed(seed)
    if quick:
        plan = replace(plan, duration_s=min(plan.duration_s, QUICK_SECONDS), last_arrival_s=None)
    started = time.perf_counter()
    scene = generate_scene(seed, plan, timing=default_timing())
    rendered = time.perf_counter()
    run = run_cvmon(scene, tracker=tracker)
    out = score(scene.truth, run)
    out.update(
        seed=seed,
        scene=scene.name,
        max_queue=plan.max_queue,
        passers=sum(p.role == "passer" for p in scene.script.people),
        customers=sum(p.role == "customer" for p in scene.script.people),
        abandoned=sum(p.abandoned for p in scene.script.people),
        boards=len(scene.script.boards),
        generate_s=round(rendered - started, 1),
        cvmon_s=round(time.perf_counter() - rendered, 1),
    )
    return out


def _values(scenes: list[dict[str, Any]], *path: str) -> list[float]:
    out = []
    for s in scenes:
        v: Any = s
        for key in path:
            v = v.get(key) if isinstance(v, dict) else None
        if v is not None:
            out.append(abs(float(v)))
    return out


def overall(scenes: list[dict[str, Any]]) -> dict[str, Any]:
    def med_max(vals: list[float]) -> dict[str, float | None]:
        return {
            "median": round(statistics.median(vals), 4) if vals else None,
            "worst": round(max(vals), 4) if vals else None,
            "n": len(vals),
        }

    staffed = [abs(z["error"]) for s in scenes for z in s["staffed"].values() if z["error"] is not None]
    staffed_stored = [
        abs(z["stored_error"]) for s in scenes for z in s["staffed"].values() if z["stored_error"] is not None
    ]
    staffed_bias = [z["error"] for s in scenes for z in s["staffed"].values() if z["error"] is not None]
    dense_n = sum(s["count"]["dense_n"] for s in scenes)
    return {
        "scenes": len(scenes),
        "visits_exact_share": round(sum(s["visits_exact"] for s in scenes) / len(scenes), 4),
        "visits_truth": sum(v["truth"] for s in scenes for v in s["visits"].values()),
        "visit_error_total": sum(s["visit_error"] for s in scenes),
        "visit_diff_total": sum(s["visit_diff"] for s in scenes),
        "wait_p50": med_max(_values(scenes, "wait", "p50_rel_error")),
        "wait_p90": med_max(_values(scenes, "wait", "p90_rel_error")),
        "stored_wait_p50": med_max(_values(scenes, "wait", "stored_p50_rel_error")),
        "stored_wait_p90": med_max(_values(scenes, "wait", "stored_p90_rel_error")),
        "staffed_ratio": med_max(staffed),
        "stored_staffed_ratio": med_max(staffed_stored),
        "staffed_ratio_bias": round(statistics.mean(staffed_bias), 4) if staffed_bias else None,
        "queue_mean": med_max(_values(scenes, "queue_mean", "error")),
        "count_mae": round(statistics.mean(s["count"]["mae"] for s in scenes), 4),
        "count_bias": round(statistics.mean(s["count"]["bias"] for s in scenes), 4),
        "count_mae_worst": round(max(s["count"]["mae"] for s in scenes), 4),
        "dense_frames": dense_n,
        "dense_mae": round(sum(s["count"]["dense_abs_sum"] for s in scenes) / dense_n, 4) if dense_n else None,
        "dense_bias": round(sum(s["count"]["dense_sum"] for s in scenes) / dense_n, 4) if dense_n else None,
    }


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f} %"


def _num(v: float | None, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def table(o: dict[str, Any]) -> str:
    rows = [
        ("measure", "result", "goal"),
        (
            "scenes with exact visit counts (every zone)",
            f"{_pct(o['visits_exact_share'])}",
            GOALS["visits_exact_share"],
        ),
        (
            "visit-count error, total over scenes (cvmon - truth)",
            f"{o['visit_error_total']} of {o['visits_truth']} ({o['visit_diff_total']:+d})",
            "0",
        ),
        (
            "wait p50 relative error (as printed, 0.1 s), median / worst",
            f"{_pct(o['wait_p50']['median'])} / {_pct(o['wait_p50']['worst'])}",
            GOALS["wait_p50"],
        ),
        (
            "wait p90 relative error (as printed), median / worst",
            f"{_pct(o['wait_p90']['median'])} / {_pct(o['wait_p90']['worst'])}",
            GOALS["wait_p90"],
        ),
        (
            "  same from the stored histograms, unrounded",
            f"p50 {_pct(o['stored_wait_p50']['median'])} / {_pct(o['stored_wait_p50']['worst'])}, "
            f"p90 {_pct(o['stored_wait_p90']['median'])} / {_pct(o['stored_wait_p90']['worst'])}",
            GOALS["wait_p50"],
        ),
        (
            "staffed-ratio error, median / worst (mean signed)",
            f"{_num(o['staffed_ratio']['median'])} / {_num(o['staffed_ratio']['worst'])} "
            f"({_num(o['staffed_ratio_bias'], 3)})",
            GOALS["staffed_ratio"],
        ),
        (
            "  same from the stored minute rows",
            f"{_num(o['stored_staffed_ratio']['median'])} / {_num(o['stored_staffed_ratio']['worst'])}",
            GOALS["staffed_ratio"],
        ),
        (
            "queue-mean error (people), median / worst",
            f"{_num(o['queue_mean']['median'])} / {_num(o['queue_mean']['worst'])}",
            GOALS["queue_mean"],
        ),
        (
            "per-frame count error per zone (MAE; mean signed), worst scene",
            f"{_num(o['count_mae'])} ({o['count_bias']:+.3f}), {_num(o['count_mae_worst'])}",
            "",
        ),
        (
            f"  on dense zone-frames (>= {DENSE} people; MAE, mean signed)",
            f"{_num(o['dense_mae'])} ({_num(o['dense_bias'])}) over {o['dense_frames']}",
            "",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(r)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def scene_table(scenes: list[dict[str, Any]]) -> str:
    head = (
        "seed   s    q  visits q/c/s (truth)       p50 s (truth)   p90 s (truth)   staffed (truth)  qmean (truth)  MAE"
    )
    lines = [head]
    for s in scenes:
        v = s["visits"]
        w = s["wait"]
        st = s["staffed"].get("staff", {})
        vis = "/".join(str(v[z]["cvmon"]) for z in v) + " (" + "/".join(str(v[z]["truth"]) for z in v) + ")"
        lines.append(
            f"{s['seed']:<5} {s['seconds']:>4.0f} {s['max_queue']:>2}  {vis:<24} "
            f"{_num(w['cvmon_p50'], 1):>6} ({_num(w['truth_p50'], 1):>5})  "
            f"{_num(w['cvmon_p90'], 1):>6} ({_num(w['truth_p90'], 1):>5})  "
            f"{_num(st.get('cvmon')):>6} ({_num(st.get('truth')):>5})  "
            f"{_num(s['queue_mean']['cvmon'], 2):>5} ({_num(s['queue_mean']['truth'], 2):>5})  "
            f"{s['count']['mae']:.3f}{'' if s['visits_exact'] else '  *'}"
        )
    lines.append("* visit counts not exact")
    return "\n".join(lines)


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "cvmon"], cwd=ROOT, capture_output=True, text=True
        ).stdout
    except OSError:
        return "unknown"
    return sha.strip() + (" (cvmon/ modified)" if dirty.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", type=int, default=30, help="number of scenes (seeds seed..seed+N-1)")
    parser.add_argument("--seed", type=int, default=1, help="first seed")
    parser.add_argument("--seeds", type=str, default=None, help="these seeds instead (comma-separated)")
    parser.add_argument("--jobs", type=int, default=1, help="scenes run in parallel (CPU heavy)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SCENES} scenes of at most {QUICK_SECONDS:.0f} s")
    parser.add_argument("--per-scene", action="store_true", help="print a row per scene too")
    parser.add_argument("--out", type=Path, default=RESULTS / "accuracy.json")
    parser.add_argument(
        "--hold-unseen-s",
        type=float,
        default=None,
        help="tracker.hold_unseen_s instead of its default (0: count detections only), to compare",
    )
    parser.add_argument(
        "--journey",
        action="store_true",
        help="the journey family instead (staff and customers, flow figures; JSON in accuracy-journey.json)",
    )
    parser.add_argument(
        "--staff-model",
        choices=("warm", "cold"),
        default="warm",
        help="with --journey: start from the staff model learned on a staff-only scene (warm), or from none (cold)",
    )
    args = parser.parse_args(argv)
    if args.journey:
        return flow_report.main(args)
    tracker = {} if args.hold_unseen_s is None else {"hold_unseen_s": args.hold_unseen_s}
    n = QUICK_SCENES if args.quick and args.scenes == 30 else args.scenes
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else list(range(args.seed, args.seed + n))
    started = time.perf_counter()
    sprite_bank()  # built once before any worker starts
    work = [(seed, args.quick, tracker) for seed in seeds]
    scenes: list[dict[str, Any]] = []
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            for s in pool.imap(one_scene, work):
                scenes.append(s)
                print(f"scene {s['seed']}: visits exact {s['visits_exact']}", file=sys.stderr, flush=True)
    else:
        for w in work:
            s = one_scene(w)
            scenes.append(s)
            print(f"scene {s['seed']}: visits exact {s['visits_exact']}", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    o = overall(scenes)
    timing = default_timing()
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "generator": GENERATOR_VERSION,
        "seeds": [seeds[0], seeds[-1]],
        "quick": args.quick,
        "timing": {
            "min_enter_s": timing.min_enter_s,
            "min_exit_s": timing.min_exit_s,
            "staffed_grace_s": timing.staffed_grace_s,
        },
        "tracker_overrides": tracker,
        "elapsed_s": round(elapsed, 1),
        "goals": GOALS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "overall": o, "scenes": scenes}, indent=1), encoding="utf-8")
    print(
        f"cvmon accuracy on {len(scenes)} generated scenes (seeds {seeds[0]}-{seeds[-1]}, "
        f"{sum(s['seconds'] for s in scenes) / 60:.0f} min of video, generator {GENERATOR_VERSION}), "
        f"commit {meta['commit']}, default settings (min_enter_s {timing.min_enter_s:g}, "
        f"min_exit_s {timing.min_exit_s:g}, staffed_grace_s {timing.staffed_grace_s:g})"
        f"{'' if not tracker else ', tracker ' + str(tracker)}, {elapsed:.0f} s"
    )
    print(table(o))
    if args.per_scene:
        print()
        print(scene_table(scenes))
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
