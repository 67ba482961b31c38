"""A missed greeting's picture for coaching: everyone pixelated, only the staff side's skeleton drawn.

The skeleton (shoulders, arms, hips, legs, head as lines between keypoints) shows the posture the
coach talks about; the pixelation underneath hides who it is. No keypoint is stored: the lines are
drawn into the anonymised picture and forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import cv2
import numpy as np
import numpy.typing as npt

from cvmon.config.models import PrivacyMask
from cvmon.evidence.anonymise import anonymise
from cvmon.types import AnonymisedJpeg, Image, Keypoints
from cvmon.types.pose import KEYPOINT

SKELETON_COLOUR = (0, 220, 255)  # BGR: amber
MIN_SCORE = 0.3
BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_hip", "right_hip"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("nose", "left_shoulder"),
    ("nose", "right_shoulder"),
)


def draw_skeletons(image: Image, skeletons: Sequence[Keypoints], min_score: float = MIN_SCORE) -> None:
    """Draw each skeleton's bones whose two ends were seen, in place."""
    thickness = max(2, round(image.shape[0] / 180))
    for kp in skeletons:
        for a, b in BONES:
            if kp.seen(a, min_score) and kp.seen(b, min_score):
                (xa, ya), (xb, yb) = kp.xy[KEYPOINT[a]], kp.xy[KEYPOINT[b]]
                cv2.line(image, (round(xa), round(ya)), (round(xb), round(yb)), SKELETON_COLOUR, thickness, cv2.LINE_AA)


def greeting_picture(
    image: Image,
    people_xyxy: npt.ArrayLike,
    masks: Sequence[PrivacyMask],
    skeletons: Sequence[Keypoints],
    *,
    ts: datetime,
    tz: tzinfo,
    camera_id: str,
    margin: float = 0.15,
) -> AnonymisedJpeg:
    """The frame anonymised as every snapshot is (people pixelated, masks filled, caption), with the
    staff skeletons drawn over the pixelation."""
    return anonymise(
        image,
        np.asarray(people_xyxy, dtype=np.float32).reshape(-1, 4),
        masks=masks,
        ts=ts,
        tz=tz,
        camera_id=camera_id,
        margin=margin,
        overlay=lambda out: draw_skeletons(out, skeletons),
    )
