"""Ground truth of a journey scene, per person and per scene, from its script alone (never a detector).

The definitions are cvmon's (``cvmon.config.journey``, ``cvmon.flow``), applied to where each person's
feet are on every frame, hidden or not, with the zone debounce of the plain scenes (``truth.py``):

* A person's **visits** to a zone are those of ``truth.visits_of`` (``min_enter_s``, ``min_exit_s``); a
  visit is entered at its first frame inside and left at the end of its last frame inside.
* A **journey** is a customer's visits to the journey's step zones, in the order they began; staff have
  no journey (their figures are never counted). A customer with no visit to a step zone has none.
* **Arrived**: the first visit of the journey is to an entrance zone; else it joined mid-way.
  **Met at the door**: arrived, and the door post was staffed (``truth.staffed_frames`` of everyone in it,
  grace included) on the frame the entrance visit was confirmed: ``min_enter_s`` after it began.
* Going through the visits in order, up to the first visit to a counter (the last step's counter_customer
  zones), where a journey finishes: **skipped a required step** when a visit reached a step past a
  required one, after the first step, that no earlier visit had reached; **queued** at the first visit to
  a queue or waiting zone, **guided before the queue** when a guide-desk visit began before it.
* **Journey time**: from the start of the entrance visit to the start of the first counter visit, for
  an arrival that reached a counter.
* **Waited**: the queue and waiting visits' spans (first to last frame inside), overlaps joined, summed.
  **Abandoned**: queued, never reached a counter, waited at least ``abandon_min_s``, and had left the
  picture by the scene's last frame (a journey still going on at the end is cut off, not judged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bench.scenes.script import WIDTH, Person, Script
from bench.scenes.truth import Timing, inside_zone, merge_gaps, runs, staffed_frames

FLOW_TRUTH_COUNTS = (
    "arrivals",
    "met_at_door",
    "joined_midway",
    "guided_before_queue",
    "queued",
    "abandoned",
    "reached_counter",
    "skipped_required",
)
"""The scene totals the truth gives, named as cvmon's ``FlowFigures`` counts."""

WAIT_KINDS = ("queue", "waiting")


@dataclass(frozen=True, slots=True)
class FlowRules:
    """The journey settings the definitions use (cvmon's defaults, see ``JourneyConfig``)."""

    abandon_min_s: float = 60.0


@dataclass(frozen=True, slots=True)
class ZoneVisit:
    """One person's visit to one zone: first frame inside to the end of the last frame inside (seconds)."""

    zone_id: str
    entered_s: float
    left_s: float
    first: int  # frames
    last: int


@dataclass(frozen=True, slots=True)
class PersonTruth:
    """What one person of the script did, by the definitions above (journey fields: customers only)."""

    index: int  # in ``script.people``
    role: str  # "staff" or "customer"
    visits: tuple[ZoneVisit, ...]  # every zone of the scene, in the order they began
    journey: tuple[ZoneVisit, ...] = ()  # a customer's visits to step zones, in the order they began
    arrived: bool = False
    met_at_door: bool = False
    guided_before_queue: bool = False
    queued: bool = False
    waited_s: float = 0.0
    reached_counter: bool = False
    skipped_required: bool = False
    abandoned: bool = False
    left: bool = False  # out of the picture on the scene's last frame
    journey_s: float | None = None

    @property
    def sequence(self) -> list[str]:
        """The zones of the journey, in order."""
        return [v.zone_id for v in self.journey]


@dataclass(frozen=True, slots=True)
class FlowTruth:
    people: tuple[PersonTruth, ...]
    totals: dict[str, int] = field(default_factory=dict)  # FLOW_TRUTH_COUNTS over customers' journeys
    journey_times: tuple[float, ...] = ()  # seconds, of the arrivals that reached a counter

    def of_role(self, role: str) -> list[PersonTruth]:
        return [p for p in self.people if p.role == role]


@dataclass(frozen=True, slots=True)
class _Plan:
    """The scene's journey, read from its cameras.yaml section and zone kinds."""

    step_of: dict[str, int]
    required: tuple[bool, ...]
    kinds: dict[str, str]
    counter: frozenset[str]
    door_post: str | None
    guide_desk: str | None

    @classmethod
    def of(cls, journey: dict[str, object], zones: dict[str, dict[str, object]]) -> _Plan:
        steps = journey["steps"]
        assert isinstance(steps, list)
        kinds = {z: str(spec["kind"]) for z, spec in zones.items()}
        step_of = {z: i for i, step in enumerate(steps) for z in step["zones"]}
        door, desk = journey.get("door_post"), journey.get("guide_desk")
        return cls(
            step_of=step_of,
            required=tuple(bool(step.get("required", True)) for step in steps),
            kinds=kinds,
            counter=frozenset(z for z in steps[-1]["zones"] if kinds[z] == "counter_customer"),
            door_post=None if door is None else str(door),
            guide_desk=None if desk is None else str(desk),
        )


def person_visits(person: Person, zones: dict[str, dict[str, object]], fps: int, timing: Timing) -> list[ZoneVisit]:
    """Every visit of one person to the scene's zones, in the order they began."""
    out = []
    for zone_id, spec in zones.items():
        points = spec["points"]
        assert isinstance(points, list)
        stays = merge_gaps(runs(inside_zone(points, person.x, person.y)), timing.min_exit_s * fps)
        out += [
            ZoneVisit(zone_id, a / fps, (b + 1) / fps, a, b) for a, b in stays if (b - a) / fps >= timing.min_enter_s
        ]
    return sorted(out, key=lambda v: (v.first, v.zone_id))


def _left(person: Person) -> bool:
    x = person.x[-1]
    return bool(np.isnan(x) or x < 0 or x > WIDTH)


def _waited_s(visits: list[ZoneVisit], fps: int) -> float:
    spans: list[tuple[int, int]] = []
    for v in sorted(visits, key=lambda v: v.first):
        if spans and v.first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], v.last))
        else:
            spans.append((v.first, v.last))
    return sum(b - a for a, b in spans) / fps


def _customer(
    index: int,
    person: Person,
    visits: list[ZoneVisit],
    plan: _Plan,
    door_staffed: np.ndarray | None,
    fps: int,
    timing: Timing,
    rules: FlowRules,
) -> PersonTruth:
    journey = [v for v in visits if v.zone_id in plan.step_of]
    left = _left(person)
    if not journey:
        return PersonTruth(index, "customer", tuple(visits), left=left)
    first = journey[0]
    arrived = plan.kinds[first.zone_id] == "entrance"
    met = False
    if arrived and door_staffed is not None:
        confirmed = min(first.first + round(timing.min_enter_s * fps), len(door_staffed) - 1)
        met = bool(door_staffed[confirmed])
    first_step = plan.step_of[first.zone_id]
    reached: set[int] = set()
    skipped = guided = visited_guide = queued = False
    counter: ZoneVisit | None = None
    for v in journey:
        step = plan.step_of[v.zone_id]
        if step not in reached:
            if any(plan.required[j] and j not in reached for j in range(first_step + 1, step)):
                skipped = True
            reached.add(step)
        if plan.kinds[v.zone_id] in WAIT_KINDS and not queued:
            queued, guided = True, visited_guide
        visited_guide = visited_guide or v.zone_id == plan.guide_desk
        if v.zone_id in plan.counter:
            counter = v
            break
    waits = [v for v in journey if plan.kinds[v.zone_id] in WAIT_KINDS]
    waited = _waited_s(waits, fps)
    journey_s = None if counter is None or not arrived else (counter.first - first.first) / fps
    return PersonTruth(
        index,
        "customer",
        tuple(visits),
        tuple(journey),
        arrived=arrived,
        met_at_door=met,
        guided_before_queue=guided,
        queued=queued,
        waited_s=waited,
        reached_counter=counter is not None,
        skipped_required=skipped,
        abandoned=counter is None and queued and waited >= rules.abandon_min_s and left,
        left=left,
        journey_s=journey_s,
    )


def flow_truth(
    script: Script, journey: dict[str, object], timing: Timing | None = None, rules: FlowRules | None = None
) -> FlowTruth:
    """Every person's truth and the scene's flow totals (customers only)."""
    timing, rules = timing or Timing(), rules or FlowRules()
    fps, zones = script.fps, script.zones
    plan = _Plan.of(journey, zones)
    door_staffed = None
    if plan.door_post is not None:
        points = zones[plan.door_post]["points"]
        assert isinstance(points, list)
        occupied = np.sum([inside_zone(points, p.x, p.y) for p in script.people], axis=0) > 0
        door_staffed = staffed_frames(occupied, fps, timing)
    people = []
    for i, p in enumerate(script.people):
        visits = person_visits(p, zones, fps, timing)
        if p.role == "customer":
            people.append(_customer(i, p, visits, plan, door_staffed, fps, timing, rules))
        else:
            people.append(PersonTruth(i, "staff" if p.role == "staff" else p.role, tuple(visits), left=_left(p)))
    journeys = [p for p in people if p.role == "customer" and p.journey]
    totals = {
        "arrivals": sum(p.arrived for p in journeys),
        "met_at_door": sum(p.met_at_door for p in journeys),
        "joined_midway": sum(not p.arrived for p in journeys),
        "guided_before_queue": sum(p.guided_before_queue for p in journeys),
        "queued": sum(p.queued for p in journeys),
        "abandoned": sum(p.abandoned for p in journeys),
        "reached_counter": sum(p.reached_counter for p in journeys),
        "skipped_required": sum(p.skipped_required for p in journeys),
    }
    times = tuple(p.journey_s for p in journeys if p.journey_s is not None)
    return FlowTruth(tuple(people), totals, times)
