"""Run cvmon on a journey scene as ``cvmon process`` does, and score its roles and flow against the truth.

cvmon runs with the scene's cameras.yaml (``staff.enabled``, the journey, every other setting its
default) and the real detector. What is scored:

* **Flow**: the journey counts cvmon stores (the minute rows of the journey's first zone, added up, as
  ``cvmon stats`` and the viewer read them) against ``FlowTruth.totals``; the journey time's mean and
  median (from the stored histogram) against the truth's.
* **Roles**: each true person's verdict is the majority, over the analysed frames a track covered them,
  of that track's latest firm verdict (staff or customer; unsure if it never had one: the one the
  journey counter closes a journey with); a track covers the
  person whose feet its box's bottom centre is nearest on that frame (one track per person, one person
  per track: an assignment, within a third of the person's height across and a quarter up or down). A
  person no track ever covered is ``unseen``.

The staff model: a camera keeps its staff model in its evidence folder and resumes from it; a scene here
has none. ``warm_staff_model`` learns the model on a staff-only scene of the same office (the three staff
at their posts for ``WARMUP_S``), and a run given it resumes from that (``warm``), as a camera that has
run before does; without it (``cold``) it starts from none, as a camera's first run does, and classifies
nobody until ``min_examples`` staff examples are in.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from bench.scenes import CACHE_DIR, MODEL_DIR, GeneratedJourneyScene, JourneyScenePlan, generate_journey_scene
from bench.scenes.journey_truth import FLOW_TRUTH_COUNTS, FlowTruth
from bench.scenes.measure import START, _RowSink
from bench.scenes.script import WIDTH, Script, person_height

WARMUP_S = 150.0
WARMUP_SEED = 0
ACROSS = 1 / 3  # a track covers a person whose feet are within this share of their height across...
UP_DOWN = 1 / 4  # ...and this share up or down
ROLES = ("staff", "customer", "unsure")


@dataclass(slots=True)
class FlowRun:
    """What cvmon made of a journey scene."""

    flow: Any  # ZoneFigures: the stored rows of the journey's first zone, added up
    summary: dict[str, dict[str, Any]]  # per zone, the summary of `cvmon process`
    cover: dict[int, Counter[int]]  # person index -> track id -> analysed frames it covered them
    verdict: dict[int, str]  # track id -> its latest firm verdict (staff, customer), else unsure
    frames: int = 0
    model_ready_s: float | None = None  # video time the staff model was first ready (None: never)
    staff_model: str = ""  # the model's JSON at the end (staff looks only)
    tracks: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _GivenModel:
    """A camera's stored staff model (``cvmon.pipeline.roles.ModelFile``) held in memory: the scene starts
    from it; what the run learns is kept here, never written."""

    text: str

    def read(self) -> tuple[int, str] | None:
        return 0, self.text

    def write(self, text: str) -> int:
        self.text = text
        return 0


def note_verdict(verdicts: dict[int, str], track_id: int, role: str) -> None:
    """Keep a track's latest firm verdict (staff or customer), as the journey counter does; unsure only while
    it never had one (a verdict that falls back to unsure, its votes forgotten, does not undo a firm one)."""
    if role != "unsure" or track_id not in verdicts:
        verdicts[track_id] = role


def _match(script: Script, frame: int, xyxy: np.ndarray) -> list[tuple[int, int]]:
    """(person index, box index) pairs: each box's bottom centre assigned to the nearest person's feet."""
    people = [
        i
        for i, p in enumerate(script.people)
        if frame < script.n_frames and not np.isnan(p.x[frame]) and 0 <= p.x[frame] <= WIDTH
    ]
    if not people or len(xyxy) == 0:
        return []
    px = np.array([script.people[i].x[frame] for i in people])
    py = np.array([script.people[i].y[frame] for i in people])
    h = person_height(py)
    fx, fy = (xyxy[:, 0] + xyxy[:, 2]) / 2, xyxy[:, 3]
    dx = (fx[None, :] - px[:, None]) / (ACROSS * h[:, None])
    dy = (fy[None, :] - py[:, None]) / (UP_DOWN * h[:, None])
    cost = dx**2 + dy**2
    far = (np.abs(dx) > 1) | (np.abs(dy) > 1)
    rows, cols = linear_sum_assignment(np.where(far, 1e6, cost))
    return [(people[r], int(c)) for r, c in zip(rows, cols, strict=True) if not far[r, c]]


def run_flow(
    scene: GeneratedJourneyScene, model_dir: Path = MODEL_DIR, staff_model: str | None = None, start_offset_s: float = 0
) -> FlowRun:
    """cvmon on the scene (``staff_model``: JSON of a learned staff model to start from; None: none)."""
    from cvmon.config.load import load_config, select_camera
    from cvmon.figures import ZoneFigures
    from cvmon.pipeline.runner import build_pipeline, process_recording
    from cvmon.sources.file import FileSource

    config = load_config(scene.config)
    cam = select_camera(config, None)
    pipeline = build_pipeline(config, cam, model_dir)
    stage = pipeline.roles
    if staff_model is not None:
        stage.keep_in(_GivenModel(staff_model))  # as a camera resumes from its stored model
    start = START + timedelta(seconds=start_offset_s)
    source = FileSource(cam.id, scene.video, config.fps_for(cam), start=start)
    run = FlowRun(flow=None, summary={}, cover=defaultdict(Counter), verdict={})

    def on_frame(result: Any) -> None:
        run.frames += 1
        if run.model_ready_s is None and stage.roles.model.ready:
            run.model_ready_s = result.video_s
        tracked = result.tracked
        ids = [] if tracked.tracker_id is None else [int(v) for v in tracked.tracker_id]
        live = [k for k, tid in enumerate(ids) if tid >= 0]
        for tid in (ids[k] for k in live):
            note_verdict(run.verdict, tid, str(stage.roles.role(tid).role))
            run.tracks.add(tid)
        for person, k in _match(scene.script, result.frame_index, tracked.xyxy[live]):
            run.cover[person][ids[live[k]]] += 1

    sink = _RowSink()
    result = process_recording(pipeline, source, sink, on_frame=on_frame)
    assert pipeline.flow is not None, "the scene's cameras.yaml has no journey"
    flow_rows = [r for r in sink.rows if r.zone_id == pipeline.flow_zone]
    total = ZoneFigures()
    for row in flow_rows:
        total = total + row
    zones = result.summary["zones"]
    assert isinstance(zones, dict)
    run.flow, run.summary = total, zones
    run.staff_model = stage.roles.model.to_json()
    return run


def warmup_plan() -> JourneyScenePlan:
    """The staff-only scene a warm staff model is learned from: the three staff at their posts."""
    return JourneyScenePlan(duration_s=WARMUP_S, arrivals=(), staff_walks=False, absences=())


def warm_staff_model(model_dir: Path = MODEL_DIR, cache_dir: Path | None = None) -> str:
    """The staff model cvmon learns on the warm-up scene (rendered and learned once, then cached)."""
    from bench.scenes import JOURNEY_GENERATOR_VERSION

    cache_dir = cache_dir or CACHE_DIR
    path = cache_dir / f"staff-model-v{JOURNEY_GENERATOR_VERSION}-{WARMUP_S:.0f}s.json"
    if path.exists():
        return path.read_text(encoding="utf-8")
    scene = generate_journey_scene(WARMUP_SEED, warmup_plan(), cache_dir)
    run = run_flow(scene, model_dir, start_offset_s=-(WARMUP_S + 60))
    model = json.loads(run.staff_model)
    if not model["staff"]:
        raise RuntimeError("the warm-up scene taught cvmon no staff look")
    path.write_text(run.staff_model, encoding="utf-8")
    return run.staff_model


def _rel(found: float | None, truth: float | None) -> float | None:
    if truth is None or truth == 0:
        return None
    if found is None:
        return 1.0
    return abs(found - truth) / truth


def person_verdicts(truth: FlowTruth, run: FlowRun) -> list[dict[str, Any]]:
    """Each true person: their role, the verdict of the tracks covering them (majority by frames of each
    track's last verdict; ``unseen`` when none did), the frames covered and the tracks."""
    out = []
    for p in truth.people:
        cover = run.cover.get(p.index, Counter())
        votes: Counter[str] = Counter()
        for tid, frames in cover.items():
            votes[run.verdict.get(tid, "unsure")] += frames
        verdict = "unseen" if not votes else max(ROLES, key=lambda r: (votes[r], r == "unsure"))
        out.append(
            {"person": p.index, "role": p.role, "verdict": verdict, "frames": sum(cover.values()), "tracks": len(cover)}
        )
    return out


def score_flow(truth: FlowTruth, run: FlowRun) -> dict[str, Any]:
    """Per-scene figures: truth beside cvmon, and the errors the benchmark aggregates."""
    counts = {name: {"truth": truth.totals[name], "cvmon": int(getattr(run.flow, name))} for name in FLOW_TRUTH_COUNTS}
    for c in counts.values():
        c["error"] = c["cvmon"] - c["truth"]
    times = list(truth.journey_times)
    hist = run.flow.journey_hist
    journey = {
        "truth_n": len(times),
        "cvmon_n": hist.total,
        "truth_mean": statistics.mean(times) if times else None,
        "cvmon_mean": run.flow.mean_journey_s,
        "truth_p50": float(np.median(times)) if times else None,
        "cvmon_p50": hist.quantile(0.5),
        "truth_s": [round(t, 1) for t in times],
    }
    journey["mean_rel_error"] = _rel(journey["cvmon_mean"], journey["truth_mean"])
    journey["p50_rel_error"] = _rel(journey["cvmon_p50"], journey["truth_p50"])
    people = person_verdicts(truth, run)
    roles: dict[str, dict[str, int]] = {}
    for role in ("staff", "customer"):
        mine = [p for p in people if p["role"] == role]
        roles[role] = {"n": len(mine), **{v: sum(p["verdict"] == v for p in mine) for v in (*ROLES, "unseen")}}
    return {
        "counts": counts,
        "unsure_journeys": int(run.flow.journeys_unsure),
        "journey": journey,
        "roles": roles,
        "people": people,
        "model_ready_s": run.model_ready_s,
        "tracks": len(run.tracks),
    }
