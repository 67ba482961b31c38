"""The reference-based greeting recogniser on scripted keypoint sequences (tests/behaviour/poses.py).

The recorded reference: a staff member standing, then from 3 s the right hand on the sternum for
1.5 s with a 30 degree bow from 3.3 s for 0.8 s, then standing until 8 s; the admin marked the
greeting a little wide, 2.85-4.65 s. Arrival windows are those of the rule-based tests (arrival at
10 s, window 5..20 s, baseline 3..5 s).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
from pydantic import ValidationError

from cvmon.behaviour.greeting import PoseSample, recognise_greeting, upright_posture
from cvmon.behaviour.reference import (
    GreetingReference,
    learn_reference,
    normalised_pose,
    recognise,
    recognise_with_reference,
    steadied,
)
from cvmon.config.pose import GreetingConfig, GreetingReferenceConfig
from cvmon.types import KEYPOINT_NAMES, GreetingOutcome, Keypoints
from cvmon.types.pose import KEYPOINT
from tests.behaviour.poses import (
    ARRIVAL,
    HANGING,
    STERNUM,
    Pose,
    bending_down,
    both_hands,
    greeting,
    reaching_across,
    script,
)

CONFIG = GreetingConfig()
MATCH = GreetingReferenceConfig()
MARKED = [(2.85, 4.65)]
PALMS = ((-4.0, 0.4), (4.0, 0.4))  # palms pressed together at the chest
CLASPED = ((-5.0, 0.75), (5.0, 0.75))  # hands clasped in front, below where the rules look for the chest


def recorded(pose_at: Callable[[float], Pose] | None = None, **pose: object) -> list[PoseSample]:
    """The reference clip: the greeting of the module docstring (or ``pose_at``), 0..8 s."""
    return script(pose_at or greeting(3.0, 1.5, 3.3, 0.8, 30.0, **pose), end=8.0)


@cache
def standard() -> GreetingReference:
    return learn_reference(recorded(), MARKED, CONFIG, MATCH)


def with_reference(
    samples: list[PoseSample], reference: GreetingReference | None = None, match: GreetingReferenceConfig = MATCH
) -> GreetingOutcome:
    return recognise_with_reference(samples, ARRIVAL, reference or standard(), CONFIG, match).outcome


def rolled(samples: list[PoseSample], degrees: float) -> list[PoseSample]:
    """The same samples seen by a camera rolled by ``degrees`` about the image origin."""
    a = math.radians(degrees)
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return [PoseSample(s.t, Keypoints.from_arrays(s.keypoints.xy @ turn.T, s.keypoints.score)) for s in samples]


def hidden_while(pose_at: Callable[[float], Pose], start: float, end: float) -> Callable[[float], Pose]:
    """``pose_at`` with every keypoint hidden from ``start`` to ``end``."""

    def at(t: float) -> Pose:
        return Pose(hidden=KEYPOINT_NAMES) if start <= t <= end else pose_at(t)

    return at


# -- normalised poses ------------------------------------------------------------------------------


def test_a_normalised_pose_is_in_the_persons_own_frame() -> None:
    """Hips' midpoint at the origin, x across to the image right, y down, upright torso length 1."""
    samples = script(lambda t: Pose(), end=2.0)
    upright = upright_posture(samples, CONFIG)
    assert upright is not None
    pose = normalised_pose(samples[0].keypoints, upright, CONFIG.min_keypoint_score)
    assert pose.shape == (17, 2)
    assert pose[KEYPOINT["nose"]] == pytest.approx((0.0, -1.4))
    assert pose[KEYPOINT["left_shoulder"]] == pytest.approx((0.2, -1.0))  # facing the camera: their left on the right
    assert pose[KEYPOINT["right_wrist"]] == pytest.approx((-0.3, 0.1))


@pytest.mark.parametrize(
    ("scale", "offset", "roll_deg"),
    [(0.25, (900.0, 120.0), 0.0), (3.0, (-100.0, -200.0), 0.0), (1.0, (300.0, 400.0), 25.0)],
)
def test_a_normalised_pose_is_the_same_at_any_distance_position_and_camera_roll(
    scale: float, offset: tuple[float, float], roll_deg: float
) -> None:
    def bowing(t: float) -> Pose:
        return Pose(bow_deg=30.0 if t > 2.0 else 0.0, right_wrist=STERNUM, scale=scale, offset=offset)

    def plain(t: float) -> Pose:
        return Pose(bow_deg=30.0 if t > 2.0 else 0.0, right_wrist=STERNUM)

    near, far = script(plain, end=2.5), rolled(script(bowing, end=2.5), roll_deg)
    poses = []
    for samples in (near, far):
        upright = upright_posture(samples[:20], CONFIG)
        assert upright is not None
        poses.append(normalised_pose(samples[-1].keypoints, upright, CONFIG.min_keypoint_score))
    np.testing.assert_allclose(poses[0], poses[1], atol=1e-5)
    assert poses[0][KEYPOINT["left_shoulder"], 1] == pytest.approx(-math.cos(math.radians(30.0)), abs=1e-6)


def test_a_keypoint_not_seen_is_nan_and_the_hips_must_be_seen() -> None:
    samples = script(lambda t: Pose(hidden=("left_ear",)), end=2.0)
    upright = upright_posture(samples, CONFIG)
    assert upright is not None
    pose = normalised_pose(samples[0].keypoints, upright, CONFIG.min_keypoint_score)
    assert np.isnan(pose[KEYPOINT["left_ear"]]).all()
    assert np.isnan(pose).sum() == 2
    no_hips = script(lambda t: Pose(hidden=("left_hip",)), end=0.0)[0].keypoints
    with pytest.raises(ValueError, match="both hips must be seen"):
        normalised_pose(no_hips, upright, CONFIG.min_keypoint_score)


def test_keypoints_are_steadied_by_a_median_of_three_frames() -> None:
    """A one-frame jump goes; a step and a steady movement stay; a keypoint not seen stays unseen,
    and a frame next to a gap longer than max_gap_s is left as it is."""
    wrist, ear = KEYPOINT["right_wrist"], KEYPOINT["left_ear"]
    xs = [0.0, 0.0, 50.0, 0.0, 0.0, 10.0, 20.0, 35.0, 20.0]
    samples = []
    for i, x in enumerate(xs):
        kp = Pose(hidden=("left_ear",) if i == 7 else ()).keypoints()
        xy = np.array(kp.xy)
        xy[wrist, 0] = x
        samples.append(PoseSample(i / 10 + (1.0 if i == 8 else 0.0), Keypoints(xy, kp.score)))
    steady = steadied(samples, CONFIG)
    assert [float(s.keypoints.xy[wrist, 0]) for s in steady] == [0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 20.0, 35.0, 20.0]
    assert steady[7].keypoints.score[ear] < CONFIG.min_keypoint_score
    assert steady[7].keypoints.xy[ear] == pytest.approx(samples[7].keypoints.xy[ear])


# -- learning --------------------------------------------------------------------------------------


def test_the_reference_holds_the_marked_and_the_other_frames_as_normalised_poses() -> None:
    """18 frames inside the marks (2.9..4.6 s); 3 frames either side within the 0.3 s margin are left
    out; the other 57 of the 81 frames are other frames. The peak is the quarter of the greeting's
    frames farthest from standing: the five at the full 30 degree bow (3.5..3.9 s)."""
    reference = standard()
    assert reference.greeting.shape == (18, 17, 2)
    assert reference.other.shape == (57, 17, 2)
    assert reference.peaks == (6, 7, 8, 9, 10)
    assert np.nanmax(np.abs(reference.greeting)) == 2.0  # the ankles, 200 px below the hips: torso lengths, not pixels
    with pytest.raises(ValueError, match="read-only"):
        reference.greeting[0, 0, 0] = 1.0


def test_the_same_greeting_recorded_elsewhere_in_the_picture_gives_the_same_reference() -> None:
    elsewhere = learn_reference(recorded(scale=0.4, offset=(1200.0, 50.0)), MARKED, CONFIG, MATCH)
    np.testing.assert_allclose(elsewhere.greeting, standard().greeting, atol=2e-4)
    np.testing.assert_allclose(elsewhere.other, standard().other, atol=2e-4)
    assert elsewhere.peaks == standard().peaks


def test_greetings_at_two_counters_are_learned_each_against_its_own_baseline() -> None:
    """At counter 1 the camera sees the staff member from the front; at counter 2, far off and from the
    side. Learned from counter 1 only, a side-view greeting is not recognised; learned from both, it is."""
    front = greeting(3.0, 1.5, 3.3, 0.8, 30.0)
    side = greeting(13.0, 1.5, 13.3, 0.8, 30.0, side_view=True, scale=0.6, offset=(900.0, 300.0))
    clip = script(lambda t: front(t) if t < 8.0 else side(t), end=18.0)
    both = learn_reference(clip, [*MARKED, (12.85, 14.65)], CONFIG, MATCH)
    assert both.greeting.shape == (36, 17, 2)
    assert both.peaks == (6, 7, 8, 9, 10, 24, 25, 26, 27, 28)
    side_greeting = script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, side_view=True))
    assert with_reference(side_greeting) is GreetingOutcome.NOT_GREETED
    assert with_reference(side_greeting, both) is GreetingOutcome.GREETED
    assert with_reference(script(greeting(12.0, 1.5, 12.3, 0.8, 30.0)), both) is GreetingOutcome.GREETED


@pytest.mark.parametrize(
    ("samples", "spans", "match", "message"),
    [
        (recorded(), [], MATCH, "no greeting is marked in the reference clip"),
        (recorded(), [(4.65, 2.85)], MATCH, "a marked greeting must end after it starts, got 4.65-2.85 s"),
        (recorded(), [(0.5, 2.0)], MATCH, "the greeting marked at 0.5-2 s has no upright baseline"),
        (recorded(), [(3.05, 3.25)], MATCH, "the marked greetings hold 2 usable frames .* at least 5 are needed"),
        (
            recorded(hidden_while(greeting(3.0, 1.5, 3.3, 0.8, 30.0), 3.0, 4.5)),
            MARKED,
            MATCH,
            "the marked greetings hold 2 usable frames",
        ),
        (
            recorded(greeting(3.0, 1.5, 3.3, 0.8, 30.0, from_behind=True)),
            MARKED,
            MATCH,
            "has no upright baseline",
        ),
        (
            script(greeting(3.0, 1.5, 3.3, 0.8, 30.0), start=1.8, end=4.6),
            MARKED,
            MATCH,
            "the reference clip holds 8 usable frames outside the marked greetings; at least 10 are needed",
        ),
        (recorded(), [*MARKED, (6.05, 6.08)], MATCH, "the greeting marked at 6.05-6.08 s shows no usable frame"),
        (
            recorded(),
            MARKED,
            GreetingReferenceConfig(min_greeting_frames=20),
            "the marked greetings hold 18 usable frames .* at least 20 are needed",
        ),
    ],
    ids=[
        "nothing marked",
        "inverted",
        "no baseline",
        "too short",
        "greeting hidden",
        "from behind",
        "too little else",
        "mark between frames",
        "fewer than asked for",
    ],
)
def test_a_clip_without_enough_to_learn_from_is_refused(
    samples: list[PoseSample], spans: list[tuple[float, float]], match: GreetingReferenceConfig, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        learn_reference(samples, spans, CONFIG, match)
    assert "\n" not in str(raised.value)


# -- the site's greeting, recognised ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("hand_s", "bow_s", "fps", "pose"),
    [
        (1.5, 0.8, 10.0, {}),  # as recorded
        (0.7, 0.5, 10.0, {}),  # quick
        (3.0, 1.6, 5.0, {}),  # slow, at a low analysis rate
        (1.5, 0.8, 10.0, {"scale": 0.25, "offset": (900.0, 120.0)}),  # far away, at another counter
        (1.5, 0.8, 10.0, {"scale": 3.0, "offset": (-100.0, -200.0)}),  # close up
        (2.0, 1.0, 10.0, {"width": 1.3}),  # a broader colleague
    ],
    ids=["recorded", "quick", "slow", "far", "close", "broader"],
)
def test_the_recorded_greeting_is_recognised_at_other_speeds_positions_and_scales(
    hand_s: float, bow_s: float, fps: float, pose: dict[str, object]
) -> None:
    samples = script(greeting(11.0, hand_s, 11.0 + hand_s / 4, bow_s, 30.0, **pose), fps=fps)
    decision = recognise_with_reference(samples, ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.GREETED
    assert decision.reference_match_s == pytest.approx(round(hand_s * fps) / fps, abs=1e-6)
    assert decision.visible_fraction == 1.0
    assert decision.hand_on_chest_s == pytest.approx(round(hand_s * fps) / fps, abs=1e-6)  # the rules' reading


def test_the_greeting_with_the_other_hand_matches_as_a_mirror_image() -> None:
    left_hand = script(both_hands(12.0, 1.5, 12.3, 0.8, 30.0, ((0.0, 0.35), HANGING[1])))
    assert with_reference(left_hand) is GreetingOutcome.GREETED
    assert with_reference(left_hand, match=GreetingReferenceConfig(mirror=False)) is GreetingOutcome.NOT_GREETED


def test_a_one_frame_jitter_does_not_break_the_greeting() -> None:
    """The keypoint model loses the hand on the chest for one frame (12.5 s): the greeting still lasts 1.5 s."""
    pose = greeting(12.0, 1.5, 12.3, 0.8, 30.0)
    samples = script(lambda t: Pose(bow_deg=pose(t).bow_deg) if abs(t - 12.5) < 1e-6 else pose(t))
    decision = recognise_with_reference(samples, ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.GREETED
    assert decision.reference_match_s == pytest.approx(1.5, abs=1e-6)


def test_a_greeting_seen_counts_even_if_the_rest_is_hidden() -> None:
    samples = script(hidden_while(greeting(12.0, 1.5, 12.3, 0.8, 30.0), 14.0, 20.0))
    decision = recognise_with_reference(samples, ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.visible_fraction < CONFIG.min_visible_fraction
    assert decision.outcome is GreetingOutcome.GREETED


# -- what is not the greeting ----------------------------------------------------------------------


def test_standing_still_is_not_greeted() -> None:
    decision = recognise_with_reference(script(lambda t: Pose()), ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert decision.reference_match_s == 0.0


def test_a_tie_between_a_greeting_frame_and_another_frame_goes_to_the_other() -> None:
    """The wide marks hold two standing frames (2.9 s, 4.6 s) exactly like the other frames' standing:
    with a single neighbour, standing still must still find no greeting frame."""
    decision = recognise_with_reference(
        script(lambda t: Pose()), ARRIVAL, standard(), CONFIG, GreetingReferenceConfig(neighbours=1)
    )
    assert decision.reference_match_s == 0.0


def test_scratching_the_chest_briefly_is_not_greeted() -> None:
    """The hand at the sternum for 0.3 s, even with a nod: greeting-like, but not held for hold_s."""
    decision = recognise_with_reference(
        script(greeting(12.0, 0.3, 12.0, 0.5, 30.0)), ARRIVAL, standard(), CONFIG, MATCH
    )
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert decision.reference_match_s == pytest.approx(0.3, abs=1e-6)


def test_reaching_across_for_a_document_is_not_greeted() -> None:
    """Leaning forward while the hand sweeps past the sternum: it looks like the greeting only while
    the hand passes the chest, shorter than hold_s."""
    decision = recognise_with_reference(script(reaching_across), ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert 0.0 < decision.reference_match_s < MATCH.hold_s


def test_bending_to_pick_something_up_is_not_greeted() -> None:
    decision = recognise_with_reference(script(bending_down), ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert decision.reference_match_s == 0.0


def test_a_hand_on_the_chest_without_the_bow_is_not_the_greeting() -> None:
    """Held as long as in the reference, but never reaching its peak (the bow with the hand on the chest)."""
    decision = recognise_with_reference(script(greeting(12.0, 1.5, 12.3, 0.8, 0.0)), ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert decision.reference_match_s == pytest.approx(1.5, abs=1e-6)


def test_a_hidden_wrist_is_not_on_the_chest() -> None:
    """The wrist the greeting moves must be seen, as for the rule-based recogniser: a long bow with
    that wrist not seen matches the reference's bow on every other keypoint, but is not the greeting."""
    samples = script(greeting(12.0, 1.5, 12.15, 1.2, 30.0, hidden=("right_wrist",)))
    decision = recognise_with_reference(samples, ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert decision.reference_match_s == 0.0


# -- a site's own greeting -------------------------------------------------------------------------


def test_hands_clasped_below_the_chest_with_a_bow_is_recognised_with_the_sites_reference_only() -> None:
    """At this site staff greet with both hands clasped in front, below the chest band the rules look
    at, and a 30 degree bow: the rules see no hand on the chest; the site's reference knows its greeting."""
    reference = learn_reference(recorded(both_hands(3.0, 1.5, 3.3, 0.8, 30.0, CLASPED)), MARKED, CONFIG, MATCH)
    for samples in (
        script(both_hands(12.0, 1.5, 12.3, 0.8, 30.0, CLASPED)),
        script(both_hands(11.0, 0.8, 11.2, 0.5, 30.0, CLASPED, scale=0.5, offset=(700.0, 200.0))),
    ):
        assert recognise_greeting(samples, ARRIVAL, CONFIG).outcome is GreetingOutcome.NOT_GREETED
        assert recognise(samples, ARRIVAL, CONFIG, None, MATCH).outcome is GreetingOutcome.NOT_GREETED
        assert recognise(samples, ARRIVAL, CONFIG, reference, MATCH).outcome is GreetingOutcome.GREETED
    # standing with the hands clasped is not the greeting there; nor, where a reference exists, the
    # standard greeting it does not show (the reference replaces the rules, it does not add to them)
    assert with_reference(script(both_hands(12.0, 1.5, 12.3, 0.8, 0.0, CLASPED)), reference) is (
        GreetingOutcome.NOT_GREETED
    )
    assert with_reference(script(greeting(12.0, 1.5, 12.3, 0.8, 30.0)), reference) is GreetingOutcome.NOT_GREETED


def test_palms_together_at_the_chest_with_a_nod_is_recognised_with_the_sites_reference_only() -> None:
    """At this site the greeting is both palms together at the chest with a 12 degree nod, shallower
    than the rules' 20 degree bow."""
    reference = learn_reference(recorded(both_hands(3.0, 1.5, 3.3, 0.8, 12.0, PALMS)), MARKED, CONFIG, MATCH)
    samples = script(both_hands(12.0, 2.0, 12.5, 1.0, 12.0, PALMS, scale=0.3, offset=(800.0, 100.0)))
    rules = recognise(samples, ARRIVAL, CONFIG, None, MATCH)
    assert rules.outcome is GreetingOutcome.NOT_GREETED
    assert rules.max_bow_deg == 0.0  # the nod is below the rules' bow angle
    assert recognise(samples, ARRIVAL, CONFIG, reference, MATCH).outcome is GreetingOutcome.GREETED


def test_without_a_reference_the_rules_decide() -> None:
    for samples in (script(greeting(12.0, 1.5, 12.3, 0.8, 30.0)), script(reaching_across)):
        assert recognise(samples, ARRIVAL, CONFIG, None, MATCH) == recognise_greeting(samples, ARRIVAL, CONFIG)


# -- not visible -----------------------------------------------------------------------------------


def test_a_person_seen_from_behind_is_not_visible() -> None:
    decision = recognise_with_reference(
        script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, from_behind=True)), ARRIVAL, standard(), CONFIG, MATCH
    )
    assert decision.outcome is GreetingOutcome.NOT_VISIBLE
    assert decision.visible_fraction == 0.0


def test_hips_hidden_for_most_of_the_window_is_not_visible() -> None:
    samples = script(lambda t: Pose(hidden=("left_hip", "right_hip") if t >= 8.0 else ()))
    decision = recognise_with_reference(samples, ARRIVAL, standard(), CONFIG, MATCH)
    assert decision.outcome is GreetingOutcome.NOT_VISIBLE
    assert decision.visible_fraction == pytest.approx(30 / 151)


def test_no_upright_baseline_is_not_visible_even_when_the_window_is_clear() -> None:
    assert with_reference(script(greeting(12.0, 1.5, 12.3, 0.8, 30.0), start=5.0)) is GreetingOutcome.NOT_VISIBLE
    hidden_before = script(lambda t: Pose(hidden=("left_shoulder",) if t < 5.0 else ()))
    assert with_reference(hidden_before) is GreetingOutcome.NOT_VISIBLE


# -- stored as JSON --------------------------------------------------------------------------------


def test_a_reference_survives_its_json_exactly_with_unseen_keypoints_as_null() -> None:
    reference = learn_reference(recorded(hidden=("left_ear",)), MARKED, CONFIG, MATCH)
    text = reference.to_json()
    data = json.loads(text)
    assert data["greeting"][0][KEYPOINT["left_ear"]] is None
    assert set(data) == {"format", "version", "keypoints", "greeting", "other", "peaks"}
    back = GreetingReference.from_json(text)
    np.testing.assert_array_equal(back.greeting, reference.greeting)  # NaN where NaN
    np.testing.assert_array_equal(back.other, reference.other)
    assert back.peaks == reference.peaks
    assert back.to_json() == text
    samples = script(greeting(12.0, 1.5, 12.3, 0.8, 30.0))
    assert recognise_with_reference(samples, ARRIVAL, back, CONFIG, MATCH) == recognise_with_reference(
        samples, ARRIVAL, reference, CONFIG, MATCH
    )


def _stored(**change: object) -> str:
    data = json.loads(standard().to_json())
    data.update(change)
    return json.dumps(data)


def _frame(**points: object) -> list[object]:
    frame: list[object] = [[0.0, -1.0] for _ in KEYPOINT_NAMES]
    for name, point in points.items():
        frame[KEYPOINT[name]] = point
    return frame


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ("[]", "expected a JSON object"),
        (_stored(version=2), "expected format 'cvmon.greeting_reference' version 1"),
        (_stored(format="other"), "expected format"),
        (_stored(keypoints=list(KEYPOINT_NAMES[:-1])), "keypoints must be the 17 COCO keypoints"),
        (_stored(extra=1), "unknown field 'extra'"),
        (_stored(greeting=[]), "greeting must be a non-empty list of frames"),
        (_stored(other="frames"), "other must be a non-empty list of frames"),
        (_stored(greeting=[_frame()[:16]]), r"greeting\[0\] must be a list of 17 keypoints"),
        (_stored(greeting=[_frame(nose=[1.0])]), r"greeting\[0\]\[0\] must be \[x, y\] or null"),
        (_stored(greeting=[_frame(nose=["a", 1.0])]), r"greeting\[0\]\[0\] must be \[x, y\] or null"),
        (_stored(greeting=[_frame(nose=[True, 1.0])]), r"greeting\[0\]\[0\] must be \[x, y\] or null"),
        (_stored(greeting=[_frame(left_hip=None)]), "every greeting frame needs both shoulders and both hips"),
        (_stored(greeting=[_frame(nose=[1e6, 0.0])]), "over 10 torso lengths away"),
        (_stored(greeting=[_frame()], peaks=[3]), "peaks must be distinct indices of the 1 greeting frames"),
        (_stored(peaks=[]), "peaks must be a non-empty tuple"),
        (_stored(peaks=[6, 6]), "peaks must be distinct indices"),
        (_stored(peaks=[True]), "peaks must be a list of frame indices"),
        (_stored(peaks="6"), "peaks must be a list of frame indices"),
        (_stored().replace("-1.0", "NaN", 1), "NaN is not a coordinate"),
        (_stored().replace("-1.0", "-Infinity", 1), "-Infinity is not a coordinate"),
    ],
)
def test_a_bad_stored_reference_is_refused_with_a_one_line_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        GreetingReference.from_json(text)
    assert str(raised.value).startswith("greeting reference: ")
    assert "\n" not in str(raised.value)


def test_a_reference_checks_its_arrays() -> None:
    good = standard()
    with pytest.raises(ValueError, match=r"must have shape \(frames >= 1, 17, 2\), got \(3, 17\)"):
        GreetingReference(np.zeros((3, 17)), good.other, (0,))
    with pytest.raises(ValueError, match="holds an infinite coordinate"):
        GreetingReference(np.full((1, 17, 2), np.inf), good.other, (0,))
    half = np.array(good.greeting)
    half[0, KEYPOINT["nose"], 0] = np.nan
    with pytest.raises(ValueError, match="a keypoint with only one coordinate"):
        GreetingReference(half, good.other, good.peaks)


# -- settings --------------------------------------------------------------------------------------


def test_settings_are_checked() -> None:
    with pytest.raises(ValidationError):
        GreetingReferenceConfig(neighbours=0)
    with pytest.raises(ValidationError):
        GreetingReferenceConfig(max_distance=0.0)
    with pytest.raises(ValidationError):
        GreetingReferenceConfig(unknown=1)  # type: ignore[call-arg]
