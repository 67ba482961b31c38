"""A camera's own greeting, learned from a reference clip, and recognised by nearest neighbours.

An admin records a staff member greeting at each counter and marks the greetings; cvmon keeps only
the normalised poses of that clip (``GreetingReference``): every usable frame as 17 keypoints in the
person's own frame (hip midpoint at the origin, the upright torso pointing up, the upright torso
length as the unit), split into greeting frames (inside the marks) and other frames (outside them),
and which greeting frames form each marked greeting's peak (the ``peak_share`` of its frames
farthest from standing upright: the bow with the hand on the chest, say). No image coordinates and
no pictures are kept, and a reference says nothing about who recorded it.

A frame of an arrival window is a greeting frame when more than half of its ``neighbours`` nearest
reference frames are greeting frames and the nearest greeting frame lies within ``max_distance``.
A greeting is a run of greeting frames lasting ``hold_s`` that passes through a peak (comes within
``max_distance`` of a peak frame): a hand raised to the chest without the bow that followed it in
the reference is not yet the greeting. Poses are compared by the root mean square distance over the
upper-body keypoints (head, arms, shoulders, hips) seen in both, so a keypoint not seen neither
counts for nor against a match, except the keypoints the reference's greeting moves (the hand that
goes to the chest): a frame that does not see them cannot match the greeting, as a wrist not seen is
not on the chest for the rule-based recogniser. Legs are left out: behind a counter they are mostly
hidden, and standing or sitting is no part of the greeting. Keypoints are steadied by a median of
three frames before they are compared, in the reference clip and in the window alike.

The window, baseline and visibility are those of ``recognise_greeting``, so ``not_visible`` means
the same: not enough seen to decide, never a guess.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cvmon.behaviour.greeting import (
    TORSO,
    GreetingDecision,
    PoseSample,
    Upright,
    decide_outcome,
    judgeable,
    lasts,
    measure_rules,
    midpoint,
    recognise_greeting,
    runs,
    upright_posture,
    view_window,
)
from cvmon.config.pose import GreetingConfig, GreetingReferenceConfig
from cvmon.types import KEYPOINT_NAMES, GreetingOutcome, Keypoints
from cvmon.types.pose import KEYPOINT

PoseArray = npt.NDArray[np.float64]
"""Normalised poses: float64 (..., 17, 2), x across to the image right and y down, in upright torso
lengths from the hip midpoint; NaN for a keypoint not seen."""

MATCHED_KEYPOINTS: tuple[str, ...] = KEYPOINT_NAMES[: KEYPOINT["right_hip"] + 1]
"""The keypoints poses are compared on: head, shoulders, arms and hips (not knees and ankles)."""

FORMAT = "cvmon.greeting_reference"
VERSION = 1
MAX_COORDINATE = 10.0  # upright torso lengths from the hips: farther is not a body
_MATCHED = np.array([KEYPOINT[n] for n in MATCHED_KEYPOINTS])
_TORSO = np.array([KEYPOINT[n] for n in TORSO])


def _other_side(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name.removeprefix("left_")
    if name.startswith("right_"):
        return "left_" + name.removeprefix("right_")
    return name


_MIRROR = np.array([KEYPOINT[_other_side(n)] for n in KEYPOINT_NAMES])


@dataclass(frozen=True, slots=True, eq=False)
class GreetingReference:
    """A camera's reference greeting: the normalised poses of a marked clip, nothing else.

    Attributes:
        greeting: float64 (n, 17, 2), the poses of the frames inside the marked greetings (see ``PoseArray``).
        other: float64 (m, 17, 2), the poses of the clip's other frames.
        peaks: the indices in ``greeting`` of the marked greetings' peak frames, ascending.

    Validated on construction, and read-only: at least one frame each, finite coordinates or NaN for
    both coordinates of a keypoint not seen, shoulders and hips seen in every frame, at least one
    peak, each a distinct index into ``greeting``.
    """

    greeting: PoseArray
    other: PoseArray
    peaks: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "greeting", _checked_poses("greeting", self.greeting))
        object.__setattr__(self, "other", _checked_poses("other", self.other))
        object.__setattr__(self, "peaks", _checked_peaks(self.peaks, len(self.greeting)))

    def to_json(self) -> str:
        """The reference as one JSON object; a keypoint not seen is ``null``."""
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "keypoints": list(KEYPOINT_NAMES),
                "greeting": _frames_to_lists(self.greeting),
                "other": _frames_to_lists(self.other),
                "peaks": list(self.peaks),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> GreetingReference:
        """Read what ``to_json`` wrote; ValueError with a one-line message on anything else."""
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"greeting reference: not JSON ({_one_line(str(exc))})") from None
        if not isinstance(data, dict):
            raise ValueError("greeting reference: expected a JSON object")
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError(f"greeting reference: expected format {FORMAT!r} version {VERSION}")
        if data.get("keypoints") != list(KEYPOINT_NAMES):
            raise ValueError("greeting reference: keypoints must be the 17 COCO keypoints in model order")
        extra = sorted(set(data) - {"format", "version", "keypoints", "greeting", "other", "peaks"})
        if extra:
            raise ValueError(f"greeting reference: unknown field {extra[0]!r}")
        peaks = data.get("peaks")
        if not isinstance(peaks, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in peaks):
            raise ValueError("greeting reference: peaks must be a list of frame indices")
        greeting = _frames_from_lists("greeting", data.get("greeting"))
        return cls(greeting, _frames_from_lists("other", data.get("other")), tuple(peaks))


def normalised_pose(keypoints: Keypoints, upright: Upright, min_score: float) -> PoseArray:
    """``keypoints`` in the person's own frame: float64 (17, 2), NaN for keypoints scored below ``min_score``.

    The origin is the frame's hip midpoint; the axes are turned so that the ``upright`` torso points
    straight up (x across to the image right, y down); the unit is the upright torso length. A bow
    therefore shows as the shoulders and head coming down or turning, at any camera distance and
    position. Raises ValueError when the hips are not both seen.
    """
    if not (keypoints.seen("left_hip", min_score) and keypoints.seen("right_hip", min_score)):
        raise ValueError("a pose is normalised about the hips: both hips must be seen")
    up = np.asarray(upright.torso, np.float64) / upright.length
    across = np.array([-up[1], up[0]])
    offset = np.asarray(keypoints.xy, np.float64) - midpoint(keypoints, "left_hip", "right_hip")
    pose = np.stack([offset @ across, -(offset @ up)], axis=1) / upright.length
    pose[np.asarray(keypoints.score) < min_score] = np.nan
    return pose


def pose_distances(poses: PoseArray, examples: PoseArray) -> npt.NDArray[np.float64]:
    """Root mean square distance (upright torso lengths) between each of ``poses`` (f, 17, 2) and each
    of ``examples`` (e, 17, 2), over the ``MATCHED_KEYPOINTS`` seen in both: float64 (f, e); inf where
    no keypoint is seen in both."""
    a = poses[:, None, _MATCHED]
    b = examples[None, :, _MATCHED]
    squared = ((a - b) ** 2).sum(axis=-1)
    both = ~np.isnan(squared)
    count = both.sum(axis=-1)
    total = np.where(both, squared, 0.0).sum(axis=-1)
    return np.where(count > 0, np.sqrt(total / np.maximum(count, 1)), np.inf)


def learn_reference(
    samples: Sequence[PoseSample],
    greeting_spans: Sequence[tuple[float, float]],
    config: GreetingConfig,
    match: GreetingReferenceConfig,
) -> GreetingReference:
    """Learn a camera's greeting from a clip of one staff member and the greetings marked in it.

    ``greeting_spans`` are (start, end) seconds on the samples' clock. Frames inside a span are
    greeting frames; frames outside every span by more than ``span_margin_s`` are other frames;
    frames that cannot be judged (shoulders or hips not seen, or the person's back) are left out.
    Each frame is normalised by the upright posture in the ``baseline_s`` before its nearest span
    (ending ``span_margin_s`` before the span), so the staff member may greet at several counters.
    Raises ValueError (one line, saying what is missing) for no or inverted spans, a span without
    an upright baseline, or too few usable greeting or other frames.
    """
    if not greeting_spans:
        raise ValueError("no greeting is marked in the reference clip")
    spans = sorted((float(a), float(b)) for a, b in greeting_spans)
    for a, b in spans:
        if not (math.isfinite(a) and math.isfinite(b) and a < b):
            raise ValueError(f"a marked greeting must end after it starts, got {a:g}-{b:g} s")
    ordered = sorted(samples, key=lambda s: s.t)
    margin, min_score = match.span_margin_s, config.min_keypoint_score
    uprights: list[Upright] = []
    standing: list[PoseArray] = []  # per span, the median pose of its baseline
    for a, b in spans:
        baseline = [s for s in ordered if a - margin - config.baseline_s <= s.t < a - margin]
        upright = upright_posture(baseline, config)
        if upright is None:
            raise ValueError(
                f"the greeting marked at {a:g}-{b:g} s has no upright baseline: fewer than "
                f"{config.min_baseline_frames} frames with shoulders and hips seen, facing the camera, "
                f"in the {config.baseline_s:g} s before it"
            )
        uprights.append(upright)
        poses = [normalised_pose(s.keypoints, upright, min_score) for s in baseline if judgeable(s.keypoints, config)]
        standing.append(_median_pose(np.array(poses)))
    greeting: list[PoseArray] = []
    other: list[PoseArray] = []
    in_span: list[int] = []
    for sample in steadied([s for s in ordered if judgeable(s.keypoints, config)], config):
        gaps = [max(a - sample.t, sample.t - b, 0.0) for a, b in spans]
        nearest = int(np.argmin(gaps))
        if 0.0 < gaps[nearest] <= margin:
            continue
        pose = normalised_pose(sample.keypoints, uprights[nearest], min_score)
        if gaps[nearest] == 0.0:
            greeting.append(pose)
            in_span.append(nearest)
        else:
            other.append(pose)
    if len(greeting) < match.min_greeting_frames:
        raise ValueError(
            f"the marked greetings hold {len(greeting)} usable frames (shoulders and hips seen, facing the camera); "
            f"at least {match.min_greeting_frames} are needed"
        )
    if len(other) < match.min_other_frames:
        raise ValueError(
            f"the reference clip holds {len(other)} usable frames outside the marked greetings; at least "
            f"{match.min_other_frames} are needed (the staff member standing or working before and after greeting)"
        )
    greeting_poses, spans_of = _rounded(greeting), np.array(in_span)
    peaks: list[int] = []
    for i, (a, b) in enumerate(spans):
        frames = np.flatnonzero(spans_of == i)
        if len(frames) == 0:
            raise ValueError(f"the greeting marked at {a:g}-{b:g} s shows no usable frame")
        away = pose_distances(greeting_poses[frames], standing[i][None])[:, 0]
        farthest = np.argsort(-away, kind="stable")[: math.ceil(match.peak_share * len(frames))]
        peaks.extend(int(j) for j in frames[farthest])
    return GreetingReference(greeting_poses, _rounded(other), tuple(sorted(set(peaks))))


@dataclass(frozen=True, slots=True)
class _Matched:
    t: float
    greeting: bool
    at_peak: bool


def recognise_with_reference(
    samples: Sequence[PoseSample],
    arrival_t: float,
    reference: GreetingReference,
    config: GreetingConfig,
    match: GreetingReferenceConfig,
) -> GreetingDecision:
    """Decide whether the person in ``samples`` greeted around ``arrival_t``, as the camera's reference greets.

    Window, baseline and visibility follow ``recognise_greeting``: no upright baseline is
    ``not_visible``; a greeting seen counts even when the rest of the window is hidden; otherwise
    fewer than ``min_visible_fraction`` judgeable frames is ``not_visible``, never a guess. The
    decision also carries the rule-based measurements of the same frames, for logs and tuning.
    """
    view = view_window(samples, arrival_t, config)
    if view.upright is None:
        return GreetingDecision(GreetingOutcome.NOT_VISIBLE, view.visible_fraction, 0.0, 0.0)
    upright = view.upright
    steady = steadied(view.seen, config)
    poses = np.array([normalised_pose(s.keypoints, upright, config.min_keypoint_score) for s in steady])
    matched, at_peak = _classify(poses.reshape(-1, len(KEYPOINT_NAMES), 2), reference, match)
    frames = [_Matched(s.t, bool(m), bool(p)) for s, m, p in zip(view.seen, matched, at_peak, strict=True)]
    found = runs(frames, lambda f: f.greeting, config.max_gap_s)
    match_s = max((run[-1].t - run[0].t for run in found), default=0.0)
    greeted = any(lasts(run, match.hold_s) and any(f.at_peak for f in run) for run in found)
    rules = measure_rules(view.seen, upright, config)
    outcome = decide_outcome(greeted, False, view.visible_fraction, config)
    return GreetingDecision(outcome, view.visible_fraction, rules.hand_on_chest_s, rules.max_bow_deg, match_s)


def recognise(
    samples: Sequence[PoseSample],
    arrival_t: float,
    config: GreetingConfig,
    reference: GreetingReference | None,
    match: GreetingReferenceConfig,
) -> GreetingDecision:
    """The camera's reference greeting where it has one, else the rule-based recogniser."""
    if reference is None:
        return recognise_greeting(samples, arrival_t, config)
    return recognise_with_reference(samples, arrival_t, reference, config, match)


def _classify(
    poses: PoseArray, reference: GreetingReference, match: GreetingReferenceConfig
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per pose of ``poses`` (f, 17, 2): whether its k nearest neighbours in ``reference`` call it a
    greeting frame, and whether it lies within ``max_distance`` of a peak.

    With ``mirror``, each reference frame is as near as the nearer of the pose and its mirror image.
    A pose (or mirror image) that does not see every keypoint the greeting moves is infinitely far
    from the greeting frames. Ties in distance go to the other frames.
    """
    moving = moving_keypoints(reference, match.moving_shift)
    views = [poses, mirrored(poses)] if match.mirror else [poses]
    to_greeting = np.full((len(poses), len(reference.greeting)), np.inf)
    to_other = np.full((len(poses), len(reference.other)), np.inf)
    for view in views:
        sees_moving = np.logical_not(np.isnan(view[:, moving, 0]).any(axis=1))
        near = np.where(sees_moving[:, None], pose_distances(view, reference.greeting), np.inf)
        to_greeting = np.minimum(to_greeting, near)
        to_other = np.minimum(to_other, pose_distances(view, reference.other))
    distances = np.concatenate([to_other, to_greeting], axis=1)  # other frames first: ties go to them
    is_greeting = np.concatenate([np.zeros(len(reference.other), bool), np.ones(len(reference.greeting), bool)])
    k = min(match.neighbours, distances.shape[1])
    nearest = np.argsort(distances, axis=1, kind="stable")[:, :k]
    votes = is_greeting[nearest].sum(axis=1)
    close = to_greeting.min(axis=1, initial=np.inf) <= match.max_distance
    at_peak = to_greeting[:, list(reference.peaks)].min(axis=1, initial=np.inf) <= match.max_distance
    return np.asarray((2 * votes > k) & close), np.asarray(at_peak)


def moving_keypoints(reference: GreetingReference, shift: float) -> npt.NDArray[np.bool_]:
    """Bool (17,): the matched keypoints whose median position in the greeting frames lies at least
    ``shift`` (upright torso lengths) from their median in the other frames."""
    moved = np.zeros(len(KEYPOINT_NAMES), bool)
    for i in _MATCHED:
        g = reference.greeting[~np.isnan(reference.greeting[:, i, 0]), i]
        o = reference.other[~np.isnan(reference.other[:, i, 0]), i]
        if len(g) and len(o):
            moved[i] = bool(np.hypot(*(np.median(g, axis=0) - np.median(o, axis=0))) >= shift)
    return moved


def mirrored(poses: PoseArray) -> PoseArray:
    """The mirror images of ``poses`` (..., 17, 2): x negated, left and right keypoints swapped."""
    flipped = poses[..., _MIRROR, :].copy()
    flipped[..., 0] *= -1.0
    return flipped


def steadied(samples: Sequence[PoseSample], config: GreetingConfig) -> list[PoseSample]:
    """``samples`` (in time order) with each keypoint the median of itself and its neighbours before and after.

    Keypoint detectors jitter from frame to frame; a median of three keeps every step and steady
    movement as it is and removes a one-frame jump. A keypoint is steadied only where the frames
    before and after (at most ``max_gap_s`` away) see it too; a keypoint not seen stays not seen.
    """
    out = list(samples)
    for i in range(1, len(samples) - 1):
        before, sample, after = samples[i - 1], samples[i], samples[i + 1]
        if sample.t - before.t > config.max_gap_s or after.t - sample.t > config.max_gap_s:
            continue
        scores = np.stack([before.keypoints.score, sample.keypoints.score, after.keypoints.score])
        steady = np.all(scores >= config.min_keypoint_score, axis=0)
        if not steady.any():
            continue
        xy = np.array(sample.keypoints.xy)
        three = np.stack([before.keypoints.xy, sample.keypoints.xy, after.keypoints.xy])
        xy[steady] = np.median(three[:, steady], axis=0)
        out[i] = PoseSample(sample.t, Keypoints(xy, sample.keypoints.score))
    return out


def _median_pose(poses: PoseArray) -> PoseArray:
    """The per-keypoint median of ``poses`` (n, 17, 2) over the frames that see it; NaN where none does."""
    median = np.full(poses.shape[1:], np.nan)
    for i in range(poses.shape[1]):
        seen = poses[~np.isnan(poses[:, i, 0]), i]
        if len(seen):
            median[i] = np.median(seen, axis=0)
    return median


def _rounded(poses: list[PoseArray]) -> PoseArray:
    """To 1e-4 torso lengths (far below what keypoints resolve), so a stored reference stays small."""
    return np.round(np.array(poses, dtype=np.float64), 4).astype(np.float64)


def _checked_poses(name: str, poses: object) -> PoseArray:
    try:
        array = np.array(poses, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"greeting reference: {name} is not an array of numbers") from None
    if array.ndim != 3 or array.shape[1:] != (len(KEYPOINT_NAMES), 2) or len(array) == 0:
        raise ValueError(f"greeting reference: {name} must have shape (frames >= 1, 17, 2), got {array.shape}")
    if np.isinf(array).any():
        raise ValueError(f"greeting reference: {name} holds an infinite coordinate")
    unseen = np.isnan(array)
    if (unseen[..., 0] != unseen[..., 1]).any():
        raise ValueError(f"greeting reference: {name} holds a keypoint with only one coordinate")
    if unseen[:, _TORSO].any():
        raise ValueError(f"greeting reference: every {name} frame needs both shoulders and both hips")
    if (np.abs(np.nan_to_num(array)) > MAX_COORDINATE).any():
        raise ValueError(f"greeting reference: {name} holds a keypoint over {MAX_COORDINATE:g} torso lengths away")
    array.setflags(write=False)
    return array


def _checked_peaks(peaks: object, frames: int) -> tuple[int, ...]:
    if not isinstance(peaks, tuple) or not peaks:
        raise ValueError("greeting reference: peaks must be a non-empty tuple of greeting frame indices")
    if len(set(peaks)) != len(peaks) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < frames for i in peaks
    ):
        raise ValueError(f"greeting reference: peaks must be distinct indices of the {frames} greeting frames")
    return peaks


def _frames_to_lists(poses: PoseArray) -> list[list[list[float] | None]]:
    return [[None if math.isnan(x) else [float(x), float(y)] for x, y in frame] for frame in poses]


def _frames_from_lists(name: str, frames: Any) -> PoseArray:
    if not isinstance(frames, list) or not frames:
        raise ValueError(f"greeting reference: {name} must be a non-empty list of frames")
    array = np.full((len(frames), len(KEYPOINT_NAMES), 2), np.nan)
    for i, frame in enumerate(frames):
        if not isinstance(frame, list) or len(frame) != len(KEYPOINT_NAMES):
            raise ValueError(f"greeting reference: {name}[{i}] must be a list of 17 keypoints")
        for j, point in enumerate(frame):
            if point is None:
                continue
            if not (isinstance(point, list) and len(point) == 2 and all(_is_number(v) for v in point)):
                raise ValueError(f"greeting reference: {name}[{i}][{j}] must be [x, y] or null")
            array[i, j] = point
    return array


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reject_constant(token: str) -> float:
    raise ValueError(f"greeting reference: {token} is not a coordinate")


def _one_line(text: str) -> str:
    return " ".join(text.split())
