"""Composite scenes with exact ground truth, for measuring cvmon's figures (issue 13, item 8).

How a scene is made
    The empty room and the people come from ``intel_one-by-one-person-detection.mp4`` in the
    shared footage (``sprites.py``): the room is the median of the clip's empty opening frames;
    each person is cut out of frames where the detector finds them alone, by difference against
    the room. The two people of the clip that pass the cut's checks both wear dark clothes, so
    each also comes in four shirt colours, recoloured through the mask (made here, not filmed;
    ten looks in all), and a scene's customers, passers-by and staff differ in appearance as a
    real counter's do. ``script.py`` moves them on a random script drawn from a seed (queue of 1 to 6 that
    advances as the head is served at the counter, service times drawn at random, customers who
    give up, passers-by, a staff member who leaves the post for 10 s to 3 min, boards held in front
    of someone for 0.5-2 s, people overlapping in the queue and behind passers-by). ``render.py``
    pastes the sprites on the room, scaled for perspective by their feet's height in the picture
    and drawn far to near, and encodes an H.264 mp4 at 10 fps. ``generate_scene`` writes the video
    and a ``cameras.yaml`` with three zones (``queue``; ``counter``, a counter_customer zone whose
    queue is ``queue``; ``staff``, a counter_staff zone whose counter is ``counter``) and nothing
    else: every setting is cvmon's default.

Ground truth (``truth.py``), computed from the script alone, with cvmon's documented definitions
(README, Configuration reference: ``defaults.timing``; the values are cvmon's defaults):
    * A person is in a zone when their feet (the bottom centre of their box; in the script, their
      position) are inside its polygon, whether or not they can be seen: a hidden person is there.
    * Count of a zone on a frame: the people in it.
    * Visit: one person's stay in one zone, from the first frame inside to the last frame inside.
      An absence from the zone shorter than ``min_exit_s`` (3 s) does not end it; a stay shorter
      than ``min_enter_s`` (2 s) is not a visit (first and last frame inside compared). Its duration
      is the time its frames cover: last inside minus first inside plus one frame (0.1 s), as cvmon
      adds one analysed sample to the time between its first and last sighting, and as staffed
      seconds count every staffed frame.
      A stay still going on when the scene ends ends at its last frame (as cvmon closes open
      visits at the end of a recording). Wait times are the durations of ``queue`` visits; wait
      p50 and p90 are their percentiles (linear interpolation, numpy's default).
    * Staffed (counter_staff and post zones): occupancy that lasts ``min_enter_s`` (gaps shorter
      than ``min_exit_s`` joined) counts as staffed from the moment it began; an absence shorter
      than ``staffed_grace_s`` (20 s) between two such occupancies counts as staffed; a longer one
      is unstaffed from the moment the zone emptied. A brief occupancy (a passer-by crossing an
      empty post) staffs nothing. Staffed ratio = staffed seconds / scene seconds, a frame standing
      for 1/fps seconds.
    * Queue mean: the mean count of the ``queue`` zone over the frames cvmon analysed.

Journey scenes (issue 17, item 6; ``journey.py``, ``journey_truth.py``, ``flow_measure.py``)
    A second family, drawn by ``journey_plan_for_seed`` and made by ``generate_journey_scene``: the same
    room as an office with a door, the guard's post, a guide desk, the queue and the loket, three
    uniformed staff (the bank's people as filmed, shirt recoloured hi-vis yellow) who walk into the
    queue zone now and then, and customers who come in at the door, may stop at the guard, visit or
    skip the guide desk, queue, are served or give up and leave by the door. Its cameras.yaml adds
    the journey and ``staff.enabled``; its truth (``flow_truth``) gives each person's role, zone
    visits in order and journey, and the scene's flow totals. The plain family above is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from bench.scenes.journey import (
    JOURNEY,
    JOURNEY_ZONES,
    Arrival,
    JourneyScenePlan,
    journey_plan_for_seed,
    make_journey_script,
)
from bench.scenes.journey import (
    SCRIPT_VERSION as JOURNEY_SCRIPT_VERSION,
)
from bench.scenes.journey_truth import FlowRules, FlowTruth, flow_truth
from bench.scenes.render import render
from bench.scenes.script import ZONES, ScenePlan, Script, make_script, plan_for_seed
from bench.scenes.sprites import BANK_VERSION, UNIFORM_VARIANT, UNIFORM_VERSION, SpriteBank, load_bank, load_uniforms
from bench.scenes.truth import SceneTruth, Timing, scene_truth

__all__ = [
    "GENERATOR_VERSION",
    "JOURNEY_GENERATOR_VERSION",
    "Arrival",
    "FlowRules",
    "FlowTruth",
    "GeneratedJourneyScene",
    "GeneratedScene",
    "JourneyScenePlan",
    "ScenePlan",
    "SceneTruth",
    "Timing",
    "generate_journey_scene",
    "generate_scene",
    "journey_plan_for_seed",
    "journey_scene_config",
    "journey_script",
    "plan_for_seed",
    "scene_config",
    "scene_script",
    "scene_truth",
]

GENERATOR_VERSION = f"1.{BANK_VERSION}"
JOURNEY_GENERATOR_VERSION = f"1.{BANK_VERSION}.{UNIFORM_VERSION}.{JOURNEY_SCRIPT_VERSION}"
REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CVMON_SHARED_DIR", REPO_ROOT.parent / "shared"))
FOOTAGE_DIR = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
CACHE_DIR = Path(os.environ.get("CVMON_SCENE_CACHE", REPO_ROOT / "bench" / "results" / "scenes"))

_bank: SpriteBank | None = None
_journey_bank: SpriteBank | None = None


def sprite_bank() -> SpriteBank:
    """The sprite bank (built on first use, then cached on disk)."""
    global _bank
    if _bank is None:
        _bank = load_bank(FOOTAGE_DIR, MODEL_DIR, CACHE_DIR)
    return _bank


def journey_bank() -> SpriteBank:
    """The sprite bank with the uniformed staff added (built on first use, then cached on disk)."""
    global _journey_bank
    if _journey_bank is None:
        bank = sprite_bank()
        _journey_bank = SpriteBank(bank.background, bank.sprites + load_uniforms(bank, MODEL_DIR, CACHE_DIR))
    return _journey_bank


@dataclass(frozen=True, slots=True)
class GeneratedScene:
    name: str
    video: Path
    config: Path
    script: Script
    truth: SceneTruth


def scene_script(seed: int, plan: ScenePlan | None = None) -> Script:
    """The script of a scene (no rendering); the same seed and plan always give the same script."""
    return make_script(seed, plan or plan_for_seed(seed), sprite_bank().people)


def scene_config(video_name: str) -> dict[str, object]:
    """cameras.yaml of a scene: one unit, one camera, the three zones, no other settings."""
    zones = [{"id": zone_id, **spec} for zone_id, spec in ZONES.items()]
    return {
        "version": 1,
        "units": [{"id": "ulp-scene", "name": "ULP scene", "level": "ulp"}],
        "cameras": [
            {"id": "scene", "name": "Composite scene", "unit": "ulp-scene", "source": video_name, "zones": zones}
        ],
    }


def _key(seed: int, plan: ScenePlan) -> str:
    digest = hashlib.sha256(json.dumps(asdict(plan), sort_keys=True).encode()).hexdigest()[:10]
    return f"scene-v{GENERATOR_VERSION}-s{seed}-{digest}"


def generate_scene(
    seed: int, plan: ScenePlan | None = None, out_dir: Path | None = None, timing: Timing | None = None
) -> GeneratedScene:
    """Script, truth, video and cameras.yaml of a scene; a video already rendered for the same
    seed, plan and generator version is reused."""
    plan = plan or plan_for_seed(seed)
    out_dir = out_dir or CACHE_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    name = _key(seed, plan)
    video, config = out_dir / f"{name}.mp4", out_dir / f"{name}.yaml"
    script = scene_script(seed, plan)
    if not video.exists():
        render(script, sprite_bank(), video)
    if not config.exists():
        config.write_text(yaml.safe_dump(scene_config(video.name), sort_keys=False), encoding="utf-8")
    return GeneratedScene(name, video, config, script, scene_truth(script, timing or Timing()))


# -- journey scenes (issue 17, item 6) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GeneratedJourneyScene:
    name: str
    video: Path
    config: Path
    script: Script
    truth: SceneTruth  # the zones' counts, visits and staffing (as the plain scenes')
    flow: FlowTruth  # each person's role and journey, the scene's flow totals


def journey_looks(bank: SpriteBank) -> tuple[list[int], list[int]]:
    """The customers' looks (every look of the plain bank) and the staff's (the uniformed ones)."""
    staff = sorted({s.look for s in bank.sprites if s.variant == UNIFORM_VARIANT})
    return [lk for lk in bank.people if lk not in staff], staff


def journey_script(seed: int, plan: JourneyScenePlan | None = None) -> Script:
    """The script of a journey scene (no rendering); the same seed and plan always give the same script."""
    customers, staff = journey_looks(journey_bank())
    return make_journey_script(seed, plan or journey_plan_for_seed(seed), customers, staff)


def _staff_section() -> dict[str, object]:
    """``staff: {enabled: true}`` where the cvmon under test has staff settings in cameras.yaml."""
    from cvmon.config.models import CameraConfig

    return {"staff": {"enabled": True}} if "staff" in CameraConfig.model_fields else {}


def journey_scene_config(video_name: str) -> dict[str, object]:
    """cameras.yaml of a journey scene: its zones, its journey (cvmon's defaults for the rest) and staff
    classification on where cvmon has it; every other setting is cvmon's default."""
    zones = [{"id": zone_id, **spec} for zone_id, spec in JOURNEY_ZONES.items()]
    camera: dict[str, object] = {
        "id": "scene",
        "name": "Composite journey scene",
        "unit": "ulp-scene",
        "source": video_name,
        "zones": zones,
        "journey": JOURNEY,
        **_staff_section(),
    }
    return {
        "version": 1,
        "units": [{"id": "ulp-scene", "name": "ULP scene", "level": "ulp"}],
        "cameras": [camera],
    }


def _journey_key(seed: int, plan: JourneyScenePlan) -> str:
    digest = hashlib.sha256(json.dumps(asdict(plan), sort_keys=True).encode()).hexdigest()[:10]
    return f"journey-v{JOURNEY_GENERATOR_VERSION}-s{seed}-{digest}"


def generate_journey_scene(
    seed: int,
    plan: JourneyScenePlan | None = None,
    out_dir: Path | None = None,
    timing: Timing | None = None,
    rules: FlowRules | None = None,
) -> GeneratedJourneyScene:
    """Script, truth, video and cameras.yaml of a journey scene; a video already rendered for the same seed,
    plan and generator version is reused (the cameras.yaml is written again: it follows the cvmon under test)."""
    plan = plan or journey_plan_for_seed(seed)
    out_dir = out_dir or CACHE_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    name = _journey_key(seed, plan)
    video, config = out_dir / f"{name}.mp4", out_dir / f"{name}.yaml"
    script = journey_script(seed, plan)
    if not video.exists():
        render(script, journey_bank(), video)
    tmp = config.with_name(f".{config.name}.{os.getpid()}.tmp")
    tmp.write_text(yaml.safe_dump(journey_scene_config(video.name), sort_keys=False), encoding="utf-8")
    tmp.replace(config)
    timing = timing or Timing()
    return GeneratedJourneyScene(
        name, video, config, script, scene_truth(script, timing), flow_truth(script, JOURNEY, timing, rules)
    )
