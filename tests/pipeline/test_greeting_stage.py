"""The greeting stage inside the camera pipeline: arrivals judged, counted per staff zone and minute.

The detector is a fake (``ScriptedDetector``: a staff member behind the counter, a customer who walks
up at 10 s) and so is the pose model (``ScriptedPoseEstimator``: the scripted keypoints of
tests/behaviour at the frame's time): the logic under test is which arrivals are judged, from which
poses, at what rate, and where the counts go. The real MoveNet is tested in tests/detectors.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from cvmon.config import parse_config
from cvmon.figures import ZoneFigures, total
from cvmon.pipeline.camera import CameraPipeline
from cvmon.pipeline.greeting import Recogniser
from cvmon.types import Detections, Frame, Keypoints
from tests.behaviour.poses import Pose, greeting
from tests.conftest import T0

W, H, FPS = 640, 480, 5
STAFF_BOX = (280.0, 60.0, 360.0, 190.0)  # feet at (0.5, 0.40): in the staff zone
WAITING_BOX = (560.0, 100.0, 620.0, 240.0)  # feet at (0.92, 0.5): in no zone
COUNTER_BOX = (290.0, 250.0, 350.0, 400.0)  # feet at (0.5, 0.83): at the counter, on the seat
STAFF_SIDE = [[0.2, 0.0], [0.8, 0.0], [0.8, 0.45], [0.2, 0.45]]
CUSTOMER_SIDE = [[0.2, 0.55], [0.8, 0.55], [0.8, 1.0], [0.2, 1.0]]
SEAT = [[0.4, 0.75], [0.6, 0.75], [0.6, 0.95], [0.4, 0.95]]
STANDING = lambda t: Pose()  # noqa: E731


class Clock:
    t = 0.0


class ScriptedDetector:
    """Fake detector: the staff member always (unless ``staff`` is False), the customer from ``customer_from``
    (waiting aside until ``arrive_at``, then at the counter)."""

    name = "scripted"
    reads_pixels = False

    def __init__(self, clock: Clock, staff: bool = True, customer_from: float | None = 0.0, arrive_at: float = 10.0):
        self.clock, self.staff, self.customer_from, self.arrive_at = clock, staff, customer_from, arrive_at

    def detect(self, frame: Frame) -> Detections:
        t = self.clock.t = frame.video_s
        boxes = [STAFF_BOX] if self.staff else []
        if self.customer_from is not None and t >= self.customer_from:
            boxes.append(COUNTER_BOX if t >= self.arrive_at else WAITING_BOX)
        n = len(boxes)
        return Detections(
            xyxy=np.array(boxes, np.float32).reshape(-1, 4),
            confidence=np.full(n, 0.9, np.float32),
            class_id=np.zeros(n, np.int64),
        )


class ScriptedPoseEstimator:
    """Fake pose model: the staff member's scripted keypoints at the clock's time, for any box."""

    def __init__(self, clock: Clock, pose_at: Callable[[float], Pose]) -> None:
        self.clock, self.pose_at = clock, pose_at
        self.calls: list[float] = []

    def estimate(self, image: np.ndarray, box: tuple[float, float, float, float]) -> Keypoints | None:
        self.calls.append(self.clock.t)
        return self.pose_at(self.clock.t).keypoints()


def camera(kind: str = "counter", **behaviour: Any) -> dict[str, Any]:
    if kind == "counter":
        zones = [
            {"id": "loket-1", "kind": "counter_customer", "points": CUSTOMER_SIDE},
            {"id": "staf-1", "kind": "counter_staff", "counter": "loket-1", "points": STAFF_SIDE},
        ]
    else:
        zones = [
            {"id": "pintu", "kind": "entrance", "points": CUSTOMER_SIDE},
            {"id": "satpam", "kind": "post", "points": STAFF_SIDE},
        ]
        behaviour.setdefault("doors", [{"entrance": "pintu", "post": "satpam"}])
    return {
        "id": "cam",
        "unit": "ulp-a",
        "source": "unused.mp4",
        "zones": zones,
        "behaviour": {"enabled": True, **behaviour},
    }


def run(
    pose_at: Callable[[float], Pose],
    until: float = 25.0,
    kind: str = "counter",
    detector: dict[str, Any] | None = None,
    start: timedelta = timedelta(0),
    recogniser: Recogniser | None = None,
    **behaviour: Any,
) -> tuple[CameraPipeline, ScriptedPoseEstimator, dict[str, ZoneFigures]]:
    config = parse_config(
        {
            "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
            "defaults": {"analysis_fps": FPS},
            "cameras": [camera(kind, **behaviour)],
        }
    )
    clock = Clock()
    pose = ScriptedPoseEstimator(clock, pose_at)
    pipeline = CameraPipeline(config, config.cameras[0], ScriptedDetector(clock, **(detector or {})), pose)
    if recogniser is not None:
        pipeline.greeting.recogniser = recogniser
    image = np.zeros((H, W, 3), np.uint8)
    for i in range(round(until * FPS) + 1):
        t = i / FPS
        pipeline.process_frame(Frame("cam", T0 + start + timedelta(seconds=t), i, image, video_s=t))
    pipeline.finish(close_alerts=True)
    rows, _ = pipeline.pop_rows(None)
    by_zone = {z: total(r.figures for r in rows if r.zone_id == z) for z in {r.zone_id for r in rows}}
    return pipeline, pose, by_zone


GREETS = greeting(hand_at=10.4, hand_s=1.5, bow_at=10.8, bow_s=0.8, bow_deg=30.0)


def greeting_counts(f: ZoneFigures) -> tuple[int, int, int, int, int]:
    return f.greet_arrivals, f.greeted, f.greet_missed, f.greet_unseen, f.seated


def test_a_greeted_arrival_counts_on_the_counters_staff_side_in_the_minute_of_arrival() -> None:
    pipeline, _, figures = run(GREETS)
    assert greeting_counts(figures["staf-1"]) == (1, 1, 0, 0, 0)
    assert greeting_counts(figures["loket-1"]) == (0, 0, 0, 0, 0)
    assert pipeline.pop_stage_snapshots() == []


def test_a_staff_member_who_does_not_greet_is_counted_missed_with_a_skeleton_snapshot_when_asked() -> None:
    pipeline, _, figures = run(STANDING, missed_evidence=True)
    assert greeting_counts(figures["staf-1"]) == (1, 0, 1, 0, 0)
    (snapshot,) = pipeline.pop_stage_snapshots()
    # judged once the window (10 s after the arrival, whose new track is confirmed a few frames after 10 s) ended
    assert snapshot.kind == "greeting_missed" and T0 + timedelta(seconds=20) <= snapshot.ts <= T0 + timedelta(
        seconds=21
    )
    assert snapshot.counts == {"staf-1": 1}


def test_no_snapshot_of_a_missed_greeting_unless_asked_for() -> None:
    pipeline, _, _ = run(STANDING)
    assert pipeline.pop_stage_snapshots() == []


def test_a_staff_member_seen_from_behind_is_not_visible_never_missed() -> None:
    _, _, figures = run(lambda t: Pose(from_behind=True))
    assert greeting_counts(figures["staf-1"]) == (1, 0, 0, 1, 0)


def test_an_arrival_at_an_unstaffed_counter_is_not_judged_and_no_pose_runs() -> None:
    _, pose, figures = run(GREETS, detector={"staff": False})
    assert greeting_counts(figures["staf-1"]) == (0, 0, 0, 0, 0)
    assert pose.calls == []


def test_pose_runs_only_while_a_customer_is_around_at_the_moments_rate() -> None:
    _, alone, _ = run(GREETS, detector={"customer_from": None})
    assert alone.calls == []  # only the staff member in view: nothing to judge
    _, pose, _ = run(GREETS)
    # Someone waiting aside: idle_hz 2 (every 0.6 s at 5 fps) from the staff track's confirmation at 0.2 s;
    # from the customer's step to the counter (their new track confirmed at 10.2 s) until the arrival is
    # judged 10 s later: every frame (pose_hz 5); then idle again while the customer is served.
    assert pose.calls == pytest.approx(
        [0.2 + 0.6 * k for k in range(17)] + [10.2 + 0.2 * k for k in range(51)] + [20.8 + 0.6 * k for k in range(8)]
    )


def test_a_customer_who_sits_down_in_time_is_seated() -> None:
    _, _, figures = run(GREETS, seats=[{"counter": "loket-1", "points": SEAT}])
    assert greeting_counts(figures["staf-1"]) == (1, 1, 0, 0, 1)
    _, _, far = run(GREETS, seats=[{"counter": "loket-1", "points": [[0.0, 0.0], [0.1, 0.0], [0.1, 0.1]]}])
    assert far["staf-1"].seated == 0


def test_outside_service_hours_nothing_is_judged() -> None:
    _, pose, figures = run(GREETS, start=timedelta(hours=12))  # 21:00 WITA
    assert greeting_counts(figures["staf-1"]) == (0, 0, 0, 0, 0)
    assert pose.calls == []


def test_a_recording_ending_inside_the_window_is_not_visible_rather_than_missed() -> None:
    _, _, figures = run(STANDING, until=15.0)
    assert greeting_counts(figures["staf-1"]) == (1, 0, 0, 1, 0)


def test_the_guard_greets_arrivals_at_the_door_while_the_post_is_staffed() -> None:
    _, _, figures = run(GREETS, kind="door")
    assert greeting_counts(figures["satpam"]) == (1, 1, 0, 0, 0)
    _, _, missed = run(STANDING, kind="door")
    assert greeting_counts(missed["satpam"]) == (1, 0, 1, 0, 0)


def test_off_unless_enabled() -> None:
    _, pose, figures = run(GREETS, enabled=False)
    assert greeting_counts(figures["staf-1"]) == (0, 0, 0, 0, 0) and pose.calls == []


def test_a_staff_zone_with_a_reference_greeting_is_judged_by_it() -> None:
    """At this site staff greet with both hands clasped below the chest band the rules look at: the rules
    count it missed; with the site's reference greeting (``reference_recogniser``) it is greeted."""
    from cvmon.behaviour.reference import learn_reference
    from cvmon.config.pose import GreetingConfig, GreetingReferenceConfig
    from cvmon.pipeline.greeting_reference import reference_recogniser
    from tests.behaviour.poses import both_hands, script

    clasped = ((-5.0, 0.75), (5.0, 0.75))
    site = both_hands(10.4, 1.5, 10.7, 0.8, 30.0, clasped)
    _, _, by_rules = run(site)
    assert greeting_counts(by_rules["staf-1"]) == (1, 0, 1, 0, 0)

    recorded = script(both_hands(3.0, 1.5, 3.3, 0.8, 30.0, clasped), end=8.0)
    match = GreetingReferenceConfig()
    reference = learn_reference(recorded, [(2.85, 4.65)], GreetingConfig(), match)
    recogniser = reference_recogniser({"staf-1": reference}, match)
    _, _, by_reference = run(site, recogniser=recogniser)
    assert greeting_counts(by_reference["staf-1"]) == (1, 1, 0, 0, 0)
