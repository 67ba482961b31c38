"""The visits that started, ended or changed id between two zone states, sample by sample."""

from __future__ import annotations

from datetime import timedelta

from cvmon.zones.state import PersonInZone, ZoneState, close_zones, update_zones
from cvmon.zones.visit_changes import VisitChange, VisitChangeKind, visit_changes
from tests.conftest import T0
from tests.zones.test_zone_state import FPS, QUEUE, TIMING, p

STARTED, ENDED, CONTINUED = VisitChangeKind.STARTED, VisitChangeKind.ENDED, VisitChangeKind.CONTINUED


def changes(timeline: dict[float, list[PersonInZone]], until: float, close: bool = False) -> list[VisitChange]:
    """Every visit change of a 5 fps run from 0 to ``until`` (``close``: then the end of the recording)."""
    state, out = ZoneState(), []
    current: list[PersonInZone] = []
    keys = sorted(timeline)
    for i in range(round(until * FPS) + 1):
        t = round(i / FPS, 6)
        while keys and keys[0] <= t + 1e-9:
            current = timeline[keys.pop(0)]
        people = {QUEUE.id: current}
        matched = frozenset(x.track_id for x in current)
        after, _ = update_zones(
            state, [QUEUE], people, {QUEUE.id: len(current)}, t, T0 + timedelta(seconds=t), TIMING, matched
        )
        out += visit_changes(state, after)
        state = after
    if close:
        out += visit_changes(state, close_zones(state, until, T0 + timedelta(seconds=until))[0])
    return out


def test_a_visit_starts_when_confirmed_dated_at_its_first_sighting_and_ends_once() -> None:
    got = changes({10.0: [p(1)], 30.0: []}, 40)
    assert [(c.kind, c.track_id, c.start_t) for c in got] == [(STARTED, 1, 10.0), (ENDED, 1, 10.0)]
    assert got[1].last_t == 29.8


def test_a_passer_by_too_short_to_count_changes_nothing() -> None:
    assert changes({10.0: [p(1)], 11.0: []}, 20) == []


def test_a_new_id_taking_over_a_lost_visit_continues_it() -> None:
    # id 1 is lost at 20 s; id 2 is born right there at 20.4 s and takes the visit over.
    got = changes({10.0: [p(1)], 20.0: [], 20.4: [p(2, born=20.4)], 40.0: []}, 50)
    assert [(c.kind, c.track_id, c.previous_id) for c in got] == [
        (STARTED, 1, None),
        (CONTINUED, 2, 1),
        (ENDED, 2, None),
    ]
    assert got[1].start_t == 10.0


def test_two_people_give_two_visits() -> None:
    got = changes({5.0: [p(1, x=0.2), p(2, x=0.8)], 25.0: [p(2, x=0.8)], 35.0: []}, 45)
    assert [(c.kind, c.track_id) for c in got] == [(STARTED, 1), (STARTED, 2), (ENDED, 1), (ENDED, 2)]


def test_the_end_of_a_recording_ends_every_open_visit() -> None:
    got = changes({5.0: [p(1), p(2, x=0.9)]}, 20, close=True)
    assert [(c.kind, c.track_id) for c in got] == [(STARTED, 1), (STARTED, 2), (ENDED, 1), (ENDED, 2)]
