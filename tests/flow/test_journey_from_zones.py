"""Journeys counted from real zone steps: scripted people walk through the zones of a hall at 5 fps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cvmon.config.journey import JourneyConfig
from cvmon.config.models import TimingConfig, ZoneConfig
from cvmon.figures import ZoneFigures
from cvmon.flow.counter import JourneyCounter, confirm_delay_s
from cvmon.histogram import DurationHistogram
from cvmon.pipeline.occupancy import ZoneStage
from cvmon.types import ZoneKind
from cvmon.types.people import PersonRole
from cvmon.zones.geometry import Zone
from cvmon.zones.state import PersonInZone
from tests.conftest import T0

TIMING = TimingConfig(min_enter_s=2.0, min_exit_s=3.0, staffed_grace_s=10.0, rejoin_distance=1.5)
FPS = 5
STRIPS = {  # zone id -> (kind, x from, x to): strips across the picture, the hall between them
    "pintu": (ZoneKind.ENTRANCE, 0.0, 0.2),
    "satpam": (ZoneKind.POST, 0.2, 0.3),
    "antrian": (ZoneKind.QUEUE, 0.3, 0.6),
    "loket-1": (ZoneKind.COUNTER_CUSTOMER, 0.7, 1.0),
}
ZONES = [
    Zone.from_config(ZoneConfig(id=z, kind=kind, points=[(a, 0.0), (b, 0.0), (b, 1.0), (a, 1.0)]))
    for z, (kind, a, b) in STRIPS.items()
]
JOURNEY = JourneyConfig.model_validate(
    {"steps": [{"zones": ["pintu"]}, {"zones": ["antrian"]}, {"zones": ["loket-1"]}], "door_post": "satpam"}
)
PINTU, SATPAM, ANTRIAN, HALL, LOKET = 0.1, 0.25, 0.45, 0.65, 0.85


def where(track: int, t: float, guard: bool) -> float | None:
    """Where (x) each person stands at ``t``; None: not in view."""
    if track == 99:  # the guard, at the post all along
        return SATPAM if guard else None
    # customer 1 is served; customer 2 gives up after 100 s in the queue; 50 is a staff member walking through
    start = {1: 10.0, 2: 30.0, 50: 50.0}[track]
    legs = [(5, PINTU), (5, HALL), (100, ANTRIAN), (5, HALL), (75, LOKET)]
    if track == 2:
        legs = legs[:3]
    for seconds, x in legs:
        if t < start + seconds:
            return x if t >= start else None
        start += seconds
    return None


def run(until: float, guard: bool) -> dict[int, ZoneFigures]:
    stage = ZoneStage(ZONES, TIMING, 1 / FPS)
    counter = JourneyCounter(JOURNEY, {z.id: z.kind for z in ZONES}, confirm_delay_s(TIMING, 1 / FPS))
    roles = {1: PersonRole.CUSTOMER, 2: PersonRole.CUSTOMER, 50: PersonRole.STAFF, 99: PersonRole.STAFF}
    for i in range(round(until * FPS) + 1):
        t = round(i / FPS, 6)
        wall = T0 + timedelta(seconds=t)
        seen = {tid: x for tid in (1, 2, 50, 99) if (x := where(tid, t, guard)) is not None}
        people: dict[str, list[PersonInZone]] = {z.id: [] for z in ZONES}
        for tid, x in seen.items():
            for z in ZONES:
                if STRIPS[z.id][1] <= x < STRIPS[z.id][2]:
                    people[z.id].append(PersonInZone(tid, x, 0.5, 0.05))
        counts = {z: len(p) for z, p in people.items()}
        step = stage.update(people, counts, frozenset(seen), t, wall, 1 / FPS)
        counter.update(step.visits, t, wall, stage.state.staffed("satpam"), roles)
    return {round((m.minute - T0).total_seconds() / 60): m.figures for m in counter.pop_complete(None)}


@pytest.mark.parametrize("guard", [True, False])
def test_customers_and_a_staff_member_walking_through_the_zones(guard: bool) -> None:
    met = 2 if guard else 0
    assert run(460, guard) == {
        0: ZoneFigures(arrivals=2, met_at_door=met, queued=2),
        2: ZoneFigures(
            reached_counter=1,
            journey_seconds_sum=115.0,  # stepped in at the door at 10 s, up to the counter at 125 s
            journey_hist=DurationHistogram.of([115.0]),
            abandoned=1,  # customer 2, last seen in the queue at 139.8 s
        ),
    }
