"""Zone state over time: debounced visits (wait and service times) and staffing.

``update_zones`` takes the previous ``ZoneState`` and one analysed sample and returns the new state
plus the ``ZoneEvent``s that happened. Nothing here keeps hidden counters: all state is in the
returned value, and it lives in memory only (track ids never leave the worker).

Visits are debounced both ways. A track must stay in a zone ``min_enter_s`` before its visit
counts; a visit ends only after its person has been outside, or unseen, for ``min_exit_s``. A
debounce decides whether something happened, never when: a visit runs from the first to the last
sighting, a staff zone is staffed from the moment an arrival began and unstaffed from the moment it
emptied (see ``staffing_of_sample`` and ``cvmon.zones.staffing_ledger``).

When the tracker loses a person and gives them a new id (an id switch, or a track dropped behind
someone), the new id continues the open visit, so one wait is not split in two, but only when every
other explanation is worse: the old id is no longer tracked anywhere (not merely outside this zone),
the new id was born after the old one was last seen, it was born right here (a track that walked in
from elsewhere or from the zone's edge is a new visit, e.g. the next customer stepping up to a
counter), it appeared within ``rejoin_distance`` box widths of where the old one was last seen, and,
when both were seen unhidden, it does not look like someone else (``cvmon.appearance``: a passer-by
whose track is born in front of a hidden customer does not take over the customer's wait).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from cvmon import appearance
from cvmon.config.models import TimingConfig
from cvmon.types import ZoneEvent, ZoneEventKind
from cvmon.zones.geometry import Zone


@dataclass(frozen=True, slots=True)
class Visit:
    """A person's (possible) stay in one zone; ``confirmed`` once it outlasted ``min_enter_s``."""

    first_in_t: float
    last_in_t: float
    x: float
    y: float
    box_w: float
    confirmed: bool = False
    look: np.ndarray | None = None  # the person's torso histogram when last seen (memory only)
    entered_t: float | None = None  # when the feet crossed into the zone between two samples (None: not seen)
    left_t: float | None = None  # when they crossed out after the last sighting (None: not seen)

    def duration(self, sample_s: float) -> float:
        """Seconds in the zone: from the crossing in to the crossing out where they were seen, else from half a
        sample before the first sighting to half a sample after the last."""
        start = self.first_in_t - sample_s / 2 if self.entered_t is None else self.entered_t
        end = self.last_in_t + sample_s / 2 if self.left_t is None else self.left_t
        return end - start


@dataclass(frozen=True, slots=True)
class ZoneTrack:
    """State of one zone."""

    visits: dict[int, Visit] = field(default_factory=dict)
    staffed: bool = False
    occupied_since_t: float | None = None  # start of the current run of occupancy (gaps < min_exit_s joined)
    last_occupied_t: float | None = None
    present_until_t: float | None = None  # last occupied moment of an arrival that counted (>= min_enter_s)


@dataclass(frozen=True, slots=True)
class ZoneState:
    """State of every zone of a camera."""

    zones: dict[str, ZoneTrack] = field(default_factory=dict)
    feet: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # id -> (x, y, t) at the last sample

    def staffed(self, zone_id: str) -> bool:
        track = self.zones.get(zone_id)
        return bool(track and track.staffed)

    def open_visits(self, zone_id: str) -> int:
        track = self.zones.get(zone_id)
        return sum(v.confirmed for v in track.visits.values()) if track else 0


@dataclass(frozen=True, slots=True)
class PersonInZone:
    """A tracked person standing in a zone at this sample (relative coordinates)."""

    track_id: int
    x: float
    y: float
    box_w: float
    born_t: float = -math.inf  # video time the tracker first confirmed this id (-inf: long ago)
    look: np.ndarray | None = None  # the track's torso histogram (None: never seen unhidden)


# A new id continues a lost visit only if it was born in the zone: first seen at most this long ago.
BORN_HERE_S = 1e-6
# Two sightings at most this many samples apart are one step (a crossing between them is interpolated).
STEP_SAMPLES = 1.5


def _wall_at(wall: datetime, t_now: float, t: float) -> datetime:
    return wall - timedelta(seconds=t_now - t)


def _rejoin_candidate(
    person: PersonInZone,
    visits: dict[int, Visit],
    present: set[int],
    matched: frozenset[int],
    t: float,
    timing: TimingConfig,
) -> int | None:
    """Id of the open visit whose person the tracker lost and this newly born track continues, if any."""
    if t - person.born_t > BORN_HERE_S:
        return None  # an existing track walking in is a new arrival
    best, best_d = None, math.inf
    for tid, visit in visits.items():
        if tid in present or tid in matched or t - visit.last_in_t > timing.min_exit_s:
            continue
        if person.born_t <= visit.last_in_t:
            continue  # both were seen at once: two people
        if _look_apart(person.look, visit.look):
            continue  # they look different: two people
        reach = timing.rejoin_distance * max(visit.box_w, person.box_w)
        d = math.hypot(person.x - visit.x, person.y - visit.y)
        if d <= reach and d < best_d:
            best, best_d = tid, d
    return best


def _look_apart(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Whether two torso histograms, both known, are of two different people."""
    return a is not None and b is not None and appearance.distance(a, b) >= appearance.DIFFERENT_LOOK


def _step_crossing(
    zone: Zone, outside: tuple[float, float, float], inside: tuple[float, float, float], sample_s: float
) -> float | None:
    """When a person seen at ``outside`` (x, y, t) and at ``inside`` on the next sample crossed the zone's edge,
    assuming a straight step at even speed; None unless the two are consecutive samples and the step crosses."""
    (xo, yo, to), (xi, yi, ti) = outside, inside
    if sample_s <= 0 or abs(ti - to) > STEP_SAMPLES * sample_s or zone.contains(np.array([[xo, yo]], np.float32))[0]:
        return None
    fraction = zone.entry_fraction((xo, yo), (xi, yi))
    return None if fraction is None else to + fraction * (ti - to)


def _update_visits(
    zone: Zone,
    visits: dict[int, Visit],
    people: list[PersonInZone],
    matched: frozenset[int],
    t: float,
    wall: datetime,
    timing: TimingConfig,
    sample_s: float,
    before: dict[int, tuple[float, float, float]],
    feet: dict[int, tuple[float, float]] | None,
) -> tuple[dict[int, Visit], list[ZoneEvent]]:
    zone_id = zone.id
    events: list[ZoneEvent] = []
    new = dict(visits)
    present = {p.track_id for p in people}
    for person in sorted(people, key=lambda p: p.track_id):
        visit = new.get(person.track_id)
        if visit is None:
            old_id = _rejoin_candidate(person, new, present, matched, t, timing)
            if old_id is not None:
                visit = new.pop(old_id)
                present.add(person.track_id)
            else:
                came_from, here = before.get(person.track_id), (person.x, person.y, t)
                entered = None if came_from is None else _step_crossing(zone, came_from, here, sample_s)
                visit = Visit(t, t, person.x, person.y, person.box_w, entered_t=entered)
        look = person.look if person.look is not None else visit.look
        visit = replace(visit, last_in_t=t, x=person.x, y=person.y, box_w=person.box_w, look=look, left_t=None)
        if not visit.confirmed and t - visit.first_in_t >= timing.min_enter_s:
            visit = replace(visit, confirmed=True)
            events.append(ZoneEvent(zone_id, ZoneEventKind.ENTERED, _wall_at(wall, t, visit.first_in_t)))
        new[person.track_id] = visit
    for tid in [tid for tid in new if tid not in present]:
        visit = new[tid]
        seen_outside = None if feet is None else feet.get(tid)
        if visit.left_t is None and seen_outside is not None:
            crossed = _step_crossing(zone, (*seen_outside, t), (visit.x, visit.y, visit.last_in_t), sample_s)
            if crossed is not None:  # seen stepping out since the last sighting
                visit = new[tid] = replace(visit, left_t=crossed)
        if t - visit.last_in_t >= timing.min_exit_s:
            del new[tid]
            if visit.confirmed:
                events.append(_exit_event(zone_id, visit, wall, t, sample_s))
    return new, events


def _exit_event(zone_id: str, visit: Visit, wall: datetime, t: float, sample_s: float) -> ZoneEvent:
    """The end of a visit, dated at its last sighting, lasting ``Visit.duration``."""
    return ZoneEvent(
        zone_id, ZoneEventKind.EXITED, _wall_at(wall, t, visit.last_in_t), duration_s=visit.duration(sample_s)
    )


def staffing_of_sample(track: ZoneTrack, occupied: bool, t: float, timing: TimingConfig) -> bool | None:
    """Whether this sample counts as staffed: True, False, or None while undecided.

    Undecided are the samples of an absence still shorter than ``staffed_grace_s`` (staffed if the person
    comes back in time, unstaffed from the moment the zone emptied if not), including a brief occupancy
    inside it (a passer-by crossing the empty post), and those of an arrival still shorter than
    ``min_enter_s`` (staffed from the moment it began, once it lasted long enough).
    """
    if track.staffed:
        return True if occupied and track.present_until_t == t else None
    if occupied:
        return None
    return None if _arrival_pending(track, t, timing) else False


def _arrival_pending(track: ZoneTrack, t: float, timing: TimingConfig) -> bool:
    """Whether a run of occupancy that has not yet lasted ``min_enter_s`` is still going on."""
    since, last, present = track.occupied_since_t, track.last_occupied_t, track.present_until_t
    if since is None or last is None or t - last > timing.min_exit_s:
        return False
    return present is None or since > present


def _update_staffing(
    zone_id: str, track: ZoneTrack, occupied: bool, t: float, wall: datetime, timing: TimingConfig
) -> tuple[ZoneTrack, list[ZoneEvent]]:
    """Advance a staff zone by one sample; events carry when it really changed, not when that was decided.

    Only an arrival counts: a run of occupancy (gaps shorter than ``min_exit_s`` joined) that lasted
    ``min_enter_s``. STAFFED is dated when the arrival began. A staffed zone becomes UNSTAFFED once no
    arrival followed the last one within ``staffed_grace_s``, dated when the last arrival ended; a brief
    occupancy in between (a passer-by crossing the empty post) neither ends the absence nor moves its
    start. While a new run of occupancy that began within the grace is still undecided, so is the zone.
    """
    events: list[ZoneEvent] = []
    staffed, since, last, present = track.staffed, track.occupied_since_t, track.last_occupied_t, track.present_until_t
    if occupied:
        # A flicker shorter than min_exit_s does not restart the arrival debounce.
        if since is None or (last is not None and t - last > timing.min_exit_s):
            since = t
        last = t
    moved = replace(track, occupied_since_t=since, last_occupied_t=last)
    if staffed and present is not None and t - present >= timing.staffed_grace_s:
        began_in_grace = since is not None and since - present < timing.staffed_grace_s
        returning = began_in_grace and _arrival_pending(moved, t, timing)
        if not returning:
            staffed = False
            events.append(ZoneEvent(zone_id, ZoneEventKind.UNSTAFFED, _wall_at(wall, t, present)))
    if occupied and since is not None and t - since >= timing.min_enter_s:
        if not staffed:
            staffed = True
            events.append(ZoneEvent(zone_id, ZoneEventKind.STAFFED, _wall_at(wall, t, since)))
        present = t
    if not occupied and not staffed and since is not None and last is not None and t - last > timing.min_exit_s:
        since = None  # the arrival never lasted: forget it
    return (
        replace(track, staffed=staffed, occupied_since_t=since, last_occupied_t=last, present_until_t=present),
        events,
    )


def update_zones(
    state: ZoneState,
    zones: list[Zone],
    people: dict[str, list[PersonInZone]],
    counts: dict[str, int],
    t: float,
    wall: datetime,
    timing: TimingConfig,
    matched: frozenset[int] | None = None,
    sample_s: float = 0.0,
    feet: dict[int, tuple[float, float]] | None = None,
) -> tuple[ZoneState, list[ZoneEvent]]:
    """Advance every zone by one analysed sample.

    Args:
        state: the state after the previous sample.
        zones: the camera's zones.
        people: per zone, the confirmed tracks standing in it now.
        counts: per zone, the number of people detected in it now (tracked or not).
        t: video time of the sample in seconds (monotonic).
        wall: wall-clock time of the sample.
        timing: debounce and grace settings.
        matched: every id the tracker matched to a detection now, in any zone or none (default: the ids
            of ``people``); an open visit whose id is among them was not lost and is never continued.
        sample_s: the seconds one sample stands for (1 / analysis fps), added to each visit's duration.
        feet: where every confirmed track matched now stands (relative x, y), in a zone or not; with it, a
            visit whose person was seen stepping in (or out) between two samples starts (or ends) where the
            step crossed the zone's edge instead of half a sample before (after) the sighting.
    """
    if matched is None:
        matched = frozenset(p.track_id for zone_people in people.values() for p in zone_people)
    new_zones: dict[str, ZoneTrack] = {}
    events: list[ZoneEvent] = []
    for zone in zones:
        track = state.zones.get(zone.id, ZoneTrack())
        if zone.kind.measures_staffing:
            track, evs = _update_staffing(zone.id, track, counts.get(zone.id, 0) > 0, t, wall, timing)
            events.extend(evs)
        visits, evs = _update_visits(
            zone, track.visits, people.get(zone.id, []), matched, t, wall, timing, sample_s, state.feet, feet
        )
        events.extend(evs)
        new_zones[zone.id] = replace(track, visits=visits)
    now = {} if feet is None else {tid: (x, y, t) for tid, (x, y) in feet.items()}
    return ZoneState(new_zones, now), events


def close_zones(state: ZoneState, t: float, wall: datetime, sample_s: float = 0.0) -> tuple[ZoneState, list[ZoneEvent]]:
    """End every open visit at its last sighting (end of a recording, or a camera going offline).

    Staffing state is dropped too: after a gap it is learnt again from what the camera shows. An absence
    still within its grace at the end counts as staffed (it was shorter than the grace), so a staffed
    zone is unstaffed from the end on.
    """
    events: list[ZoneEvent] = []
    for zone_id, track in state.zones.items():
        for visit in track.visits.values():
            if visit.confirmed:
                events.append(_exit_event(zone_id, visit, wall, t, sample_s))
        if track.staffed:
            events.append(ZoneEvent(zone_id, ZoneEventKind.UNSTAFFED, wall))
    return ZoneState(), events
