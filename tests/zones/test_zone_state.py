"""Visit debounce, id-switch rejoin and staffing grace, sample by sample."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from cvmon import appearance
from cvmon.config.models import TimingConfig, ZoneConfig
from cvmon.types import ZoneEventKind, ZoneKind
from cvmon.zones.geometry import Zone
from cvmon.zones.state import PersonInZone, ZoneState, close_zones, update_zones
from tests.conftest import T0

TIMING = TimingConfig(min_enter_s=2.0, min_exit_s=3.0, staffed_grace_s=10.0, rejoin_distance=1.5)
SQUARE = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
QUEUE = Zone.from_config(ZoneConfig(id="q", kind=ZoneKind.QUEUE, points=SQUARE))
STAFF = Zone.from_config(ZoneConfig(id="s", kind=ZoneKind.COUNTER_STAFF, points=SQUARE))
FPS = 5


def run(timeline: dict[float, list[PersonInZone]], until: float, zone: Zone = QUEUE):
    """Feed samples at 5 fps from 0 to ``until``; ``timeline`` maps a time to the people seen from then on."""
    state = ZoneState()
    events = []
    current: list[PersonInZone] = []
    keys = sorted(timeline)
    for i in range(round(until * FPS) + 1):
        t = round(i / FPS, 6)
        while keys and keys[0] <= t + 1e-9:
            current = timeline[keys.pop(0)]
        people = {zone.id: current}
        state, evs = update_zones(state, [zone], people, {zone.id: len(current)}, t, T0 + timedelta(seconds=t), TIMING)
        events += evs
    return state, events


def p(track_id: int, x: float = 0.5, y: float = 0.5, w: float = 0.05, born: float = -1e9) -> PersonInZone:
    """A person seen in the zone; ``born`` is when the tracker first confirmed the id (default: long ago)."""
    return PersonInZone(track_id, x, y, w, born)


def visits(events) -> list[float]:
    return [round(e.duration_s, 2) for e in events if e.kind is ZoneEventKind.EXITED]


def test_one_visit_of_a_minute() -> None:
    _, events = run({10.0: [p(1)], 70.0: []}, 80)
    assert visits(events) == [59.8]
    entered = [e for e in events if e.kind is ZoneEventKind.ENTERED]
    assert len(entered) == 1 and entered[0].ts == T0 + timedelta(seconds=10)
    exited = [e for e in events if e.kind is ZoneEventKind.EXITED]
    assert exited[0].ts == T0 + timedelta(seconds=69.8)


def test_passer_by_shorter_than_min_enter_is_no_visit() -> None:
    _, events = run({10.0: [p(1)], 11.6: []}, 20)
    assert visits(events) == []
    assert events == []


def test_hidden_for_less_than_min_exit_is_the_same_visit() -> None:
    _, events = run({10.0: [p(1)], 30.0: [], 32.0: [p(1)], 60.0: []}, 70)
    assert visits(events) == [49.8]


def test_hidden_longer_than_min_exit_splits_the_visit() -> None:
    _, events = run({10.0: [p(1)], 30.0: [], 34.0: [p(1)], 60.0: []}, 70)
    assert visits(events) == [19.8, 25.8]


def test_new_track_id_near_the_lost_one_continues_the_visit() -> None:
    _, events = run({10.0: [p(1, 0.50)], 30.0: [], 31.0: [p(2, 0.52, born=31.0)], 60.0: []}, 70)
    assert visits(events) == [49.8]


def test_new_track_id_far_away_is_another_visit() -> None:
    _, events = run({10.0: [p(1, 0.2)], 30.0: [p(2, 0.8)], 60.0: []}, 70)
    assert visits(events) == [19.8, 29.8]


def test_two_people_two_visits_and_an_id_swap_between_them_keeps_two() -> None:
    timeline = {
        0.0: [p(1, 0.2), p(2, 0.8)],
        20.0: [p(3, 0.2, born=20.0), p(2, 0.8)],  # person 1 re-identified as 3 at once
        40.0: [p(3, 0.2)],
        50.0: [],
    }
    _, events = run(timeline, 60)
    assert sorted(visits(events)) == [39.8, 49.8]


def test_close_zones_ends_open_visits_at_last_sighting() -> None:
    state, events = run({0.0: [p(1)]}, 30)
    assert visits(events) == []
    assert state.open_visits("q") == 1
    _, closing = close_zones(state, 30.0, T0 + timedelta(seconds=30))
    assert visits(closing) == [30.0]


@pytest.mark.parametrize(
    ("timeline", "until", "staffed_at_end", "kinds"),
    [
        ({0.0: [p(1)]}, 20, True, ["staffed"]),
        ({0.0: [p(1)], 5.0: [], 12.0: [p(1)]}, 20, True, ["staffed"]),  # away 7 s < grace 10 s
        ({0.0: [p(1)], 5.0: []}, 20, False, ["staffed", "unstaffed"]),
        ({0.0: [p(1)], 1.0: []}, 20, False, []),  # 1 s is no arrival
        ({}, 20, False, []),
    ],
)
def test_staffing_with_grace(timeline, until, staffed_at_end, kinds) -> None:  # type: ignore[no-untyped-def]
    state, events = run(timeline, until, zone=STAFF)
    assert state.staffed("s") is staffed_at_end
    assert [e.kind.value for e in events if e.kind in (ZoneEventKind.STAFFED, ZoneEventKind.UNSTAFFED)] == kinds


def test_unstaffed_event_time_is_when_the_zone_emptied_not_when_the_grace_ran_out() -> None:
    _, events = run({0.0: [p(1)], 5.0: []}, 20, zone=STAFF)
    unstaffed = next(e for e in events if e.kind is ZoneEventKind.UNSTAFFED)
    assert unstaffed.ts == T0 + timedelta(seconds=4.8)
    staffed = next(e for e in events if e.kind is ZoneEventKind.STAFFED)
    assert staffed.ts == T0  # the arrival began at 0 s; the 2 s debounce only confirmed it


def run_with_matched(
    samples: list[tuple[float, list[PersonInZone], frozenset[int]]], zone: Zone = QUEUE
) -> list[float]:
    """Feed explicit samples (time, people in the zone, every id the tracker matched); visit durations."""
    state, events = ZoneState(), []
    for t, people, matched in samples:
        state, evs = update_zones(
            state, [zone], {zone.id: people}, {zone.id: len(people)}, t, T0 + timedelta(seconds=t), TIMING, matched
        )
        events += evs
    state, closing = close_zones(state, samples[-1][0], T0 + timedelta(seconds=samples[-1][0]))
    return visits(events + closing)


def ticks(start: float, end: float) -> list[float]:
    return [round(start + i / FPS, 6) for i in range(round((end - start) * FPS))]


def test_next_customer_stepping_up_where_the_last_one_stood_is_a_new_visit() -> None:
    """A leaves the counter (still tracked, outside the zone); B, queued behind, steps into A's place."""
    a_at_counter = [(t, [p(1, 0.5)], frozenset({1, 2})) for t in ticks(0, 30)]
    a_walks_off = [(t, [], frozenset({1, 2})) for t in ticks(30, 31)]
    b_steps_up = [(t, [p(2, 0.5)], frozenset({1, 2})) for t in ticks(31, 60)]
    assert run_with_matched(a_at_counter + a_walks_off + b_steps_up) == [29.8, 28.8]


def test_an_existing_track_never_takes_over_a_lost_visit() -> None:
    """A's track is lost at the counter (not matched anywhere); B, tracked long before, steps in."""
    a_at_counter = [(t, [p(1, 0.5)], frozenset({1, 2})) for t in ticks(0, 30)]
    lost = [(t, [], frozenset({2})) for t in ticks(30, 31)]
    b_steps_up = [(t, [p(2, 0.52, born=5.0)], frozenset({2})) for t in ticks(31, 60)]
    assert run_with_matched(a_at_counter + lost + b_steps_up) == [29.8, 28.8]


def test_a_new_id_born_in_place_of_a_lost_one_continues_its_visit() -> None:
    """The tracker drops A behind someone for a second and finds them again under a new id."""
    a_waits = [(t, [p(1, 0.5)], frozenset({1})) for t in ticks(0, 30)]
    hidden = [(t, [], frozenset()) for t in ticks(30, 31)]
    again = [(t, [p(7, 0.52, born=31.0)], frozenset({7})) for t in ticks(31, 60)]
    assert run_with_matched(a_waits + hidden + again) == [59.8]


RED, BLUE = np.zeros(appearance.BINS, np.float32), np.zeros(appearance.BINS, np.float32)
RED[0], BLUE[16] = 1.0, 1.0  # two torso histograms with no colour in common


@pytest.mark.parametrize(("old_look", "new_look", "expected"), [(RED, BLUE, [29.8, 28.8]), (RED, RED, [59.8])])
def test_a_new_id_born_in_place_of_a_lost_one_takes_over_only_if_it_looks_alike(
    old_look: np.ndarray, new_look: np.ndarray, expected: list[float]
) -> None:
    """A passer-by whose track is born in front of a hidden customer does not take over the wait."""
    a_waits = [(t, [replace(p(1, 0.5), look=old_look)], frozenset({1})) for t in ticks(0, 30)]
    hidden = [(t, [], frozenset()) for t in ticks(30, 31)]
    again = [(t, [replace(p(7, 0.52, born=31.0), look=new_look)], frozenset({7})) for t in ticks(31, 60)]
    assert run_with_matched(a_waits + hidden + again) == expected


def test_a_new_id_while_the_old_one_is_still_tracked_elsewhere_is_another_person() -> None:
    a_waits = [(t, [p(1, 0.5)], frozenset({1})) for t in ticks(0, 30)]
    a_outside = [(t, [], frozenset({1})) for t in ticks(30, 31)]
    newcomer = [(t, [p(7, 0.52, born=31.0)], frozenset({1, 7})) for t in ticks(31, 60)]
    assert run_with_matched(a_waits + a_outside + newcomer) == [29.8, 28.8]


def test_a_new_id_born_before_the_old_one_vanished_is_another_person() -> None:
    both = [(t, [p(1, 0.5)], frozenset({1, 7})) for t in ticks(0, 30)]  # 7 tracked elsewhere since 10 s
    a_lost = [(t, [], frozenset({7})) for t in ticks(30, 31)]
    seven_in = [(t, [p(7, 0.52, born=10.0)], frozenset({7})) for t in ticks(31, 60)]
    assert run_with_matched(both + a_lost + seven_in) == [29.8, 28.8]


def test_a_visit_lasts_one_sample_longer_than_between_its_first_and_last_sighting() -> None:
    """Seen at 10.0 .. 69.8 s at 5 fps: entered, on average, 0.1 s before and left 0.1 s after."""
    state, events = ZoneState(), []
    for i in range(400):
        t = round(i / FPS, 6)
        people = [p(1)] if 10.0 <= t < 70.0 else []
        state, evs = update_zones(
            state, [QUEUE], {"q": people}, {"q": len(people)}, t, T0 + timedelta(seconds=t), TIMING, sample_s=1 / FPS
        )
        events += evs
    assert visits(events) == [60.0]


HALF = Zone.from_config(
    ZoneConfig(id="q", kind=ZoneKind.QUEUE, points=[(0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)])
)


def walk_through(speed: float, x0: float, stop: tuple[float, float] | None = None, feet_known: bool = True) -> list:
    """One person walking right at ``speed`` (zone widths per second) from ``x0`` at t=0, 5 fps, through
    ``HALF`` (x >= 0.5) and out at its right edge (x = 1); ``stop``: standing still from t0 to t1."""
    state, events = ZoneState(), []
    for i in range(300):
        t = round(i / FPS, 6)
        moving = t if stop is None or t < stop[0] else max(stop[0], t - (stop[1] - stop[0]))
        x = x0 + speed * moving
        inside = [p(1, x=x)] if 0.5 <= x < 1.0 else []
        feet = {1: (x, 0.5)} if feet_known and x < 1.4 else None
        state, evs = update_zones(
            state,
            [HALF],
            {"q": inside},
            {"q": len(inside)},
            t,
            T0 + timedelta(seconds=t),
            TIMING,
            sample_s=1 / FPS,
            feet=feet,
        )
        events += evs
    return visits(events)


@pytest.mark.parametrize("x0", [0.03, 0.07, 0.11, 0.15, 0.19])
def test_a_visit_walked_through_starts_and_ends_where_the_steps_crossed_the_edges(x0: float) -> None:
    """At 0.2 zone widths per second the 0.5 wide zone takes 2.5 s to cross, wherever the samples fall:
    the steps into and out of it are timed by where they cross its edges, not by the sample after."""
    assert walk_through(0.2, x0) == [2.5]
    assert walk_through(0.2, x0, stop=(3.0, 13.0)) == [12.5]  # a 10 s stop inside


def test_without_the_feet_outside_a_visit_keeps_half_a_sample_at_each_end() -> None:
    """Nothing known outside the zone (a caller that gives no positions): the 0.2-s-sample rule."""
    assert walk_through(0.2, 0.03, feet_known=False) == [2.6]  # seen 2.4 .. 4.8 s: 2.4 s + one sample
