"""Body keypoints of one person and the outcome of a greeting check."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from cvmon.types.frames import FloatArray

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
"""The 17 COCO keypoints in model order (left before right, the person's own left)."""

KEYPOINT = {name: i for i, name in enumerate(KEYPOINT_NAMES)}


@dataclass(frozen=True, slots=True)
class Keypoints:
    """The 17 COCO keypoints of one person in image pixels.

    Attributes:
        xy: float32 (17, 2), x and y in pixels of the whole image.
        score: float32 (17,), the model's confidence per keypoint, 0..1.
    """

    xy: FloatArray
    score: FloatArray

    def __post_init__(self) -> None:
        if self.xy.shape != (17, 2) or self.score.shape != (17,):
            raise ValueError(f"Keypoints need xy (17, 2) and score (17,), got {self.xy.shape} and {self.score.shape}")

    @classmethod
    def from_arrays(cls, xy: object, score: object) -> Keypoints:
        return cls(np.asarray(xy, dtype=np.float32), np.asarray(score, dtype=np.float32))

    def point(self, name: str) -> tuple[float, float]:
        x, y = self.xy[KEYPOINT[name]]
        return float(x), float(y)

    def seen(self, name: str, min_score: float) -> bool:
        return bool(self.score[KEYPOINT[name]] >= min_score)


class GreetingOutcome(StrEnum):
    """How one customer arrival ended for the staff member who should greet."""

    GREETED = "greeted"
    NOT_GREETED = "not_greeted"
    NOT_VISIBLE = "not_visible"
