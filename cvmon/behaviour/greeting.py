"""Did a staff member greet an arriving customer? Keypoints over a window in, one outcome out.

The greeting is hand on chest (a wrist held at the sternum: between the shoulders, below the
shoulder line, above ``chest_lower_fraction`` of the way to the hip line, for ``hand_hold_s``) with
a bow (torso or head forward by ``bow_angle_deg`` against the person's own upright posture in the
``baseline_s`` before the window), optionally with the feet together. Everything is measured in the
person's own torso frame and lengths, so it holds at any camera distance.

A bow is read two ways and the larger counts: the torso (shoulder midpoint minus hip midpoint)
turning in the image (a side view), and it shortening against its upright length (a frontal view:
cos(angle) = length / upright length); likewise the head from the nose's height above the shoulders.
A wrist that is not seen is not on the chest (a hand on the chest is in front of the body, in view
whenever shoulders and hips are). Frames without shoulders and hips are not judged at all, nor are
frames showing the person's back (their left shoulder on the image left of their right one): a hand
held in front of the body then projects onto the back between the shoulders and would look like a
hand on the chest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from cvmon.config.pose import GreetingConfig
from cvmon.types import GreetingOutcome, Keypoints
from cvmon.types.pose import KEYPOINT

TORSO = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
WRISTS = ("left_wrist", "right_wrist")
ANKLES = ("left_ankle", "right_ankle")


@dataclass(frozen=True, slots=True)
class PoseSample:
    """One person's keypoints at a moment (seconds on any clock shared with the arrival)."""

    t: float
    keypoints: Keypoints


@dataclass(frozen=True, slots=True)
class GreetingDecision:
    """The outcome and the measurements behind it (for logs and tuning, never stored per person).

    Attributes:
        outcome: greeted, not greeted or not visible.
        visible_fraction: share of the window's samples with shoulders and hips seen, not from behind.
        hand_on_chest_s: longest hold of a wrist at the sternum in the window.
        max_bow_deg: deepest angle of the bows (past ``bow_angle_deg`` for ``bow_hold_s``) in the window; 0: none.
        reference_match_s: longest run of frames matching the camera's reference greeting (see
            ``cvmon.behaviour.reference``); 0 where the rule-based recogniser decided.
    """

    outcome: GreetingOutcome
    visible_fraction: float
    hand_on_chest_s: float
    max_bow_deg: float
    reference_match_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Upright:
    """A person's upright posture, measured in the baseline before the window.

    Attributes:
        torso: median shoulder midpoint minus hip midpoint, pixels.
        length: the torso's length, pixels (at least 1).
        head_height: median shoulder midpoint y minus nose y; None when the nose was not seen enough.
    """

    torso: np.ndarray
    length: float
    head_height: float | None


@dataclass(frozen=True, slots=True)
class WindowView:
    """What a recogniser may judge around one arrival.

    Attributes:
        seen: the window's samples in time order that can be judged (shoulders and hips seen, not from behind).
        visible_fraction: ``seen`` as a share of the window's samples (0 for an empty window).
        upright: the upright posture of the baseline; None when the baseline shows too little.
    """

    seen: list[PoseSample]
    visible_fraction: float
    upright: Upright | None


@dataclass(frozen=True, slots=True)
class RuleMeasures:
    """The rule-based recogniser's reading of the judgeable frames of a window.

    Attributes:
        hand_on_chest_s: longest hold of a wrist at the sternum.
        max_bow_deg: deepest angle of the held bows; 0: none.
        verdicts: per hand-on-chest hold long enough, whether it was a greeting (None: feet undecidable).
    """

    hand_on_chest_s: float
    max_bow_deg: float
    verdicts: list[bool | None]


@dataclass(frozen=True, slots=True)
class _Frame:
    t: float
    on_chest: bool
    bow_deg: float
    feet_together: bool | None


class _Timed(Protocol):
    @property
    def t(self) -> float: ...


T = TypeVar("T", bound=_Timed)


def recognise_greeting(samples: Sequence[PoseSample], arrival_t: float, config: GreetingConfig) -> GreetingDecision:
    """Decide whether the person in ``samples`` greeted around ``arrival_t``.

    ``samples`` must cover the baseline (``baseline_s`` before the window) and the window
    (``before_s`` before to ``after_s`` after the arrival); other samples are ignored. A greeting
    seen in the visible frames counts even when the rest of the window is hidden; otherwise too few
    visible frames, no upright baseline, or feet that must be judged but were hidden during a hand
    on chest give ``not_visible``, never a guess.
    """
    view = view_window(samples, arrival_t, config)
    if view.upright is None:
        return GreetingDecision(GreetingOutcome.NOT_VISIBLE, view.visible_fraction, 0.0, 0.0)
    rules = measure_rules(view.seen, view.upright, config)
    outcome = decide_outcome(
        any(v is True for v in rules.verdicts), any(v is None for v in rules.verdicts), view.visible_fraction, config
    )
    return GreetingDecision(outcome, view.visible_fraction, rules.hand_on_chest_s, rules.max_bow_deg)


def view_window(samples: Sequence[PoseSample], arrival_t: float, config: GreetingConfig) -> WindowView:
    """The judgeable samples of the window around ``arrival_t``, their share, and the baseline's upright posture."""
    start, end = arrival_t - config.before_s, arrival_t + config.after_s
    ordered = sorted(samples, key=lambda s: s.t)
    window = [s for s in ordered if start <= s.t <= end]
    baseline = [s for s in ordered if start - config.baseline_s <= s.t < start]
    seen = [s for s in window if judgeable(s.keypoints, config)]
    visible = len(seen) / len(window) if window else 0.0
    return WindowView(seen, visible, upright_posture(baseline, config))


def decide_outcome(
    greeted: bool, undecidable: bool, visible_fraction: float, config: GreetingConfig
) -> GreetingOutcome:
    """A greeting seen counts; else too few visible frames or an undecidable hold is not visible; else not greeted."""
    if greeted:
        return GreetingOutcome.GREETED
    if visible_fraction < config.min_visible_fraction or undecidable:
        return GreetingOutcome.NOT_VISIBLE
    return GreetingOutcome.NOT_GREETED


def measure_rules(seen: list[PoseSample], upright: Upright, config: GreetingConfig) -> RuleMeasures:
    """Hand-on-chest holds and bows of the judgeable ``seen`` samples (in time order), and their verdicts."""
    frames = [_measure(s, upright, config) for s in seen]
    holds = runs(frames, lambda f: f.on_chest, config.max_gap_s)
    bows = runs(frames, lambda f: f.bow_deg >= config.bow_angle_deg, config.max_gap_s)
    bows = [run for run in bows if lasts(run, config.bow_hold_s)]
    hand_s = max((run[-1].t - run[0].t for run in holds), default=0.0)
    bow_deg = max((max(f.bow_deg for f in run) for run in bows), default=0.0)
    verdicts = [_is_greeting(run, bows, config) for run in holds if lasts(run, config.hand_hold_s)]
    return RuleMeasures(hand_s, bow_deg, verdicts)


def _is_greeting(hold: list[_Frame], bows: list[list[_Frame]], config: GreetingConfig) -> bool | None:
    """Whether a long enough hand-on-chest hold is a greeting; None when the feet must be judged
    and were never seen during it."""
    lo, hi = hold[0].t - config.pair_s, hold[-1].t + config.pair_s
    if config.require_bow and not any(bow[-1].t >= lo and bow[0].t <= hi for bow in bows):
        return False
    if config.require_feet_together:
        feet = [f.feet_together for f in hold if f.feet_together is not None]
        if not feet:
            return None
        return sum(feet) * 2 >= len(feet)  # together in at least half the frames they are seen
    return True


def judgeable(kp: Keypoints, config: GreetingConfig) -> bool:
    """Shoulders and hips seen, and not the person's back."""
    if not all(kp.seen(name, config.min_keypoint_score) for name in TORSO):
        return False
    torso = float(np.hypot(*(midpoint(kp, "left_shoulder", "right_shoulder") - midpoint(kp, "left_hip", "right_hip"))))
    left_of_right = kp.xy[KEYPOINT["right_shoulder"], 0] - kp.xy[KEYPOINT["left_shoulder"], 0]
    return bool(left_of_right <= config.facing_away_margin * torso)


def midpoint(kp: Keypoints, a: str, b: str) -> np.ndarray:
    """The point halfway between keypoints ``a`` and ``b``, pixels (float64)."""
    return np.asarray((kp.xy[KEYPOINT[a]] + kp.xy[KEYPOINT[b]]) / 2, np.float64)


def upright_posture(baseline: Sequence[PoseSample], config: GreetingConfig) -> Upright | None:
    """The median torso vector and head height of the baseline samples (None: too few seen)."""
    seen = [s.keypoints for s in baseline if judgeable(s.keypoints, config)]
    if len(seen) < config.min_baseline_frames:
        return None
    torsos = np.array(
        [midpoint(k, "left_shoulder", "right_shoulder") - midpoint(k, "left_hip", "right_hip") for k in seen]
    )
    torso = np.median(torsos, axis=0)
    length = float(np.hypot(*torso))
    if length < 1.0:
        return None
    heads = [
        float(midpoint(k, "left_shoulder", "right_shoulder")[1] - k.xy[KEYPOINT["nose"], 1])
        for k in seen
        if k.seen("nose", config.min_keypoint_score)
    ]
    head = float(np.median(heads)) if len(heads) >= config.min_baseline_frames else None
    return Upright(torso, length, head if head is not None and head > 0 else None)


def _measure(sample: PoseSample, upright: Upright, config: GreetingConfig) -> _Frame:
    kp, min_score = sample.keypoints, config.min_keypoint_score
    shoulders = midpoint(kp, "left_shoulder", "right_shoulder")
    hips = midpoint(kp, "left_hip", "right_hip")
    torso = shoulders - hips
    length = float(np.hypot(*torso))
    turn = _angle_between(torso, upright.torso)
    shortening = math.degrees(math.acos(min(1.0, length / upright.length)))
    bow = max(turn, shortening)
    if upright.head_height is not None and kp.seen("nose", min_score):
        ratio = (shoulders[1] - kp.xy[KEYPOINT["nose"], 1]) / upright.head_height
        bow = max(bow, math.degrees(math.acos(float(np.clip(ratio, -1.0, 1.0)))))
    on_chest = any(kp.seen(w, min_score) and _at_sternum(kp, w, shoulders, hips, config) for w in WRISTS)
    feet = None
    if all(kp.seen(a, min_score) for a in ANKLES):
        gap = float(np.hypot(*(kp.xy[KEYPOINT["left_ankle"]] - kp.xy[KEYPOINT["right_ankle"]])))
        feet = gap <= config.feet_together_ratio * upright.length
    return _Frame(sample.t, on_chest, bow, feet)


def _at_sternum(kp: Keypoints, wrist: str, shoulders: np.ndarray, hips: np.ndarray, config: GreetingConfig) -> bool:
    """The wrist lies on the chest, in the torso's own frame: across, between the shoulders (with a
    margin, at least a quarter torso length wide for side views); down, between the shoulder line
    and ``chest_lower_fraction`` of the way to the hip line."""
    down = hips - shoulders
    length = float(np.hypot(*down))
    if length < 1.0:
        return False
    axis = down / length
    across = np.array([-axis[1], axis[0]])
    offset = np.asarray(kp.xy[KEYPOINT[wrist]], np.float64) - shoulders
    along, side = float(offset @ axis) / length, float(offset @ across)
    width = abs(float((kp.xy[KEYPOINT["left_shoulder"]] - kp.xy[KEYPOINT["right_shoulder"]]) @ across))
    half = max(width * (0.5 + config.chest_width_margin), 0.25 * length)
    return 0.0 < along <= config.chest_lower_fraction and abs(side) <= half


def _angle_between(a: np.ndarray, b: np.ndarray) -> float:
    cos = float(a @ b) / max(float(np.hypot(*a)) * float(np.hypot(*b)), 1e-9)
    return math.degrees(math.acos(float(np.clip(cos, -1.0, 1.0))))


def lasts(run: Sequence[_Timed], seconds: float) -> bool:
    """The run spans at least ``seconds`` from its first to its last frame (to a microsecond)."""
    return run[-1].t - run[0].t >= seconds - 1e-6


def runs(frames: Sequence[T], holds: Callable[[T], bool], max_gap_s: float) -> list[list[T]]:
    """Maximal runs of consecutive frames for which ``holds`` is true, no two more than ``max_gap_s`` apart."""
    found: list[list[T]] = []
    current: list[T] = []
    for f in frames:
        if holds(f) and (not current or f.t - current[-1].t <= max_gap_s):
            current.append(f)
            continue
        if current:
            found.append(current)
        current = [f] if holds(f) else []
    if current:
        found.append(current)
    return found
