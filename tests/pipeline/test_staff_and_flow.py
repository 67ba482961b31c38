"""Staff recognised by their uniform and customers' journeys, inside the camera pipeline.

A fake detector (``WalkingDetector``) moves boxes smoothly along scripted paths and a painted frame gives
each person a plain torso colour (a navy uniform for the staff member, red and green for two customers),
so the real tracker, the real staff model and the real journey counter run on them: the logic under
test is what reaches the figures. The real footage of a uniformed worker is in tests/staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from cvmon.config import parse_config
from cvmon.figures import ZoneFigures, total
from cvmon.pipeline.camera import CameraPipeline
from cvmon.types import Detections, Frame
from tests.conftest import T0

W, H, FPS = 800, 400, 5
BOX_W, BOX_H = 40.0, 100.0
NAVY, RED, GREEN, GREY = (110, 30, 20), (30, 30, 200), (40, 170, 40), (128, 128, 128)  # BGR
# Zones along the floor (feet y 0.5-1.0): entrance at the left, the queue, the counter's customer side;
# the staff side is above, behind the counter.
ENTRANCE = [[0.0, 0.5], [0.2, 0.5], [0.2, 1.0], [0.0, 1.0]]
QUEUE = [[0.3, 0.5], [0.6, 0.5], [0.6, 1.0], [0.3, 1.0]]
COUNTER = [[0.7, 0.5], [0.9, 0.5], [0.9, 1.0], [0.7, 1.0]]
STAFF_SIDE = [[0.7, 0.0], [0.9, 0.0], [0.9, 0.45], [0.7, 0.45]]


@dataclass(frozen=True)
class Walk:
    """A person's feet (relative x, y) at given times, straight lines between, seen from ``start`` to ``end``."""

    colour: tuple[int, int, int]
    points: tuple[tuple[float, float, float], ...]  # (t, x, y)

    def at(self, t: float) -> tuple[float, float] | None:
        if t < self.points[0][0] or t > self.points[-1][0]:
            return None
        for (t0, x0, y0), (t1, x1, y1) in zip(self.points, self.points[1:], strict=False):
            if t0 <= t <= t1:
                f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
                return x0 + f * (x1 - x0), y0 + f * (y1 - y0)
        return self.points[-1][1], self.points[-1][2]


class WalkingDetector:
    """Fake detector: a box of every walker on screen, feet where its path says."""

    name = "walking"

    def __init__(self, walks: list[Walk]) -> None:
        self.walks = walks

    def boxes(self, t: float) -> list[tuple[tuple[int, int, int], tuple[float, float, float, float]]]:
        out = []
        for walk in self.walks:
            feet = walk.at(t)
            if feet is not None:
                x, y = feet[0] * W, feet[1] * H
                out.append((walk.colour, (x - BOX_W / 2, y - BOX_H, x + BOX_W / 2, y)))
        return out

    def detect(self, frame: Frame) -> Detections:
        boxes = [b for _, b in self.boxes(frame.video_s)]
        n = len(boxes)
        return Detections(
            xyxy=np.array(boxes, np.float32).reshape(-1, 4),
            confidence=np.full(n, 0.9, np.float32),
            class_id=np.zeros(n, np.int64),
        )

    def paint(self, t: float) -> np.ndarray:
        image = np.full((H, W, 3), GREY, np.uint8)
        for colour, (x1, y1, x2, y2) in self.boxes(t):
            image[int(y1) : int(y2), int(x1) : int(x2)] = colour
        return image


# The staff member stands behind the counter, then walks round into the queue (t 40-60) and back.
STAFF = Walk(
    NAVY,
    ((0.0, 0.8, 0.4), (38.0, 0.8, 0.4), (42.0, 0.45, 0.75), (58.0, 0.45, 0.75), (62.0, 0.8, 0.4), (90.0, 0.8, 0.4)),
)
# A customer: in at the entrance at 30 s, queues from 34 s, at the counter from 60 s (a 30 s journey).
SERVED = Walk(
    RED, ((30.0, 0.02, 0.8), (32.0, 0.1, 0.8), (34.0, 0.4, 0.8), (56.0, 0.4, 0.8), (60.0, 0.8, 0.8), (90.0, 0.8, 0.8))
)
# Another: in at 31 s, queues from 35 s to 75 s, then walks out through the entrance (abandoned).
LEAVER = Walk(
    GREEN,
    ((31.0, 0.02, 0.6), (33.0, 0.1, 0.6), (35.0, 0.5, 0.6), (75.0, 0.5, 0.6), (79.0, 0.1, 0.6), (82.0, -0.1, 0.6)),
)


def camera(staff: bool) -> dict[str, Any]:
    cam: dict[str, Any] = {
        "id": "cam",
        "unit": "ulp-a",
        "source": "unused.mp4",
        "zones": [
            {"id": "pintu", "kind": "entrance", "points": ENTRANCE},
            {"id": "antrean", "kind": "queue", "points": QUEUE},
            {"id": "loket-1", "kind": "counter_customer", "points": COUNTER},
            {"id": "staf-1", "kind": "counter_staff", "counter": "loket-1", "points": STAFF_SIDE},
        ],
        "journey": {
            "steps": [{"zones": ["pintu"]}, {"zones": ["antrean"]}, {"zones": ["loket-1"]}],
            "abandon_min_s": 20,
        },
    }
    if staff:  # learning shortened to fit a 90 s scene (defaults: a minute of examples every 5 s)
        cam["staff"] = {"enabled": True, "standing_s": 2, "example_every_s": 1, "min_examples": 10}
    return cam


def run(staff: bool, file: FakeModelFile | None = None) -> tuple[CameraPipeline, dict[str, ZoneFigures]]:
    config = parse_config(
        {
            "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
            "defaults": {"analysis_fps": FPS, "motion_gate": {"enabled": False}},
            "cameras": [camera(staff)],
        }
    )
    detector = WalkingDetector([STAFF, SERVED, LEAVER])
    pipeline = CameraPipeline(config, config.cameras[0], detector)
    pipeline.roles.keep_in(file)
    for i in range(90 * FPS + 1):
        t = i / FPS
        pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=t), i, detector.paint(t), video_s=t))
    pipeline.finish(close_alerts=True)
    rows, _ = pipeline.pop_rows(None)
    return pipeline, {z: total(r.figures for r in rows if r.zone_id == z) for z in {r.zone_id for r in rows}}


def test_with_staff_recognised_the_queue_counts_customers_only_and_the_staff_apart() -> None:
    _, everyone = run(staff=False)
    _, customers = run(staff=True)
    # Without the staff model the staff member's 16 s in the queue is a visit like a customer's.
    assert everyone["antrean"].visits == 3 and customers["antrean"].visits == 2
    assert customers["antrean"].staff_seconds >= 14.0 and everyone["antrean"].staff_seconds == 0.0
    assert customers["antrean"].staff_count_sum == round(customers["antrean"].staff_seconds * FPS)
    assert customers["antrean"].count_sum == everyone["antrean"].count_sum - customers["antrean"].staff_count_sum
    # A track is unsure only until it has its first votes (3, one per 0.5 s): a few samples per customer.
    assert 0 < customers["antrean"].unsure_count_sum <= 2 * 3 * 0.5 * FPS


def test_the_journey_counts_arrivals_abandonment_and_journey_time_on_its_first_zone() -> None:
    _, figures = run(staff=True)
    door = figures["pintu"]
    assert (door.arrivals, door.queued, door.reached_counter, door.abandoned, door.journeys_unsure) == (2, 2, 1, 1, 0)
    assert door.journey_hist.total == 1 and abs(door.journey_seconds_sum - 29.0) <= 1.0
    assert all(figures[z].arrivals == 0 for z in ("antrean", "loket-1", "staf-1"))


class FakeModelFile:
    """Fake of the staff model's file (in memory): a version that moves with every write."""

    def __init__(self, text: str | None = None) -> None:
        self.text, self.version, self.writes = text, 0, 0

    def read(self) -> tuple[int, str] | None:
        return None if self.text is None else (self.version, self.text)

    def write(self, text: str) -> int:
        self.text, self.version, self.writes = text, self.version + 1, self.writes + 1
        return self.version


def test_the_staff_model_is_kept_at_the_end_and_a_new_run_resumes_from_it() -> None:
    kept = FakeModelFile()
    first, _ = run(staff=True, file=kept)
    assert kept.writes == 1 and first.roles.roles.model.ready and kept.text is not None
    second = CameraPipeline(first.config, first.camera, WalkingDetector([]))
    second.roles.keep_in(FakeModelFile(kept.text))
    assert second.roles.roles.model.ready  # from its first frame, not after learning again
    assert second.roles.roles.model.to_json() == kept.text
    afresh = CameraPipeline(first.config, first.camera, WalkingDetector([]))
    afresh.roles.keep_in(FakeModelFile('{"format": "not a staff model"}'))  # said in the log, learned anew
    assert not afresh.roles.roles.model.ready


def test_a_model_an_admin_changed_is_taken_up_by_the_running_camera() -> None:
    kept = FakeModelFile()
    first, _ = run(staff=True, file=kept)
    learned = kept.text
    assert learned is not None
    file = FakeModelFile()  # the next run starts with nothing stored
    pipeline = CameraPipeline(first.config, first.camera, WalkingDetector([]))
    pipeline.roles.keep_in(file)
    image = np.full((H, W, 3), GREY, np.uint8)
    pipeline.process_frame(Frame("cam", T0, 0, image, video_s=0.0))
    assert not pipeline.roles.roles.model.ready
    file.text, file.version = learned, 7  # an admin confirmed examples in the viewer
    pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=31), 1, image, video_s=31.0))
    assert pipeline.roles.roles.model.ready


class MissingOnce(WalkingDetector):
    """Fake detector of the scene that misses the served customer on one frame (at ``missed_t``)."""

    def __init__(self, walks: list[Walk], missed_t: float) -> None:
        super().__init__(walks)
        self.missed_t = missed_t

    def boxes(self, t: float) -> list[tuple[tuple[int, int, int], tuple[float, float, float, float]]]:
        found = super().boxes(t)
        return [b for b in found if not (abs(t - self.missed_t) < 1e-6 and b[0] == RED)]


def test_a_track_missed_for_one_frame_keeps_its_votes() -> None:
    """The tracker holds a track the detector misses for a frame: its role votes stay (they were wiped
    when only the frame's own ids were kept, and the customer fell back to unsure)."""
    config = parse_config(
        {
            "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
            "defaults": {"analysis_fps": FPS, "motion_gate": {"enabled": False}},
            "cameras": [camera(staff=True)],
        }
    )
    detector = MissingOnce([STAFF, SERVED, LEAVER], missed_t=50.0)
    pipeline = CameraPipeline(config, config.cameras[0], detector)
    votes: list[float] = []
    for i in range(round(50.4 * FPS) + 1):
        t = i / FPS
        pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=t), i, detector.paint(t), video_s=t))
        if t >= 49.8 - 1e-6:
            votes.append(sum(pipeline.roles.roles.role(tid).votes for tid in pipeline.tracker.live_ids()))
    # 49.8 s before the miss, 50.0 s the miss, then 50.2 and 50.4 s: the votes of the live tracks never drop
    assert len(votes) == 4 and votes[0] > 0 and votes == sorted(votes)
