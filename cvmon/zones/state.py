"""Zone state over time: debounced visits (wait and service times) and staffing.

``update_zones`` takes the previous ``ZoneState`` and one analysed sample and returns the new state
plus the ``ZoneEvent``s that happened. Nothing here keeps hidden counters: all state is in the
returned value, and it lives in memory only (track ids never leave the worker).

Visits are debounced both ways. A track must stay in a zone ``min_enter_s`` before its visit
counts; a visit ends only after its person has been outside, or unseen, for ``min_exit_s``. When
the tracker loses a person and a new id appears near where that visit was last seen (within
``rejoin_distance`` box widths) while the old visit is still open, the new id continues the same
visit, so an id switch or a short occlusion does not split one wait into two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

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


@dataclass(frozen=True, slots=True)
class ZoneTrack:
    """State of one zone."""

    visits: dict[int, Visit] = field(default_factory=dict)
    staffed: bool = False
    occupied_since_t: float | None = None
    last_occupied_t: float | None = None


@dataclass(frozen=True, slots=True)
class ZoneState:
    """State of every zone of a camera."""

    zones: dict[str, ZoneTrack] = field(default_factory=dict)

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


def _wall_at(wall: datetime, t_now: float, t: float) -> datetime:
    return wall - timedelta(seconds=t_now - t)


def _rejoin_candidate(
    person: PersonInZone, visits: dict[int, Visit], present: set[int], t: float, timing: TimingConfig
) -> int | None:
    """Id of an open visit, whose person is not seen now, that this new track continues."""
    best, best_d = None, math.inf
    for tid, visit in visits.items():
        if tid in present or t - visit.last_in_t > timing.min_exit_s:
            continue
        reach = timing.rejoin_distance * max(visit.box_w, person.box_w)
        d = math.hypot(person.x - visit.x, person.y - visit.y)
        if d <= reach and d < best_d:
            best, best_d = tid, d
    return best


def _update_visits(
    zone_id: str,
    visits: dict[int, Visit],
    people: list[PersonInZone],
    t: float,
    wall: datetime,
    timing: TimingConfig,
) -> tuple[dict[int, Visit], list[ZoneEvent]]:
    events: list[ZoneEvent] = []
    new = dict(visits)
    present = {p.track_id for p in people}
    for person in sorted(people, key=lambda p: p.track_id):
        visit = new.get(person.track_id)
        if visit is None:
            old_id = _rejoin_candidate(person, new, present, t, timing)
            if old_id is not None:
                visit = new.pop(old_id)
                present.add(person.track_id)
            else:
                visit = Visit(first_in_t=t, last_in_t=t, x=person.x, y=person.y, box_w=person.box_w)
        visit = replace(visit, last_in_t=t, x=person.x, y=person.y, box_w=person.box_w)
        if not visit.confirmed and t - visit.first_in_t >= timing.min_enter_s:
            visit = replace(visit, confirmed=True)
            events.append(ZoneEvent(zone_id, ZoneEventKind.ENTERED, _wall_at(wall, t, visit.first_in_t)))
        new[person.track_id] = visit
    for tid in [tid for tid in new if tid not in present]:
        visit = new[tid]
        if t - visit.last_in_t >= timing.min_exit_s:
            del new[tid]
            if visit.confirmed:
                events.append(_exit_event(zone_id, visit, wall, t))
    return new, events


def _exit_event(zone_id: str, visit: Visit, wall: datetime, t: float) -> ZoneEvent:
    return ZoneEvent(
        zone_id,
        ZoneEventKind.EXITED,
        _wall_at(wall, t, visit.last_in_t),
        duration_s=visit.last_in_t - visit.first_in_t,
    )


def _update_staffing(
    zone_id: str, track: ZoneTrack, occupied: bool, t: float, wall: datetime, timing: TimingConfig
) -> tuple[ZoneTrack, list[ZoneEvent]]:
    events: list[ZoneEvent] = []
    staffed = track.staffed
    since = track.occupied_since_t
    last = track.last_occupied_t
    if occupied:
        # A flicker shorter than min_exit_s does not restart the arrival debounce.
        if since is None or (last is not None and t - last > timing.min_exit_s):
            since = t
        last = t
        if not staffed and t - since >= timing.min_enter_s:
            staffed = True
            events.append(ZoneEvent(zone_id, ZoneEventKind.STAFFED, _wall_at(wall, t, since)))
    elif staffed and last is not None and t - last >= timing.staffed_grace_s:
        staffed = False
        since = None
        events.append(ZoneEvent(zone_id, ZoneEventKind.UNSTAFFED, _wall_at(wall, t, last + timing.staffed_grace_s)))
    return replace(track, staffed=staffed, occupied_since_t=since, last_occupied_t=last), events


def update_zones(
    state: ZoneState,
    zones: list[Zone],
    people: dict[str, list[PersonInZone]],
    counts: dict[str, int],
    t: float,
    wall: datetime,
    timing: TimingConfig,
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
    """
    new_zones: dict[str, ZoneTrack] = {}
    events: list[ZoneEvent] = []
    for zone in zones:
        track = state.zones.get(zone.id, ZoneTrack())
        if zone.kind.measures_staffing:
            track, evs = _update_staffing(zone.id, track, counts.get(zone.id, 0) > 0, t, wall, timing)
            events.extend(evs)
        visits, evs = _update_visits(zone.id, track.visits, people.get(zone.id, []), t, wall, timing)
        events.extend(evs)
        new_zones[zone.id] = replace(track, visits=visits)
    return ZoneState(new_zones), events


def close_zones(state: ZoneState, t: float, wall: datetime) -> tuple[ZoneState, list[ZoneEvent]]:
    """End every open visit at its last sighting (end of a recording, or a camera going offline).

    Staffing state is dropped too: after a gap it is learnt again from what the camera shows.
    """
    events: list[ZoneEvent] = []
    for zone_id, track in state.zones.items():
        for visit in track.visits.values():
            if visit.confirmed:
                events.append(_exit_event(zone_id, visit, wall, t))
        if track.staffed:
            last = track.last_occupied_t if track.last_occupied_t is not None else t
            events.append(ZoneEvent(zone_id, ZoneEventKind.UNSTAFFED, _wall_at(wall, t, min(t, last))))
    return ZoneState(), events
