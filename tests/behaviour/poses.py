"""Scripted keypoint sequences of one person, for the greeting recognisers' tests.

Each script is a person drawn as the 17 COCO keypoints, sampled at a frame rate, around a customer
arriving at t = 10 s (window 5..20 s, upright baseline 3..5 s with the default settings). The body
faces the camera (the person's left on the image right): hips' midpoint at the origin, torso 100 px,
shoulders 40 px wide (times ``width``), nose 40 px above the shoulders. A frontal bow of angle a
shortens the torso and head to cos(a) of their length; a side-view bow turns them by a in the image.
Wrists are placed in the torso's own frame (across, down as a fraction of shoulder line to hip line),
so a hand on the chest stays on it while bowing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cvmon.behaviour.greeting import PoseSample
from cvmon.types import KEYPOINT_NAMES, Keypoints

ARRIVAL = 10.0
STERNUM = (0.0, 0.35)  # across (px), down (fraction of shoulders -> hips)
HANGING = ((30.0, 1.1), (-30.0, 1.1))  # left, right wrist beside the hips (across: towards image right)


@dataclass(frozen=True)
class Pose:
    bow_deg: float = 0.0
    side_view: bool = False
    from_behind: bool = False
    left_wrist: tuple[float, float] = HANGING[0]
    right_wrist: tuple[float, float] = HANGING[1]
    hidden: tuple[str, ...] = ()
    feet_gap: float = 40.0
    scale: float = 1.0
    offset: tuple[float, float] = (300.0, 400.0)
    width: float = 1.0  # shoulders and hips, times their usual width
    extra: dict[str, float] = field(default_factory=dict)

    def keypoints(self) -> Keypoints:
        a = math.radians(self.bow_deg)
        facing = -1.0 if self.from_behind else 1.0  # facing the camera, the person's left is on the image right
        hips = np.array([0.0, 0.0])
        if self.side_view:
            up = np.array([math.sin(a), -math.cos(a)])  # turned forward in the image, full length
            half_shoulders, half_hips = np.array([4.0, 0.0]) * self.width, np.array([3.0, 0.0]) * self.width
        else:
            up = np.array([0.0, -math.cos(a)])  # leaning towards the camera: foreshortened
            half_shoulders, half_hips = np.array([20.0, 0.0]) * self.width, np.array([15.0, 0.0]) * self.width
        shoulders = hips + 100.0 * up
        nose = shoulders + 40.0 * up
        down = hips - shoulders
        across = np.array([-down[1], down[0]]) / max(np.hypot(*down), 1e-9)
        across = across if across[0] >= 0 else -across

        def on_torso(p: tuple[float, float]) -> np.ndarray:
            return shoulders + p[1] * down + p[0] * across

        points = {
            "nose": nose,
            "left_eye": nose + np.array([-6, -4]),
            "right_eye": nose + np.array([6, -4]),
            "left_ear": nose + np.array([-12, 0]),
            "right_ear": nose + np.array([12, 0]),
            "left_shoulder": shoulders + facing * half_shoulders,
            "right_shoulder": shoulders - facing * half_shoulders,
            "left_elbow": shoulders + np.array([28 * facing, 50]),
            "right_elbow": shoulders + np.array([-28 * facing, 50]),
            "left_wrist": on_torso(self.left_wrist),
            "right_wrist": on_torso(self.right_wrist),
            "left_hip": hips + facing * half_hips,
            "right_hip": hips - facing * half_hips,
            "left_knee": np.array([-15.0, 100.0]),
            "right_knee": np.array([15.0, 100.0]),
            "left_ankle": np.array([-self.feet_gap / 2, 200.0]),
            "right_ankle": np.array([self.feet_gap / 2, 200.0]),
        }
        xy = np.array([points[n] for n in KEYPOINT_NAMES]) * self.scale + np.array(self.offset)
        score = np.array([0.1 if n in self.hidden else 0.8 for n in KEYPOINT_NAMES])
        return Keypoints.from_arrays(xy, score)


def script(
    pose_at: Callable[[float], Pose], fps: float = 10.0, start: float = 0.0, end: float = 22.0
) -> list[PoseSample]:
    n = round((end - start) * fps)
    return [PoseSample(start + i / fps, pose_at(start + i / fps).keypoints()) for i in range(n + 1)]


def trapezoid(t: float, a: float, b: float, peak: float, ramp: float) -> float:
    """``peak`` between a and b, reached over ``ramp`` seconds at either end."""
    if ramp <= 0:
        return peak if a <= t <= b else 0.0
    return peak * float(np.clip(min(t - a, b - t) / ramp, 0.0, 1.0))


def greeting(
    hand_at: float, hand_s: float, bow_at: float, bow_s: float, bow_deg: float, **pose: object
) -> Callable[[float], Pose]:
    """The right hand held on the sternum for ``hand_s`` and a bow of ``bow_deg`` for ``bow_s``."""

    def at(t: float) -> Pose:
        wrist = STERNUM if hand_at <= t <= hand_at + hand_s else HANGING[1]
        bow = trapezoid(t, bow_at, bow_at + bow_s, bow_deg, min(0.2, bow_s / 4))
        return Pose(bow_deg=bow, right_wrist=wrist, **pose)  # type: ignore[arg-type]

    return at


def both_hands(
    hand_at: float,
    hand_s: float,
    bow_at: float,
    bow_s: float,
    bow_deg: float,
    wrists: tuple[tuple[float, float], tuple[float, float]],
    **pose: object,
) -> Callable[[float], Pose]:
    """Both wrists held at ``wrists`` (left, right) for ``hand_s`` and a bow of ``bow_deg`` for ``bow_s``."""

    def at(t: float) -> Pose:
        left, right = wrists if hand_at <= t <= hand_at + hand_s else HANGING
        bow = trapezoid(t, bow_at, bow_at + bow_s, bow_deg, min(0.2, bow_s / 4))
        return Pose(bow_deg=bow, left_wrist=left, right_wrist=right, **pose)  # type: ignore[arg-type]

    return at


def reaching_across(t: float) -> Pose:
    """From 12 s the right wrist sweeps at chest height from beside one shoulder across the sternum to
    beyond the other in 1 s, then back, while leaning forward 25 degrees to reach."""
    lean = trapezoid(t, 12.0, 14.0, 25.0, 0.3)
    if 12.0 <= t <= 13.0:
        return Pose(bow_deg=lean, right_wrist=(60.0 - 140.0 * (t - 12.0), 0.35))
    if 13.0 < t <= 14.0:
        return Pose(bow_deg=lean, right_wrist=(-80.0 + 140.0 * (t - 13.0), 0.35))
    return Pose(bow_deg=lean)


def bending_down(t: float) -> Pose:
    """From 12 s to 15 s a deep bend (60 degrees), both hands low, below the hips, while bent past 30."""
    bend = trapezoid(t, 12.0, 15.0, 60.0, 0.8)
    low = bend > 30.0
    return Pose(
        bow_deg=bend, left_wrist=(-10.0, 1.6) if low else HANGING[0], right_wrist=(10.0, 1.6) if low else HANGING[1]
    )
