"""Generated composite scenes (bench/scenes): the generator, its truth, and cvmon measured on a few
small fixed scenes with the real detector and default settings.

The figures of the fixed scenes were wrong before the issue-13 fixes (visits merged at the counter,
staffing shifted by the grace and the arrival debounce); these tests hold them exact now.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.scenes import ScenePlan, Timing, generate_scene, scene_script
from bench.scenes.measure import CvmonRun, run_cvmon, score
from bench.scenes.script import ZONES
from bench.scenes.truth import inside_zone, staffed_frames, visits_of

FPS = 10
QUIET = ScenePlan(duration_s=40, passer_every_s=0, occlusion_every_s=0, abandon_share=0, absences=())


def presence(*spans: tuple[float, float], seconds: float = 60) -> np.ndarray:
    """Per frame at 10 fps: inside during each (from s, to s) span, both ends included."""
    out = np.zeros(round(seconds * FPS), bool)
    for a, b in spans:
        out[round(a * FPS) : round(b * FPS) + 1] = True
    return out


# -- the generator ---------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_script_and_another_seed_another() -> None:
    a, b, c = scene_script(7), scene_script(7), scene_script(8)
    assert a.n_frames == b.n_frames and len(a.people) == len(b.people) > 3
    for p, q in zip(a.people, b.people, strict=True):
        assert p.role == q.role and p.look == q.look
        np.testing.assert_array_equal(p.x, q.x)
        np.testing.assert_array_equal(p.y, q.y)
    assert a.boards == b.boards
    assert (a.n_frames, len(a.people)) != (c.n_frames, len(c.people)) or any(
        not np.array_equal(p.x, q.x, equal_nan=True) for p, q in zip(a.people, c.people, strict=False)
    )


# -- the truth's definitions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([(5, 20)], [(5, 20.1)]),  # frames 5.0 s to 20.0 s: until the end of the last one
        ([(5, 10), (12.5, 20)], [(5, 20.1)]),  # out for 2.5 s < min_exit_s: the same visit
        ([(5, 10), (13.5, 20)], [(5, 10.1), (13.5, 20.1)]),  # out for 3.5 s: two visits
        ([(5, 6.5)], []),  # 1.5 s < min_enter_s: no visit
        ([(5, 6), (7, 8)], [(5, 8.1)]),  # two flickers 1 s apart are one stay, 3 s long: a visit
    ],
)
def test_visits_follow_the_documented_debounce(spans: list[tuple[float, float]], expected: list) -> None:
    found = visits_of(presence(*spans), FPS, Timing())
    assert [v for visit in found for v in visit] == pytest.approx([v for visit in expected for v in visit])


@pytest.mark.parametrize(
    ("spans", "staffed_s"),
    [
        ([(0, 59.9)], 60.0),
        ([(0, 10), (25, 59.9)], 60.0),  # empty 15 s < staffed_grace_s: staffed throughout
        ([(0, 10), (50, 59.9)], 20.1),  # empty 40 s: unstaffed from the moment it emptied
        ([(0, 10), (30, 31), (50, 59.9)], 20.1),  # a 1 s visit to the empty post staffs nothing
        ([(30, 59.9)], 30.0),  # staffed from the arrival, not min_enter_s later
    ],
)
def test_staffing_grace_decides_whether_never_when(spans: list[tuple[float, float]], staffed_s: float) -> None:
    staffed = staffed_frames(presence(*spans), FPS, Timing())
    assert staffed.sum() / FPS == pytest.approx(staffed_s, abs=0.11)


def test_truth_of_a_generated_scene_follows_its_script() -> None:
    plan = replace(QUIET, duration_s=80, absences=((20.0, 30.0),), arrival_every_s=8, abandon_share=0.4)
    scene = generate_scene(3, plan)
    truth, people = scene.truth, scene.script.people
    for zone_id, spec in ZONES.items():
        inside = sum(inside_zone(spec["points"], p.x, p.y).astype(int) for p in people)  # type: ignore[arg-type]
        np.testing.assert_array_equal(truth.zones[zone_id].counts, inside)
    customers = [p for p in people if p.role == "customer"]
    assert any(p.abandoned for p in customers) and any(p.served for p in customers)
    # every served customer stood at the counter once, and nobody who gave up did
    assert len(truth.zones["counter"].visits) >= sum(p.served for p in customers)
    # the post was empty about 30 s (walking out and back included): unstaffed that long, no more
    empty = float(np.sum(truth.zones["staff"].counts == 0)) / FPS
    assert 30 <= empty <= 36
    assert truth.zones["staff"].staffed_s == pytest.approx(truth.seconds - empty, abs=0.11)


# -- cvmon on small fixed scenes ---------------------------------------------------------------------

SERVING = replace(QUIET, duration_s=40, max_queue=3, arrival_every_s=5, service_s=(5.0, 8.0))
STAFF_AWAY = replace(QUIET, duration_s=60, arrival_every_s=1e9, absences=((10.0, 30.0),))
STAFF_BREAK = replace(QUIET, duration_s=40, arrival_every_s=1e9, absences=((10.0, 8.0),))


@pytest.fixture(scope="module")
def serving() -> tuple[dict, CvmonRun]:
    scene = generate_scene(11, SERVING)
    run = run_cvmon(scene)
    return score(scene.truth, run), run


@pytest.fixture(scope="module")
def staff_away() -> dict:
    scene = generate_scene(12, STAFF_AWAY)
    return score(scene.truth, run_cvmon(scene))


@pytest.fixture(scope="module")
def staff_break() -> dict:
    scene = generate_scene(13, STAFF_BREAK)
    return score(scene.truth, run_cvmon(scene))


def test_queue_visits_and_waits_are_exact_on_a_serving_queue(serving: tuple[dict, CvmonRun]) -> None:
    s, _ = serving
    assert s["visits"]["queue"]["truth"] >= 4
    assert s["visits"]["queue"]["cvmon"] == s["visits"]["queue"]["truth"]
    assert s["wait"]["p50_rel_error"] <= 0.05
    assert abs(s["queue_mean"]["error"]) <= 0.1


def test_per_frame_counts_on_a_serving_queue(serving: tuple[dict, CvmonRun]) -> None:
    s, run = serving
    assert s["count"]["frames"] == len(run.frames) >= 190
    assert s["count"]["mae"] <= 0.1


def test_counter_visits_are_exact_when_customers_follow_each_other(serving: tuple[dict, CvmonRun]) -> None:
    s, _ = serving
    assert s["visits"]["counter"]["truth"] >= 3
    assert s["visits"]["counter"]["cvmon"] == s["visits"]["counter"]["truth"]


def test_staffed_seconds_when_the_staff_is_away_longer_than_the_grace(staff_away: dict) -> None:
    st = staff_away["staffed"]["staff"]
    assert st["truth"] < 0.5
    assert abs(st["error"]) <= 0.02
    assert abs(st["stored_error"]) <= 0.02


def test_staffed_seconds_when_the_staff_takes_a_short_break(staff_break: dict) -> None:
    st = staff_break["staffed"]["staff"]
    assert st["truth"] == pytest.approx(1.0)
    assert abs(st["error"]) <= 0.02


def test_staff_visits_end_at_an_absence_longer_than_min_exit_s(staff_break: dict, staff_away: dict) -> None:
    """An 8 s break keeps the post staffed but ends the visit (8 s > min_exit_s), as a 30 s one does."""
    assert staff_break["visits"]["staff"] == {"truth": 2, "cvmon": 2}
    assert staff_away["visits"]["staff"] == {"truth": 2, "cvmon": 2}
