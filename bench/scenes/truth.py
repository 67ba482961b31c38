"""Ground truth of a scene, computed from its script (never from a detector).

Pure functions of the feet positions per frame; see the package docstring for the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from bench.scenes.script import HEIGHT, WIDTH, Script


@dataclass(frozen=True, slots=True)
class Timing:
    """The debounce and grace settings the definitions use (cvmon's defaults, see TimingConfig)."""

    min_enter_s: float = 2.0
    min_exit_s: float = 3.0
    staffed_grace_s: float = 20.0


@dataclass(frozen=True, slots=True)
class ZoneTruth:
    kind: str
    counts: np.ndarray  # people with their feet inside, per frame (hidden ones included)
    visits: tuple[tuple[float, float], ...]  # (entered s, left s: the end of the last frame inside)
    staffed_s: float | None  # counter_staff and post zones only

    @property
    def durations(self) -> list[float]:
        return [b - a for a, b in self.visits]


@dataclass(frozen=True, slots=True)
class SceneTruth:
    fps: int
    n_frames: int
    zones: dict[str, ZoneTruth]

    @property
    def seconds(self) -> float:
        return self.n_frames / self.fps

    def staffed_ratio(self, zone_id: str) -> float | None:
        s = self.zones[zone_id].staffed_s
        return None if s is None else s / self.seconds

    def mean_count(self, zone_id: str, frames: np.ndarray | None = None) -> float:
        counts = self.zones[zone_id].counts
        return float(np.mean(counts if frames is None else counts[frames]))


def runs(inside: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True as (first frame, last frame), inclusive."""
    padded = np.concatenate([[False], inside.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def merge_gaps(spans: list[tuple[int, int]], max_gap_frames: float) -> list[tuple[int, int]]:
    """Join spans separated by an absence shorter than ``max_gap_frames`` (last inside to next inside)."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a - out[-1][1] < max_gap_frames:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def visits_of(inside: np.ndarray, fps: int, timing: Timing) -> list[tuple[float, float]]:
    """One person's visits to one zone: (entered, left) in seconds, where left is the end of the last
    frame inside, so a visit lasts the time its frames cover (as staffed seconds do, and as cvmon adds
    one analysed sample to the time between its first and last sighting). The debounce compares the
    first and last frame, as cvmon compares its first and last sighting."""
    stays = merge_gaps(runs(inside), timing.min_exit_s * fps)
    return [(a / fps, (b + 1) / fps) for a, b in stays if (b - a) / fps >= timing.min_enter_s]


def staffed_frames(occupied: np.ndarray, fps: int, timing: Timing) -> np.ndarray:
    """Per frame, whether a staff zone counts as staffed."""
    staffed = np.zeros(len(occupied), bool)
    arrivals = [
        (a, b) for a, b in merge_gaps(runs(occupied), timing.min_exit_s * fps) if (b - a) / fps >= timing.min_enter_s
    ]
    for a, b in merge_gaps(arrivals, timing.staffed_grace_s * fps):
        staffed[a : b + 1] = True
    return staffed


def inside_zone(points: list[list[float]], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether feet at pixel (x, y) are inside a zone given in relative coordinates (NaN: off-screen)."""
    poly = shapely.Polygon([(px * WIDTH, py * HEIGHT) for px, py in points])
    ok = ~np.isnan(x)
    out = np.zeros(len(x), bool)
    out[ok] = shapely.contains_xy(poly, x[ok], y[ok])
    return out


def scene_truth(script: Script, timing: Timing | None = None) -> SceneTruth:
    """Counts, visits and staffed seconds of every zone of a scene."""
    timing = timing or Timing()
    fps = script.fps
    zones: dict[str, ZoneTruth] = {}
    for zone_id, spec in script.zones.items():
        kind = str(spec["kind"])
        points = spec["points"]
        assert isinstance(points, list)
        inside = [inside_zone(points, p.x, p.y) for p in script.people]
        counts = np.sum(inside, axis=0).astype(int) if inside else np.zeros(script.n_frames, int)
        visits = sorted(v for mask in inside for v in visits_of(mask, fps, timing))
        staffed = None
        if kind in ("counter_staff", "post"):
            staffed = float(staffed_frames(counts > 0, fps, timing).sum()) / fps
        zones[zone_id] = ZoneTruth(kind, counts, tuple(visits), staffed)
    return SceneTruth(fps, script.n_frames, zones)
