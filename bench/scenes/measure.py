"""Run cvmon on a generated scene the way ``cvmon process`` does, and score it against the truth.

Two views of cvmon's figures are scored: the run's summary (what ``cvmon process`` prints) and
the stored minute rows (what ``cvmon stats``, the viewer and the reports read; percentiles from
the stored histograms). Per-frame counts are those of ``cvmon process --samples``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.scenes import MODEL_DIR, GeneratedScene
from bench.scenes.truth import SceneTruth

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 WITA, inside service hours
DENSE = 3  # people in one zone from which a frame counts as dense (people overlap)


@dataclass(slots=True)
class _RowSink:
    """Keeps what ``process_recording`` would write to the database."""

    rows: list[Any] = field(default_factory=list)

    def write_minutes(self, rows: Sequence[Any], cameras: Sequence[Any] = (), *, source: str = "") -> None:
        self.rows.extend(rows)

    def write_events(self, events: Sequence[Any]) -> object:
        return None

    def write_alerts(self, camera: Any, changes: Sequence[Any], snapshots: Sequence[Any] = ()) -> object:
        return None


@dataclass(frozen=True, slots=True)
class CvmonRun:
    """What cvmon made of a scene."""

    summary: dict[str, dict[str, Any]]  # per zone, the summary of `cvmon process`
    stored: dict[str, dict[str, Any]]  # per zone, `cvmon stats` of the stored minute rows (percentiles unrounded)
    frames: np.ndarray  # indices of the analysed frames
    counts: dict[str, np.ndarray]  # per zone, the count on each analysed frame


def run_cvmon(scene: GeneratedScene, model_dir: Path = MODEL_DIR, tracker: dict[str, float] | None = None) -> CvmonRun:
    """cvmon with the scene's cameras.yaml (its defaults) and the real detector; ``tracker`` overrides
    fields of the defaults' tracker settings (to compare a setting with its default)."""
    from cvmon.config.load import load_config, select_camera
    from cvmon.metrics.summary import zone_period_stats
    from cvmon.pipeline.runner import build_pipeline, process_recording
    from cvmon.sources.file import FileSource

    config = load_config(scene.config)
    if tracker:
        defaults = config.defaults.model_copy(update={"tracker": config.defaults.tracker.model_copy(update=tracker)})
        config = config.model_copy(update={"defaults": defaults})
    cam = select_camera(config, None)
    pipeline = build_pipeline(config, cam, model_dir)
    source = FileSource(cam.id, scene.video, config.fps_for(cam), start=START)
    frames: list[int] = []
    counts: dict[str, list[int]] = {z.id: [] for z in cam.zones}

    def on_frame(result: Any) -> None:
        frames.append(result.frame_index)
        for zone_id, values in counts.items():
            values.append(result.counts[zone_id])

    sink = _RowSink()
    result = process_recording(pipeline, source, sink, on_frame=on_frame)
    zones = result.summary["zones"]
    assert isinstance(zones, dict)
    stored = {f.zone_id: _unrounded(f) for f in zone_period_stats(sink.rows)}
    return CvmonRun(
        summary=zones,
        stored=stored,
        frames=np.asarray(frames, dtype=int),
        counts={z: np.asarray(v, dtype=int) for z, v in counts.items()},
    )


def _unrounded(stats: Any) -> dict[str, Any]:
    """``cvmon stats`` of a zone, its wait p50 and p90 as the stored histogram gives them (``cvmon stats``
    prints them rounded to 0.1 s, which alone is up to 1.3 % of a 4 s wait)."""
    out = dict(stats.as_dict())
    if out.get("wait_p50_s") is not None:
        out["wait_p50_s"] = stats.figures.visit_hist.quantile(0.5)
        out["wait_p90_s"] = stats.figures.visit_hist.quantile(0.9)
    return out


def _rel(found: float | None, truth: float | None) -> float | None:
    if truth is None or truth == 0:
        return None
    if found is None:
        return 1.0
    return abs(found - truth) / truth


def score(truth: SceneTruth, run: CvmonRun, queue: str = "queue") -> dict[str, Any]:
    """Per-scene figures: truth beside cvmon, and the errors the benchmark aggregates."""
    visits = {z: {"truth": len(t.visits), "cvmon": int(run.summary[z]["visits"])} for z, t in truth.zones.items()}
    waits = truth.zones[queue].durations
    p50 = float(np.percentile(waits, 50)) if waits else None
    p90 = float(np.percentile(waits, 90)) if waits else None
    out: dict[str, Any] = {
        "seconds": truth.seconds,
        "visits": visits,
        "visits_exact": all(v["truth"] == v["cvmon"] for v in visits.values()),
        "visit_error": sum(abs(v["cvmon"] - v["truth"]) for v in visits.values()),
        "visit_diff": sum(v["cvmon"] - v["truth"] for v in visits.values()),
        "wait": {
            "truth_p50": p50,
            "truth_p90": p90,
            "cvmon_p50": run.summary[queue]["wait_p50_s"],
            "cvmon_p90": run.summary[queue]["wait_p90_s"],
            "stored_p50": run.stored[queue]["wait_p50_s"],
            "stored_p90": run.stored[queue]["wait_p90_s"],
            "durations_truth": [round(d, 1) for d in waits],
        },
    }
    w = out["wait"]
    w["p50_rel_error"] = _rel(w["cvmon_p50"], p50)
    w["p90_rel_error"] = _rel(w["cvmon_p90"], p90)
    w["stored_p50_rel_error"] = _rel(w["stored_p50"], p50)
    w["stored_p90_rel_error"] = _rel(w["stored_p90"], p90)
    staffed = {}
    for z, t in truth.zones.items():
        ratio = truth.staffed_ratio(z)
        if ratio is None:
            continue
        found = run.summary[z]["staffed_ratio"]
        stored = run.stored[z]["staffed_ratio"]
        staffed[z] = {
            "truth": round(ratio, 4),
            "cvmon": found,
            "stored": stored,
            "error": None if found is None else round(found - ratio, 4),
            "stored_error": None if stored is None else round(stored - ratio, 4),
            "truth_s": t.staffed_s,
        }
    out["staffed"] = staffed
    frames = run.frames[run.frames < truth.n_frames]
    qmean = truth.mean_count(queue, frames)
    out["queue_mean"] = {
        "truth": round(qmean, 3),
        "cvmon": run.summary[queue]["mean_count"],
        "error": round(float(run.summary[queue]["mean_count"]) - qmean, 3),
    }
    per_zone = {}
    errors = []
    dense_errors = []
    for z, t in truth.zones.items():
        diff = run.counts[z][: len(frames)] - t.counts[frames]
        per_zone[z] = {"mae": round(float(np.mean(np.abs(diff))), 4), "bias": round(float(np.mean(diff)), 4)}
        errors.append(diff)
        dense_errors.append(diff[t.counts[frames] >= DENSE])
    all_diff = np.concatenate(errors)
    dense = np.concatenate(dense_errors)
    out["count"] = {
        "mae": round(float(np.mean(np.abs(all_diff))), 4),
        "bias": round(float(np.mean(all_diff)), 4),
        "frames": len(frames),
        "zones": per_zone,
        # zone-frames where at least DENSE people stand in the zone: where occlusions happen
        "dense_n": int(dense.size),
        "dense_abs_sum": float(np.sum(np.abs(dense))),
        "dense_sum": float(np.sum(dense)),
    }
    return out
