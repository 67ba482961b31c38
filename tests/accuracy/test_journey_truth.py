"""Journey scenes (bench/scenes/journey.py): the truth of each person's journey on a hand-written script
with exact expected figures, a scripted plan's zone sequences, and the scoring against cvmon's figures.
Nothing here renders video or runs a detector."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bench.scenes import JOURNEY, Arrival, JourneyScenePlan, journey_scene_config
from bench.scenes.flow_measure import FlowRun, _match, note_verdict, person_verdicts, score_flow
from bench.scenes.journey import (
    DOOR_SPOT,
    GUARD_POST,
    GUARD_SPOT,
    GUIDE_SPOT,
    JOURNEY_ZONES,
    LOKET,
    PANDU_POST,
    make_journey_script,
    place_in_queue,
)
from bench.scenes.journey_truth import flow_truth
from bench.scenes.script import FPS, Person, Script, person_height
from bench.scenes.truth import inside_zone

SECONDS = 200.0
N = round(SECONDS * FPS)
QUEUE = place_in_queue(1)
NOWHERE = (540.0, 350.0)  # in no zone: the hall between the desks and the queue
CUSTOMER_LOOKS, STAFF_LOOKS = [5, 6, 7], [105]


def person(role: str, *stays: tuple[float, float, tuple[float, float]]) -> Person:
    """Standing at each place from s to s (both frames included), off the picture otherwise."""
    x, y = np.full(N, np.nan), np.full(N, np.nan)
    for a, b, (px, py) in stays:
        x[round(a * FPS) : round(b * FPS) + 1] = px
        y[round(a * FPS) : round(b * FPS) + 1] = py
    return Person(role, 0, x, y, np.zeros(N, bool), np.zeros(N, bool))


def office() -> Script:
    """A guard away from 120 s to 160 s (longer than the grace) and six customers, each one case."""
    people = [
        person("staff", (0, 119.9, GUARD_POST), (160, SECONDS - 0.1, GUARD_POST)),
        person("staff", (0, 50, PANDU_POST), (50.1, 60, (400.0, 412.0)), (60.1, SECONDS - 0.1, PANDU_POST)),
        # A: every step, served
        person(
            "customer",
            (0, 3, DOOR_SPOT),
            (3.1, 6, GUARD_SPOT),
            (6.1, 8, (470.0, 350.0)),
            (8.1, 18, GUIDE_SPOT),
            (18.1, 40, QUEUE),
            (40.1, 60, LOKET),
        ),
        # B: skips the guide desk, waits 74.9 s and leaves by the door: abandoned
        person(
            "customer",
            (10, 13, DOOR_SPOT),
            (13.1, 15, (470.0, 350.0)),
            (15.1, 90, place_in_queue(2)),
            (90.1, 92, (470.0, 350.0)),
            (92.1, 95, DOOR_SPOT),
        ),
        # C: skips the guide desk, gives up after 39.9 s (under abandon_min_s): not abandoned
        person("customer", (20, 23, DOOR_SPOT), (23.1, 63, place_in_queue(3)), (63.1, 66, DOOR_SPOT)),
        # D: guided, still queueing when the scene ends: not judged
        person("customer", (100, 103, DOOR_SPOT), (103.1, 110, GUIDE_SPOT), (110.1, SECONDS - 0.1, QUEUE)),
        # E: comes in while the guard is away; guided, straight to the loket (the queue is optional)
        person("customer", (130, 133, DOOR_SPOT), (133.1, 140, GUIDE_SPOT), (140.1, 150, LOKET)),
        # F: 1 s in the door (no visit): joined mid-way, in the queue
        person("customer", (170, 171, DOOR_SPOT), (171.1, 190, place_in_queue(0))),
    ]
    return Script(seed=0, plan=None, n_frames=N, people=people, zones=JOURNEY_ZONES)


@pytest.fixture(scope="module")
def truth():  # type: ignore[no-untyped-def]
    return flow_truth(office(), JOURNEY)


def test_each_person_has_their_zone_visits_in_order_with_entry_and_exit_times(truth) -> None:  # type: ignore[no-untyped-def]
    a = truth.people[2]
    assert [v.zone_id for v in a.visits] == ["door", "guard", "guide", "queue", "counter"]
    times = [t for v in a.visits for t in (v.entered_s, v.left_s)]
    assert times == pytest.approx([0.0, 3.1, 3.1, 6.1, 8.1, 18.1, 18.1, 40.1, 40.1, 60.1])
    pandu = truth.people[1]
    assert pandu.role == "staff" and [v.zone_id for v in pandu.visits] == ["pandu", "queue", "pandu"]
    assert pandu.journey == ()  # staff have no journey


@pytest.mark.parametrize(
    ("who", "sequence", "arrived", "met", "guided", "skipped", "reached", "abandoned", "journey_s", "waited_s"),
    [
        (2, ["door", "guard", "guide", "queue", "counter"], True, True, True, False, True, False, 40.1, 21.9),
        (3, ["door", "queue", "door"], True, True, False, True, False, True, None, 74.9),
        (4, ["door", "queue", "door"], True, True, False, True, False, False, None, 39.9),
        (5, ["door", "guide", "queue"], True, True, True, False, False, False, None, 89.8),
        (6, ["door", "guide", "counter"], True, False, False, False, True, False, 10.1, 0.0),
        (7, ["queue"], False, False, False, False, False, False, None, 18.9),
    ],
)
def test_each_customers_journey_follows_the_definitions(
    truth, who, sequence, arrived, met, guided, skipped, reached, abandoned, journey_s, waited_s
) -> None:  # type: ignore[no-untyped-def]
    p = truth.people[who]
    assert p.role == "customer"
    assert p.sequence == sequence
    assert (p.arrived, p.met_at_door, p.guided_before_queue) == (arrived, met, guided)
    assert (p.skipped_required, p.reached_counter, p.abandoned) == (skipped, reached, abandoned)
    assert p.journey_s == pytest.approx(journey_s)
    assert p.waited_s == pytest.approx(waited_s)


def test_scene_totals_count_customers_only(truth) -> None:  # type: ignore[no-untyped-def]
    assert truth.totals == {
        "arrivals": 5,
        "met_at_door": 4,
        "joined_midway": 1,
        "guided_before_queue": 2,
        "queued": 5,
        "abandoned": 1,
        "reached_counter": 2,
        "skipped_required": 2,
    }
    assert truth.journey_times == pytest.approx((40.1, 10.1))
    assert [p.index for p in truth.of_role("staff")] == [0, 1]


# -- the generator on a scripted plan ---------------------------------------------------------------------

SCRIPTED = JourneyScenePlan(
    duration_s=170,
    staff_walks=False,
    absences=(),
    arrivals=(
        Arrival(3.0, guard=True, guide=True, service_s=100.0),  # served for 100 s: the others wait
        Arrival(40.0, guard=False, guide=False, patience_s=70.0),  # gives up after 70 s in the queue
        Arrival(50.0, guard=False, guide=True),  # guided, queues, served after the first
    ),
)


@pytest.fixture(scope="module")
def scripted() -> tuple[Script, object]:
    script = make_journey_script(5, SCRIPTED, CUSTOMER_LOOKS, STAFF_LOOKS)
    return script, flow_truth(script, JOURNEY)


def test_a_scripted_plan_gives_its_customers_the_zone_sequences_they_were_given(scripted) -> None:  # type: ignore[no-untyped-def]
    script, truth = scripted
    assert [p.role for p in script.people] == ["staff"] * 3 + ["customer"] * 3
    assert [p.post for p in script.people[:3]] == ["frontliner", "guard", "pandu"]
    first, second, third = truth.people[3:]
    assert first.sequence == ["door", "guard", "guide", "counter"]  # the queue was empty: straight to the loket
    assert second.sequence == ["door", "queue"]  # out by the door, walking through it in under min_enter_s
    assert third.sequence == ["door", "guide", "queue", "counter"]
    assert [p.stopped_at_guard for p in script.people[3:]] == [True, False, False]
    assert [p.guided for p in script.people[3:]] == [True, False, True]


def test_a_scripted_plan_gives_up_and_abandons_as_planned(scripted) -> None:  # type: ignore[no-untyped-def]
    script, truth = scripted
    second = truth.people[4]
    assert script.people[4].abandoned and not script.people[4].served
    assert second.abandoned and second.left and not second.reached_counter
    assert 60.0 <= second.waited_s <= 70.0  # patience 70 s from joining, some of it walking to the queue zone
    assert truth.totals["abandoned"] == 1 and truth.totals["skipped_required"] == 1
    assert script.people[3].served and script.people[5].served


def test_journey_time_runs_from_entering_the_door_zone_to_entering_the_counter_zone(scripted) -> None:  # type: ignore[no-untyped-def]
    script, truth = scripted
    door, counter = JOURNEY_ZONES["door"]["points"], JOURNEY_ZONES["counter"]["points"]
    for p, t in zip(script.people[3:], truth.people[3:], strict=True):
        if not t.reached_counter:
            continue
        entered_door = np.flatnonzero(inside_zone(door, p.x, p.y))[0]  # type: ignore[arg-type]
        entered_counter = np.flatnonzero(inside_zone(counter, p.x, p.y))[0]  # type: ignore[arg-type]
        assert t.journey_s == pytest.approx((entered_counter - entered_door) / FPS)
    assert len(truth.journey_times) == 2


def test_staff_stay_at_their_posts_when_they_do_not_walk(scripted) -> None:  # type: ignore[no-untyped-def]
    _, truth = scripted
    for staff, zone in zip(truth.people[:3], ("staff", "guard", "pandu"), strict=True):
        assert [(v.zone_id, v.entered_s, v.left_s) for v in staff.visits] == [(zone, 0.0, 170.0)]


def test_the_scene_config_is_a_valid_cameras_yaml_with_the_journey_and_staff_classification(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from cvmon.config.load import load_config

    path = tmp_path / "cameras.yaml"
    path.write_text(yaml.safe_dump(journey_scene_config("scene.mp4")), encoding="utf-8")
    camera = load_config(path).cameras[0]
    assert [s.zones for s in camera.journey.steps] == [["door"], ["guard"], ["guide"], ["queue"], ["counter"]]
    assert [s.required for s in camera.journey.steps] == [True, False, True, False, True]
    assert (camera.journey.door_post, camera.journey.guide_desk) == ("guard", "guide")
    assert camera.staff.enabled
    assert {z.id: z.kind.value for z in camera.zones} == {z: spec["kind"] for z, spec in JOURNEY_ZONES.items()}


# -- scoring ----------------------------------------------------------------------------------------------


def box_at(x: float, y: float) -> list[float]:
    h = person_height(y)
    return [x - 0.2 * h, y - h, x + 0.2 * h, y]


def test_tracks_cover_the_person_whose_feet_are_nearest() -> None:
    script = office()
    f = round(2.0 * FPS)  # the guard, the Pandu and customer A (at the door) are in the picture
    boxes = np.array([box_at(DOOR_SPOT[0] + 10, DOOR_SPOT[1] + 5), box_at(*GUARD_POST), box_at(300, 200)])
    assert sorted(_match(script, f, boxes)) == [(0, 1), (2, 0)]  # the box far from anyone covers nobody


def test_a_persons_verdict_is_the_majority_of_the_frames_of_the_tracks_that_covered_them(truth) -> None:  # type: ignore[no-untyped-def]
    from cvmon.figures import ZoneFigures

    run = FlowRun(
        flow=ZoneFigures(),
        summary={},
        cover={0: Counter({1: 30, 2: 10}), 1: Counter({3: 5, 4: 5}), 2: Counter({5: 8, 6: 4, 7: 4})},
        verdict={1: "staff", 2: "customer", 3: "unsure", 4: "customer", 5: "unsure", 6: "customer", 7: "customer"},
    )
    verdicts = {p["person"]: p["verdict"] for p in person_verdicts(truth, run)}
    assert verdicts[0] == "staff"
    assert verdicts[1] == "unsure"  # a tie goes to unsure
    assert verdicts[2] == "unsure"  # 8 frames unsure against 4 + 4 customer: a tie again
    assert verdicts[3] == "unseen"  # no track covered customer B


def test_score_compares_the_stored_flow_counts_and_journey_times_with_the_truth(truth) -> None:  # type: ignore[no-untyped-def]
    from cvmon.figures import ZoneFigures
    from cvmon.histogram import DurationHistogram

    flow = ZoneFigures(
        arrivals=6,
        met_at_door=4,
        joined_midway=0,
        guided_before_queue=2,
        queued=5,
        abandoned=2,
        reached_counter=2,
        skipped_required=2,
        journeys_unsure=1,
        journey_seconds_sum=40.1 + 12.1,
        journey_hist=DurationHistogram.of([40.1, 12.1]),
    )
    run = FlowRun(flow=flow, summary={}, cover={2: Counter({9: 10})}, verdict={9: "customer"})
    s = score_flow(truth, run)
    assert s["counts"]["arrivals"] == {"truth": 5, "cvmon": 6, "error": 1}
    assert s["counts"]["abandoned"] == {"truth": 1, "cvmon": 2, "error": 1}
    assert s["counts"]["joined_midway"]["error"] == -1
    assert s["unsure_journeys"] == 1
    assert s["journey"]["mean_rel_error"] == pytest.approx(1.0 / 25.1)  # 26.1 s found, 25.1 s true
    assert s["journey"]["p50_rel_error"] == pytest.approx(1.0 / 25.1, rel=0.02)  # the histogram's bound
    assert s["roles"]["customer"] == {"n": 6, "staff": 0, "customer": 1, "unsure": 0, "unseen": 5}
    assert s["roles"]["staff"] == {"n": 2, "staff": 0, "customer": 0, "unsure": 0, "unseen": 2}


def test_a_tracks_verdict_is_its_latest_firm_one() -> None:
    verdicts: dict[int, str] = {}
    for role in ("unsure", "unsure", "customer", "unsure", "customer"):
        note_verdict(verdicts, 7, role)
    note_verdict(verdicts, 8, "unsure")
    note_verdict(verdicts, 9, "customer")
    note_verdict(verdicts, 9, "staff")  # a firm verdict replaces another
    assert verdicts == {7: "customer", 8: "unsure", 9: "staff"}
