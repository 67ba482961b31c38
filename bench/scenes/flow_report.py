"""``bench/accuracy.py --journey``: cvmon's staff/customer classification and flow figures on the journey
family (issue 17, item 6), per scene and over the family, beside their goals. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.scenes import (
    JOURNEY_GENERATOR_VERSION,
    FlowRules,
    Timing,
    generate_journey_scene,
    journey_bank,
    journey_plan_for_seed,
)
from bench.scenes.flow_measure import run_flow, score_flow, warm_staff_model
from bench.scenes.journey_truth import FLOW_TRUTH_COUNTS

RESULTS = Path(__file__).resolve().parents[1] / "results"
QUICK_SCENES, QUICK_SECONDS = 4, 150.0


def cvmon_timing() -> tuple[Timing, FlowRules]:
    """The truth's settings: cvmon's own defaults, read from the tree under test."""
    from cvmon.config.journey import JourneyConfig
    from cvmon.config.models import TimingConfig

    t = TimingConfig()
    return Timing(t.min_enter_s, t.min_exit_s, t.staffed_grace_s), FlowRules(
        JourneyConfig.model_fields["abandon_min_s"].default
    )


def one_journey_scene(args: tuple[int, bool, str | None]) -> dict[str, Any]:
    seed, quick, staff_model = args
    plan = journey_plan_for_seed(seed)
    if quick:
        plan = replace(plan, duration_s=min(plan.duration_s, QUICK_SECONDS), last_arrival_s=None)
    timing, rules = cvmon_timing()
    started = time.perf_counter()
    scene = generate_journey_scene(seed, plan, timing=timing, rules=rules)
    rendered = time.perf_counter()
    run = run_flow(scene, staff_model=staff_model)
    out = score_flow(scene.flow, run)
    people = scene.script.people
    out.update(
        seed=seed,
        scene=scene.name,
        seconds=scene.truth.seconds,
        max_queue=plan.max_queue,
        customers=sum(p.role == "customer" for p in people),
        gave_up=sum(p.abandoned for p in people),
        stopped_at_guard=sum(p.stopped_at_guard for p in people),
        guided=sum(p.guided for p in people),
        generate_s=round(rendered - started, 1),
        cvmon_s=round(time.perf_counter() - rendered, 1),
    )
    return out


def _med_max(vals: list[float]) -> dict[str, float | None]:
    return {
        "median": round(statistics.median(vals), 4) if vals else None,
        "worst": round(max(vals), 4) if vals else None,
        "n": len(vals),
    }


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def overall(scenes: list[dict[str, Any]]) -> dict[str, Any]:
    """The family's figures: totals, and per-scene errors as median and worst."""
    roles: dict[str, dict[str, int]] = {}
    for role in ("staff", "customer"):
        roles[role] = {
            k: sum(s["roles"][role][k] for s in scenes) for k in ("n", "staff", "customer", "unsure", "unseen")
        }
    people = roles["staff"]["n"] + roles["customer"]["n"]
    per_scene = {
        role: [s["roles"][role][role] / s["roles"][role]["n"] for s in scenes if s["roles"][role]["n"]]
        for role in ("staff", "customer")
    }
    counts: dict[str, Any] = {}
    for name in FLOW_TRUTH_COUNTS:
        errors = [s["counts"][name]["error"] for s in scenes]
        truth = sum(s["counts"][name]["truth"] for s in scenes)
        rel = [
            abs(s["counts"][name]["error"]) / s["counts"][name]["truth"] for s in scenes if s["counts"][name]["truth"]
        ]
        counts[name] = {
            "truth": truth,
            "cvmon": sum(s["counts"][name]["cvmon"] for s in scenes),
            "abs_error": sum(abs(e) for e in errors),
            "signed_error": sum(errors),
            "scene_abs": _med_max([abs(e) for e in errors]),
            "scene_rel": _med_max(rel),
            "exact_scenes": sum(e == 0 for e in errors),
        }
    return {
        "scenes": len(scenes),
        "roles": roles,
        "staff_right": _share(roles["staff"]["staff"], roles["staff"]["n"]),
        "customer_right": _share(roles["customer"]["customer"], roles["customer"]["n"]),
        "unsure": _share(roles["staff"]["unsure"] + roles["customer"]["unsure"], people),
        "staff_right_scene": _med_max([1 - v for v in per_scene["staff"]]),  # worst: the largest share missed
        "customer_right_scene": _med_max([1 - v for v in per_scene["customer"]]),
        "counts": counts,
        "unsure_journeys": sum(s["unsure_journeys"] for s in scenes),
        "journey_mean": _med_max(
            [s["journey"]["mean_rel_error"] for s in scenes if s["journey"]["mean_rel_error"] is not None]
        ),
        "journey_p50": _med_max(
            [s["journey"]["p50_rel_error"] for s in scenes if s["journey"]["p50_rel_error"] is not None]
        ),
        "journeys_timed": {
            "truth": sum(s["journey"]["truth_n"] for s in scenes),
            "cvmon": sum(s["journey"]["cvmon_n"] for s in scenes),
        },
    }


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f} %"


def _count_row(o: dict[str, Any], name: str, label: str) -> tuple[str, str]:
    c = o["counts"][name]
    return (
        label,
        f"{c['cvmon']} vs {c['truth']} ({c['signed_error']:+d}; |err| {c['abs_error']}); per scene |err| "
        f"{c['scene_abs']['median']:g} / {c['scene_abs']['worst']:g}, rel {_pct(c['scene_rel']['median'])} / "
        f"{_pct(c['scene_rel']['worst'])}; exact in {c['exact_scenes']} of {o['scenes']}",
    )


def table(o: dict[str, Any]) -> str:
    r = o["roles"]
    rows = [
        ("measure", "result (median / worst per scene)"),
        (
            "staff classified staff (share of staff people)",
            f"{_pct(o['staff_right'])} ({r['staff']['staff']} of {r['staff']['n']}; customer {r['staff']['customer']}, "
            f"unsure {r['staff']['unsure']}, unseen {r['staff']['unseen']}); missed per scene "
            f"{_pct(o['staff_right_scene']['median'])} / {_pct(o['staff_right_scene']['worst'])}",
        ),
        (
            "customers classified customer",
            f"{_pct(o['customer_right'])} ({r['customer']['customer']} of {r['customer']['n']}; staff "
            f"{r['customer']['staff']}, unsure {r['customer']['unsure']}, unseen {r['customer']['unseen']}); "
            f"missed per scene {_pct(o['customer_right_scene']['median'])} / "
            f"{_pct(o['customer_right_scene']['worst'])}",
        ),
        ("people whose role stayed unsure", _pct(o["unsure"])),
        _count_row(o, "arrivals", "arrivals (cvmon vs truth)"),
        _count_row(o, "abandoned", "abandoned"),
        (
            "journey time (door to counter), mean per scene, rel. error",
            f"{_pct(o['journey_mean']['median'])} / {_pct(o['journey_mean']['worst'])} over {o['journey_mean']['n']} "
            f"scenes; journeys timed {o['journeys_timed']['cvmon']} vs {o['journeys_timed']['truth']}",
        ),
        (
            "  median journey time per scene (stored histogram), rel. error",
            f"{_pct(o['journey_p50']['median'])} / {_pct(o['journey_p50']['worst'])}",
        ),
        _count_row(o, "met_at_door", "met at the door"),
        _count_row(o, "guided_before_queue", "guided before the queue"),
        _count_row(o, "skipped_required", "skipped a required step"),
        _count_row(o, "queued", "queued"),
        _count_row(o, "reached_counter", "reached the counter"),
        _count_row(o, "joined_midway", "joined mid-way (truth: first seen past the door)"),
        ("journeys whose role was unsure (counted apart)", str(o["unsure_journeys"])),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = ["| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def scene_table(scenes: list[dict[str, Any]]) -> str:
    head = (
        "seed   s   q  staff ok/n  cust ok/n unsure  arrivals  met      guided   skipped  abandoned  "
        "journey mean s (truth)  ready s"
    )
    lines = [head]
    for s in scenes:
        c, r, j = s["counts"], s["roles"], s["journey"]
        unsure = r["staff"]["unsure"] + r["customer"]["unsure"]

        def pair(name: str, c: dict[str, Any] = c) -> str:
            return f"{c[name]['cvmon']}/{c[name]['truth']}"

        mean = "-" if j["cvmon_mean"] is None else f"{j['cvmon_mean']:.1f}"
        true_mean = "-" if j["truth_mean"] is None else f"{j['truth_mean']:.1f}"
        ready = "-" if s["model_ready_s"] is None else f"{s['model_ready_s']:.0f}"
        lines.append(
            f"{s['seed']:<5} {s['seconds']:>4.0f} {s['max_queue']:>2}  {r['staff']['staff']:>3}/{r['staff']['n']:<3}"
            f"    {r['customer']['customer']:>3}/{r['customer']['n']:<3} {unsure:>4}    {pair('arrivals'):<8}  "
            f"{pair('met_at_door'):<7}  {pair('guided_before_queue'):<7}  {pair('skipped_required'):<7}  "
            f"{pair('abandoned'):<9}  {mean:>6} ({true_mean:>6})         {ready:>5}"
        )
    lines.append("cvmon/truth; ready s: video time the staff model could first classify (0: warm from the start)")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """Run the journey family with ``bench/accuracy.py``'s arguments."""
    n = QUICK_SCENES if args.quick and args.scenes == 30 else args.scenes
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else list(range(args.seed, args.seed + n))
    out_path = args.out if args.out != RESULTS / "accuracy.json" else RESULTS / "accuracy-journey.json"
    started = time.perf_counter()
    journey_bank()  # built once before any worker starts
    model = warm_staff_model() if args.staff_model == "warm" else None
    work = [(seed, args.quick, model) for seed in seeds]
    scenes: list[dict[str, Any]] = []

    def note(s: dict[str, Any]) -> None:
        scenes.append(s)
        c = s["counts"]
        print(
            f"scene {s['seed']}: arrivals {c['arrivals']['cvmon']}/{c['arrivals']['truth']}, abandoned "
            f"{c['abandoned']['cvmon']}/{c['abandoned']['truth']} ({s['generate_s']:.0f} s + {s['cvmon_s']:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            for s in pool.imap(one_journey_scene, work):
                note(s)
    else:
        for w in work:
            note(one_journey_scene(w))
    elapsed = time.perf_counter() - started
    o = overall(scenes)
    timing, rules = cvmon_timing()
    from bench.accuracy import _commit

    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "generator": JOURNEY_GENERATOR_VERSION,
        "family": "journey",
        "seeds": seeds,
        "quick": args.quick,
        "staff_model": args.staff_model,
        "timing": {
            "min_enter_s": timing.min_enter_s,
            "min_exit_s": timing.min_exit_s,
            "abandon_min_s": rules.abandon_min_s,
        },
        "elapsed_s": round(elapsed, 1),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps({"meta": meta, "overall": o, "scenes": scenes}, indent=1), encoding="utf-8")
    print(
        f"cvmon staff/customer and flow on {len(scenes)} generated journey scenes (seeds {seeds[0]}-{seeds[-1]}, "
        f"{sum(s['seconds'] for s in scenes) / 60:.0f} min of video, generator {JOURNEY_GENERATOR_VERSION}), commit "
        f"{meta['commit']}, default settings, staff model {args.staff_model}, {elapsed:.0f} s"
    )
    print(table(o))
    if args.per_scene:
        print()
        print(scene_table(scenes))
    print(f"JSON: {out_path}")
    return 0
