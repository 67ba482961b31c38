"""Settings of the pose backend, the greeting recogniser and the reference matcher: the ``pose``,
``greeting`` and ``reference`` parts of a camera's ``behaviour`` section (``cvmon.config.behaviour``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from cvmon.config.models import StrictModel


class PoseConfig(StrictModel):
    """Which pose model runs on a person's crop, and how."""

    model: str = Field(
        default="movenet_lightning_192",
        description="Pose model name from models/registry.yaml, or a path to an ONNX file.",
    )
    layout: Literal["movenet", "yolo_pose"] | None = Field(
        default=None, description="Output layout of a model file given by path; default from the registry."
    )
    input_size: int | None = Field(
        default=None, ge=32, le=4096, description="Square model input size; default the model's own."
    )
    crop_margin: float = Field(
        default=0.2, ge=0.0, le=1.0, description="Margin added around the person's box (fraction of its longer side)."
    )
    min_person_score: float = Field(
        default=0.25, gt=0.0, lt=1.0, description="yolo_pose only: lowest person score a pose is taken from."
    )
    threads: int = Field(default=1, ge=1, le=64, description="Inference threads.")


class GreetingConfig(StrictModel):
    """How a greeting (hand on chest with a bow, optionally feet together) is recognised from keypoints.

    Angles and distances are relative to the person's own upright posture in the baseline seconds
    before the window, so they hold at any camera distance.
    """

    before_s: float = Field(default=5.0, ge=0, le=60, description="Window start, seconds before the arrival.")
    after_s: float = Field(default=10.0, gt=0, le=120, description="Window end, seconds after the arrival.")
    baseline_s: float = Field(
        default=2.0, gt=0, le=30, description="Seconds before the window in which the upright posture is measured."
    )
    min_keypoint_score: float = Field(
        default=0.3, gt=0, lt=1, description="Score below which a keypoint counts as not seen."
    )
    min_visible_fraction: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="Share of the window's frames in which shoulders and hips must be seen to decide 'not greeted'.",
    )
    facing_away_margin: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="A frame whose left shoulder lies this far (fraction of torso length) to the image left of the "
        "right shoulder shows the person's back: the chest cannot be seen, so it is not judged.",
    )
    min_baseline_frames: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Baseline frames with shoulders and hips seen needed for the upright posture.",
    )
    hand_hold_s: float = Field(
        default=0.6,
        gt=0,
        le=10,
        description="How long (first to last frame) a wrist must stay at the sternum to count as hand on chest.",
    )
    chest_lower_fraction: float = Field(
        default=0.65,
        gt=0,
        le=1,
        description="Lowest point of the chest, as a fraction of the way from the shoulder line to the hip line "
        "(1.0: the hip line).",
    )
    chest_width_margin: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="How far outside the shoulders (fraction of shoulder width) a wrist still counts as on the chest.",
    )
    bow_angle_deg: float = Field(
        default=20.0,
        gt=0,
        lt=90,
        description="Forward angle of torso or head, against the upright baseline, that counts as a bow "
        "(below the standard's 30 degrees: a camera above or beside the person sees less of it).",
    )
    bow_hold_s: float = Field(default=0.2, ge=0, le=10, description="How long the bow angle must be held.")
    require_bow: bool = Field(default=True, description="A greeting needs a bow; when false, hand on chest suffices.")
    pair_s: float = Field(
        default=1.5,
        ge=0,
        le=10,
        description="The bow must happen during the hand on chest or at most this many seconds before or after it.",
    )
    require_feet_together: bool = Field(default=False, description="A greeting also needs the feet together.")
    feet_together_ratio: float = Field(
        default=0.3,
        gt=0,
        le=2,
        description="Ankles at most this far apart (fraction of the upright torso length) count as feet together.",
    )
    max_gap_s: float = Field(
        default=0.5, ge=0, le=5, description="Longest gap between frames that still continues a hold."
    )

    @model_validator(mode="after")
    def _hold_fits_window(self) -> GreetingConfig:
        if self.hand_hold_s > self.before_s + self.after_s:
            raise ValueError("hand_hold_s is longer than the whole window (before_s + after_s)")
        return self


class GreetingReferenceConfig(StrictModel):
    """How a camera's reference greeting is learned from a marked clip and matched (issue 18, item 3).

    Poses are compared in the person's own frame (hip midpoint at the origin, upright torso pointing
    up, upright torso length 1), by the root mean square distance over the upper-body keypoints seen
    in both poses.
    """

    neighbours: int = Field(
        default=5,
        ge=1,
        le=50,
        description="Reference frames (k nearest) that vote on a frame; more than half must be greeting frames.",
    )
    max_distance: float = Field(
        default=0.1,
        gt=0,
        le=2,
        description="A frame farther than this from every greeting frame of the reference is not a greeting "
        "(root mean square over the keypoints seen in both, in upright torso lengths).",
    )
    hold_s: float = Field(
        default=0.6,
        gt=0,
        le=10,
        description="How long (first to last frame) a run of frames matching the greeting must last, passing "
        "through the peak of a marked greeting, to count as a greeting.",
    )
    peak_share: float = Field(
        default=0.25,
        gt=0,
        le=1,
        description="Share of a marked greeting's frames, those farthest from standing upright, that form its peak; "
        "a match must pass through a peak (a hand raised without the bow that follows is not yet the greeting).",
    )
    mirror: bool = Field(
        default=True,
        description="A pose also matches its mirror image: the greeting with the other hand, or seen from "
        "the other side.",
    )
    moving_shift: float = Field(
        default=0.25,
        gt=0,
        le=2,
        description="A keypoint that the reference's greeting moves this far (upright torso lengths, between the "
        "medians of its greeting and other frames) must be seen for a frame to match the greeting: a hand on the "
        "chest is in view whenever the torso is.",
    )
    span_margin_s: float = Field(
        default=0.3,
        ge=0,
        le=5,
        description="Frames this close to a marked greeting, outside it, are left out of the reference "
        "(marks drawn by hand miss the edges by a little).",
    )
    min_greeting_frames: int = Field(
        default=5, ge=1, le=1000, description="Usable frames inside the marked greetings a reference needs."
    )
    min_other_frames: int = Field(
        default=10, ge=1, le=10000, description="Usable frames outside the marked greetings a reference needs."
    )
