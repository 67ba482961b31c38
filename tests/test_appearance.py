"""Appearance (torso colour) of tracked people: telling two people apart, and undoing an id swap."""

from __future__ import annotations

import numpy as np
import pytest

from cvmon import appearance
from cvmon.config.models import TrackerConfig
from cvmon.tracking import PersonTracker
from cvmon.types import Detections

RED, BLUE = (40, 40, 200), (200, 100, 30)  # BGR shirts
W, H = 640, 360


def frame(*people: tuple[float, tuple[int, int, int]], seed: int = 0) -> tuple[np.ndarray, Detections]:
    """A grey room with a person (dark trousers, coloured shirt, a little noise) at each x, and their boxes."""
    rng = np.random.default_rng(seed)
    image = np.full((H, W, 3), 200, np.uint8)
    boxes = []
    for x, shirt in sorted(people, key=lambda p: p[0]):
        x1, y1, x2, y2 = round(x - 30), 60, round(x + 30), 300
        image[y1:y2, x1:x2] = 30
        image[y1 + 40 : y1 + 130, x1:x2] = shirt
        boxes.append((x1, y1, x2, y2))
    noise = rng.integers(-12, 13, image.shape)
    image = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    n = len(boxes)
    return image, Detections(np.asarray(boxes, np.float32), np.full(n, 0.9, np.float32), np.zeros(n, np.int64))


def test_two_shirt_colours_are_two_people_and_one_colour_is_one() -> None:
    image, dets = frame((150, RED), (450, BLUE))
    red, blue = (appearance.torso_histogram(image, box) for box in dets.xyxy)
    image2, dets2 = frame((300, RED), seed=1)
    red_again = appearance.torso_histogram(image2, dets2.xyxy[0])
    assert red is not None and blue is not None and red_again is not None
    assert appearance.distance(red, blue) >= appearance.DIFFERENT_LOOK
    assert appearance.distance(red, red_again) <= appearance.SAME_LOOK


def test_a_box_outside_the_picture_has_no_look() -> None:
    image, _ = frame()
    assert appearance.torso_histogram(image, np.array([700, 10, 760, 50], np.float32)) is None


def ids_by_shirt(tracker: PersonTracker, t: float, *people: tuple[float, tuple[int, int, int]]) -> dict:
    image, dets = frame(*people, seed=round(t * 10))
    tracked = tracker.update(dets, t, image)
    assert tracked.tracker_id is not None
    by_x = {round(float(b[0] + b[2]) / 2): int(i) for b, i in zip(tracked.xyxy, tracked.tracker_id, strict=True)}
    return {shirt: by_x.get(round(x)) for x, shirt in people}


@pytest.mark.parametrize("crossed", [True, False])
def test_ids_swapped_by_a_crossing_are_swapped_back(crossed: bool) -> None:
    """Two people meet in the middle and part: whoever walks away on the left keeps their own id."""
    tracker, t, step = PersonTracker(TrackerConfig(), fps=5.0), 0.0, 0.2
    before: dict = {}
    for _ in range(5):
        before = ids_by_shirt(tracker, t, (150, RED), (450, BLUE))
        t += step
    for x in [*range(160, 300, 10), 300, 300]:  # they walk up to each other until one hides the other
        ids_by_shirt(tracker, t, (x, RED), (600 - x, BLUE))
        t += step
    left, right = (BLUE, RED) if crossed else (RED, BLUE)
    after: dict = {}
    for x in range(290, 140, -10):  # and part again
        after = ids_by_shirt(tracker, t, (x, left), (600 - x, right))
        t += step
    assert None not in before.values() and before[RED] != before[BLUE]
    assert after == before


def boxes(*xyxy: tuple[float, float, float, float]) -> Detections:
    n = len(xyxy)
    return Detections(np.asarray(xyxy, np.float32), np.full(n, 0.9, np.float32), np.zeros(n, np.int64))


@pytest.mark.parametrize("passer_in_front", [True, False])
def test_a_box_cut_short_by_a_nearer_person_keeps_its_feet(passer_in_front: bool) -> None:
    """A customer stands still; a passer-by nearer the camera hides their legs and the detector finds
    only the upper body: the customer's feet stay where they stand (only when someone is in front)."""
    tracker, t = PersonTracker(TrackerConfig(), fps=5.0), 0.0
    for _ in range(8):
        tracker.update(boxes((270, 60, 330, 300)), t)
        t += 0.2
    passer = [(200, 120, 300, 340)] if passer_in_front else []
    out = tracker.update(boxes((270, 60, 330, 170), *passer), t)
    assert out.tracker_id is not None
    customer = out.xyxy[out.xyxy[:, 0] == 270][0]
    assert customer[3] == pytest.approx(300 if passer_in_front else 170, abs=1)


@pytest.mark.parametrize("edge", ["right", "left", "none"])
def test_a_box_cut_by_the_pictures_edge_is_widened_to_the_usual_width(edge: str) -> None:
    """A person walks in at the side of the picture: the detector finds the part inside it (30 px of a
    60 px wide person), so its centre lies 15 px nearer the middle than theirs. Widened to the camera's
    usual width for its height (learnt from whole boxes, 60 x 240), the centre is back where they are."""
    tracker, t = PersonTracker(TrackerConfig(), fps=5.0), 0.0
    image = np.full((H, W, 3), 200, np.uint8)
    for _ in range(8):
        tracker.update(boxes((270, 60, 330, 300)), t, image)
        t += 0.2
    cut = {"right": (W - 30, 60, W, 300), "left": (0, 60, 30, 300), "none": (400, 60, 430, 300)}[edge]
    for _ in range(3):  # until its track is confirmed
        out = tracker.update(boxes((270, 60, 330, 300), cut), t, image)
        t += 0.2
    assert out.tracker_id is not None and (out.tracker_id >= 0).all()
    walker = out.xyxy[np.argmax(np.abs((out.xyxy[:, 0] + out.xyxy[:, 2]) / 2 - 300))]
    centre = float(walker[0] + walker[2]) / 2
    expected = {"right": W, "left": 0, "none": 415}[edge]  # a 60 px person: 30 px from its visible side
    assert centre == pytest.approx(expected, abs=2)
