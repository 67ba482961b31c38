"""Which visits began, ended or changed hands between two ``ZoneState``s (memory only).

The zone state keeps each open visit under its track id; the stages that follow one person through
the office (a customer arriving at a counter to be greeted, then sitting down) need to know when a
confirmed visit began and ended, and under which id, without the zone state keeping a log. The diff of
the state before and after a sample says it: a confirmed visit that is new is STARTED (dated when the
person stepped in), one that is gone is ENDED (dated at its last sighting), and a confirmed visit that
a newly born id took over from a lost one (``cvmon.zones.state``'s rejoin) is CONTINUED, so a follower
can move what it knows from the old id to the new one. Track ids never leave the worker.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cvmon.zones.state import Visit, ZoneState


class VisitChangeKind(enum.StrEnum):
    STARTED = "started"
    ENDED = "ended"
    CONTINUED = "continued"


@dataclass(frozen=True, slots=True)
class VisitChange:
    """A confirmed visit that began, ended or passed to a new track id in one sample.

    Attributes:
        zone_id: the zone.
        track_id: the visit's track (for CONTINUED: the new id).
        kind: started, ended or continued.
        start_t: video time the visit began (the crossing into the zone where seen, else the first sighting).
        last_t: video time of its last sighting.
        previous_id: for CONTINUED, the id that held the visit before; else None.
    """

    zone_id: str
    track_id: int
    kind: VisitChangeKind
    start_t: float
    last_t: float
    previous_id: int | None = None


def visit_start_t(visit: Visit) -> float:
    """When the person stepped into the zone: the crossing where it was seen, else the first sighting."""
    return visit.first_in_t if visit.entered_t is None else visit.entered_t


def visit_changes(before: ZoneState, after: ZoneState) -> list[VisitChange]:
    """The confirmed visits that started, ended or continued under a new id from ``before`` to ``after``,
    zone by zone in the order of ``after`` (then zones only ``before`` had), ids ascending."""
    changes: list[VisitChange] = []
    zone_ids = list(after.zones) + [z for z in before.zones if z not in after.zones]
    for zone_id in zone_ids:
        old = _confirmed(before, zone_id)
        new = _confirmed(after, zone_id)
        gone = {tid: v for tid, v in old.items() if tid not in new}
        for tid in sorted(new):
            if tid in old:
                continue
            visit = new[tid]
            taken_from = _same_visit(visit, gone)
            if taken_from is not None:
                del gone[taken_from]
                changes.append(
                    VisitChange(
                        zone_id, tid, VisitChangeKind.CONTINUED, visit_start_t(visit), visit.last_in_t, taken_from
                    )
                )
            else:
                changes.append(
                    VisitChange(zone_id, tid, VisitChangeKind.STARTED, visit_start_t(visit), visit.last_in_t)
                )
        for tid in sorted(gone):
            visit = gone[tid]
            changes.append(VisitChange(zone_id, tid, VisitChangeKind.ENDED, visit_start_t(visit), visit.last_in_t))
    return changes


def _confirmed(state: ZoneState, zone_id: str) -> dict[int, Visit]:
    track = state.zones.get(zone_id)
    return {} if track is None else {tid: v for tid, v in track.visits.items() if v.confirmed}


def _same_visit(visit: Visit, gone: dict[int, Visit]) -> int | None:
    """The lost id whose visit this is (a rejoin keeps the visit's first sighting), if any."""
    for tid in sorted(gone):
        if gone[tid].first_in_t == visit.first_in_t:
            return tid
    return None
