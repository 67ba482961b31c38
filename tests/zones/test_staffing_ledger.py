"""Honest staffing grace: absences shorter than the grace are staffed, longer ones unstaffed from the
moment the zone emptied; arrivals staffed from when they began. Sample by sample, with exact sums."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cvmon.config.models import TimingConfig, ZoneConfig
from cvmon.types import ZoneEvent, ZoneEventKind, ZoneKind
from cvmon.zones.geometry import Zone
from cvmon.zones.staffing_ledger import HeldSample, settle, settle_all
from cvmon.zones.state import PersonInZone, ZoneState, staffing_of_sample, update_zones
from tests.conftest import T0

SQUARE = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
STAFF = Zone.from_config(ZoneConfig(id="s", kind=ZoneKind.COUNTER_STAFF, points=SQUARE))
TIMING = TimingConfig(min_enter_s=2.0, min_exit_s=3.0, staffed_grace_s=20.0)
FPS = 5
DT = 1 / FPS


def staffed_seconds(present: list[tuple[float, float]], until: float, timing: TimingConfig = TIMING) -> float:
    """Staffed seconds of a staff zone occupied during the given intervals, 0..until at 5 fps."""
    state, held, total = ZoneState(), (), 0.0
    for i in range(round(until * FPS)):
        t = round(i / FPS, 6)
        occupied = any(a <= t < b for a, b in present)
        people = {STAFF.id: [PersonInZone(1, 0.5, 0.5, 0.1)] if occupied else []}
        wall = T0 + timedelta(seconds=t)
        state, events = update_zones(state, [STAFF], people, {STAFF.id: int(occupied)}, t, wall, timing)
        decision = staffing_of_sample(state.zones[STAFF.id], occupied, t, timing)
        held, settled = settle(held, wall, DT, decision, events)
        total += sum(s.dt for s in settled if s.staffed)
    total += sum(s.dt for s in settle_all(held, state.staffed(STAFF.id)) if s.staffed)
    return round(total, 6)


@pytest.mark.parametrize(
    ("present", "until", "expected"),
    [
        ([(0, 120)], 120, 120.0),  # staffed from the arrival on, the 2 s debounce included
        ([(0, 40), (80, 120)], 120, 80.0),  # away 40 s > grace 20 s: 40 s unstaffed, not 20 s
        ([(0, 40), (55, 120)], 120, 120.0),  # away 15 s < grace: staffed throughout
        ([(0, 40), (60, 120)], 120, 100.0),  # away exactly the grace (20 s): unstaffed for those 20 s
        ([(0, 30), (30.6, 31), (60, 120)], 120, 91.0),  # back within the grace: staffed to 31 s, then 29 s away
        ([(10, 11)], 60, 0.0),  # one second is no arrival
        ([(10, 11), (12, 14)], 60, 4.0),  # a flicker shorter than min_exit_s: one arrival, from 10 s
        ([], 60, 0.0),
        ([(0, 50)], 60, 60.0),  # absent 10 s at the end, still within the grace: staffed
        ([(0, 30), (35, 36), (60, 120)], 120, 90.0),  # a passer crossing the empty post: away from 30 s on
        ([(0, 30), (44, 45), (49, 120)], 120, 120.0),  # back 19 s after leaving, a passer before: staffed
        ([(0, 30), (49, 50), (56, 120)], 120, 94.0),  # a 1 s visit at the grace's end is no return
    ],
)
def test_staffed_seconds_follow_the_grace_honestly(
    present: list[tuple[float, float]], until: float, expected: float
) -> None:
    assert staffed_seconds(present, until) == pytest.approx(expected, abs=1e-6)


def test_a_day_of_breaks_is_not_inflated() -> None:
    """Breaks of 10 s to 3 min over an hour: the figure equals the exact truth of the rule."""
    breaks = [(300, 310), (900, 1080), (1500, 1560), (2000, 2015), (2700, 2790), (3300, 3340)]
    present, t0 = [], 0.0
    for a, b in breaks:
        present.append((t0, a))
        t0 = b
    present.append((t0, 3600))
    truth = 3600 - sum(b - a for a, b in breaks if b - a >= TIMING.staffed_grace_s)
    assert staffed_seconds(present, 3600) == pytest.approx(truth, abs=1e-6)


def test_settle_splits_held_samples_at_the_change() -> None:
    held = tuple(HeldSample(T0 + timedelta(seconds=s), DT) for s in (1, 2, 3))
    change = ZoneEvent("s", ZoneEventKind.STAFFED, T0 + timedelta(seconds=2))
    rest, settled = settle(held, T0 + timedelta(seconds=4), DT, True, [change])
    assert rest == ()
    assert [(round((s.ts - T0).total_seconds()), s.staffed) for s in settled] == [
        (1, False),
        (2, True),
        (3, True),
        (4, True),
    ]


def test_an_undecided_sample_is_held() -> None:
    rest, settled = settle((), T0, DT, None)
    assert settled == [] and rest == (HeldSample(T0, DT),)
