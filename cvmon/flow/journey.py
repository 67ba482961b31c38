"""One track's journey through a camera's steps, and the figures it adds up to (memory only).

A ``Journey`` is a value: ``begin`` starts one at a visit to a journey zone, ``step_in`` and ``step_out``
return the journey after a visit began or ended, ``outcome`` turns a closed journey into dated
``ZoneFigures``. Nothing here holds a coordinate; the counter (``cvmon.flow.counter``) keeps journeys
under their track ids while they last and forgets them after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from cvmon.config.journey import WAIT_KINDS, JourneyConfig
from cvmon.figures import ZoneFigures
from cvmon.histogram import DurationHistogram
from cvmon.types import ZoneKind
from cvmon.types.people import PersonRole


@dataclass(frozen=True, slots=True)
class JourneyPlan:
    """A camera's ``JourneyConfig`` with the kinds of its zones looked up once.

    Attributes:
        step_of: each journey zone's step index.
        entrance_zones: the journey's entrance zones (a journey first seen in one is an arrival).
        wait_zones: the journey's queue and waiting zones.
        counter_zones: the counter: the last step's counter_customer zones (none: the camera does not see it).
        required: per step, whether it is required.
        guide_desk: the guide desk's zone (None: not counted).
        door_post: the post whose staffing decides met at the door (None: not counted).
        abandon_min_s: least seconds waited for leaving without a counter to be abandonment.
        timeout_s: seconds after the last visit ended that an unfinished journey is closed.
    """

    step_of: Mapping[str, int]
    entrance_zones: frozenset[str]
    wait_zones: frozenset[str]
    counter_zones: frozenset[str]
    required: tuple[bool, ...]
    guide_desk: str | None
    door_post: str | None
    abandon_min_s: float
    timeout_s: float

    @classmethod
    def of(cls, journey: JourneyConfig, zone_kinds: Mapping[str, ZoneKind]) -> JourneyPlan:
        """The plan of a validated journey on a camera whose zones have these kinds."""
        step_of = {zone_id: i for i, step in enumerate(journey.steps) for zone_id in step.zones}
        return cls(
            step_of=step_of,
            entrance_zones=frozenset(z for z in step_of if zone_kinds.get(z) is ZoneKind.ENTRANCE),
            wait_zones=frozenset(z for z in step_of if zone_kinds.get(z) in WAIT_KINDS),
            counter_zones=frozenset(
                z for z in journey.steps[-1].zones if zone_kinds.get(z) is ZoneKind.COUNTER_CUSTOMER
            ),
            required=tuple(step.required for step in journey.steps),
            guide_desk=journey.guide_desk,
            door_post=journey.door_post,
            abandon_min_s=journey.abandon_min_s,
            timeout_s=journey.timeout_s,
        )


@dataclass(frozen=True, slots=True)
class Journey:
    """What is known of one person's way through the steps so far (memory only, never stored).

    Attributes:
        ids: the track ids it was followed under, oldest first (a new id continues a lost one's visit).
        first_step: the step where it was first seen.
        start_t: video time the visit where it was first seen began; ``start``: the same as wall time.
        arrived: it was first seen in an entrance zone (an arrival; else it joined mid-way).
        met_at_door: an arrival confirmed while the door post was staffed.
        reached: the steps visited.
        open_zones: journey zones with a visit going on.
        idle_since_t: with no visit open, the last sighting of the visit that ended last (None: one is open).
        wait_spans: video-time spans spent in queue or waiting zones, merged (overlapping zones count once).
        first_wait: when it first stepped into a queue or waiting zone; ``guided``: it had visited the guide
            desk by then.
        visited_guide: it has visited the guide desk.
        last_wait_exit: the last sighting of its latest ended queue or waiting visit.
        skipped: when it reached a step past a required one not visited (None: never).
        counter: when it reached the counter (None: not yet); ``journey_s``: the time from its arrival (None
            unless it arrived here).
        role: the latest firm verdict on the track (staff or customer), else unsure.
    """

    ids: tuple[int, ...]
    first_step: int
    start_t: float
    start: datetime
    arrived: bool = False
    met_at_door: bool = False
    reached: frozenset[int] = frozenset()
    open_zones: frozenset[str] = frozenset()
    idle_since_t: float | None = None
    wait_spans: tuple[tuple[float, float], ...] = ()
    first_wait: datetime | None = None
    guided: bool = False
    visited_guide: bool = False
    last_wait_exit: datetime | None = None
    skipped: datetime | None = None
    counter: datetime | None = None
    journey_s: float | None = None
    role: PersonRole = PersonRole.UNSURE

    @property
    def finished(self) -> bool:
        """It reached the counter."""
        return self.counter is not None

    @property
    def waited_s(self) -> float:
        """Seconds spent in queue or waiting zones (ended visits only)."""
        return sum(b - a for a, b in self.wait_spans)


def begin(
    plan: JourneyPlan, track_id: int, zone_id: str, start_t: float, start: datetime, door_staffed: bool
) -> Journey:
    """A journey first seen stepping into a journey zone at ``start_t`` (``start``); ``door_staffed``: whether
    the door post is staffed now, as the visit is confirmed (it decides met at the door for an arrival)."""
    arrived = zone_id in plan.entrance_zones
    met = arrived and plan.door_post is not None and door_staffed
    first = plan.step_of[zone_id]
    return Journey((track_id,), first, start_t, start, arrived=arrived, met_at_door=met)


def step_in(journey: Journey, plan: JourneyPlan, zone_id: str, start_t: float, at: datetime) -> Journey:
    """The journey after a visit to a journey zone began at ``start_t`` (``at``)."""
    step = plan.step_of[zone_id]
    reached, skipped = journey.reached, journey.skipped
    if step not in reached:
        between = range(journey.first_step + 1, step)
        if skipped is None and any(plan.required[j] and j not in reached for j in between):
            skipped = at
        reached = reached | {step}
    first_wait, guided = journey.first_wait, journey.guided
    if zone_id in plan.wait_zones and first_wait is None:
        first_wait, guided = at, journey.visited_guide
    counter, journey_s = journey.counter, journey.journey_s
    if zone_id in plan.counter_zones and counter is None:
        counter, journey_s = at, (start_t - journey.start_t if journey.arrived else None)
    return replace(
        journey,
        reached=reached,
        open_zones=journey.open_zones | {zone_id},
        idle_since_t=None,
        first_wait=first_wait,
        guided=guided,
        visited_guide=journey.visited_guide or zone_id == plan.guide_desk,
        skipped=skipped,
        counter=counter,
        journey_s=journey_s,
    )


def step_out(journey: Journey, plan: JourneyPlan, zone_id: str, start_t: float, last_t: float, at: datetime) -> Journey:
    """The journey after its visit to a journey zone (from ``start_t``) ended at its last sighting ``last_t``
    (``at``)."""
    open_zones = journey.open_zones - {zone_id}
    journey = replace(journey, open_zones=open_zones, idle_since_t=None if open_zones else last_t)
    if zone_id in plan.wait_zones:
        journey = replace(journey, wait_spans=_merged(journey.wait_spans, (start_t, last_t)), last_wait_exit=at)
    return journey


def with_verdict(journey: Journey, verdict: PersonRole | None) -> Journey:
    """The journey with the classifier's latest verdict on its track: a firm one (staff, customer) replaces
    the role, unsure or none keeps it (a new id's classifier has seen less than the old one's)."""
    if verdict is None or verdict is PersonRole.UNSURE or verdict is journey.role:
        return journey
    return replace(journey, role=verdict)


def outcome(journey: Journey, plan: JourneyPlan, cut_off: bool = False) -> list[tuple[datetime, ZoneFigures]]:
    """The figures a closed journey adds, each with the moment it happened; ``cut_off``: it was closed by the
    end of a recording or an outage, so whether it was abandoned is not known and it is not judged. Abandonment
    is judged only on a camera whose journey has the counter (elsewhere the customer may be on their way to it).

    A staff member's journey adds nothing; one whose role is unsure adds only ``unsure`` (at its start).
    """
    if journey.role is PersonRole.STAFF:
        return []
    if journey.role is PersonRole.UNSURE:
        return [(journey.start, ZoneFigures(journeys_unsure=1))]
    if journey.arrived:
        out = [(journey.start, ZoneFigures(arrivals=1, met_at_door=int(journey.met_at_door)))]
    else:
        out = [(journey.start, ZoneFigures(joined_midway=1))]
    if journey.first_wait is not None:
        out.append((journey.first_wait, ZoneFigures(queued=1, guided_before_queue=int(journey.guided))))
    if journey.skipped is not None:
        out.append((journey.skipped, ZoneFigures(skipped_required=1)))
    if journey.counter is not None:
        timed = journey.journey_s
        if timed is None:
            out.append((journey.counter, ZoneFigures(reached_counter=1)))
        else:
            hist = DurationHistogram.of([timed])
            out.append((journey.counter, ZoneFigures(reached_counter=1, journey_seconds_sum=timed, journey_hist=hist)))
    elif (
        plan.counter_zones
        and not cut_off
        and journey.last_wait_exit is not None
        and journey.waited_s >= plan.abandon_min_s
    ):
        out.append((journey.last_wait_exit, ZoneFigures(abandoned=1)))
    return out


def _merged(spans: tuple[tuple[float, float], ...], span: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    """``spans`` with ``span`` added, overlapping spans joined, in order."""
    out: list[tuple[float, float]] = []
    for a, b in sorted((*spans, span)):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)
