"""The greeting recogniser on scripted keypoint sequences (tests/behaviour/poses.py), with exact expected outcomes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cvmon.behaviour.greeting import PoseSample, recognise_greeting
from cvmon.config.pose import GreetingConfig
from cvmon.types import KEYPOINT_NAMES, GreetingOutcome
from tests.behaviour.poses import ARRIVAL, Pose, bending_down, greeting, reaching_across, script, trapezoid

CONFIG = GreetingConfig()


def decide(samples: list[PoseSample], config: GreetingConfig = CONFIG) -> GreetingOutcome:
    return recognise_greeting(samples, ARRIVAL, config).outcome


# -- greetings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hand_s", "bow_s", "bow_deg", "fps"),
    [
        (0.7, 0.5, 30.0, 10.0),  # quick
        (1.5, 0.8, 30.0, 10.0),  # as taught
        (3.0, 1.6, 30.0, 5.0),  # slow, at a low analysis rate
        (1.5, 0.8, 22.0, 10.0),  # shallow but past the 20 degree threshold
        (1.5, 0.8, 45.0, 10.0),  # deep
    ],
)
def test_a_frontal_greeting_of_any_speed_and_angle_is_greeted(
    hand_s: float, bow_s: float, bow_deg: float, fps: float
) -> None:
    samples = script(greeting(11.0, hand_s, 11.0 + hand_s / 4, bow_s, bow_deg), fps=fps)
    decision = recognise_greeting(samples, ARRIVAL, CONFIG)
    assert decision.outcome is GreetingOutcome.GREETED
    assert decision.hand_on_chest_s == pytest.approx(round(hand_s * fps) / fps, abs=1e-6)
    assert decision.max_bow_deg == pytest.approx(bow_deg, abs=0.5)
    assert decision.visible_fraction == 1.0


def test_a_greeting_seen_from_the_side_is_greeted() -> None:
    assert decide(script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, side_view=True))) is GreetingOutcome.GREETED


def test_a_greeting_far_away_or_close_up_is_greeted() -> None:
    for scale in (0.25, 3.0):
        assert decide(script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, scale=scale))) is GreetingOutcome.GREETED


def test_the_bow_may_come_just_before_or_after_the_hand() -> None:
    assert (
        decide(script(greeting(12.0, 1.0, 10.8, 0.6, 30.0))) is GreetingOutcome.GREETED
    )  # the bow ends 0.6 s before the hand rises
    assert (
        decide(script(greeting(12.0, 1.0, 14.0, 0.6, 30.0))) is GreetingOutcome.GREETED
    )  # the bow starts 1.0 s after the hand drops


# -- not greetings -------------------------------------------------------------------------------


def test_standing_still_is_not_greeted() -> None:
    decision = recognise_greeting(script(lambda t: Pose()), ARRIVAL, CONFIG)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert (decision.hand_on_chest_s, decision.max_bow_deg) == (0.0, 0.0)


def test_a_nod_too_shallow_is_not_a_bow() -> None:
    samples = script(greeting(12.0, 1.5, 12.3, 0.8, 12.0))
    assert decide(samples) is GreetingOutcome.NOT_GREETED
    assert decide(samples, GreetingConfig(require_bow=False)) is GreetingOutcome.GREETED  # hand on chest alone


def test_hand_on_chest_and_a_bow_apart_in_time_are_not_a_greeting() -> None:
    assert decide(script(greeting(11.0, 1.0, 16.0, 0.8, 30.0))) is GreetingOutcome.NOT_GREETED


def test_scratching_the_chest_briefly_is_not_greeted() -> None:
    """The hand at the sternum for 0.3 s (shorter than hand_hold_s = 0.6 s), even with a nod."""
    decision = recognise_greeting(script(greeting(12.0, 0.3, 12.0, 0.5, 30.0)), ARRIVAL, CONFIG)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert decision.hand_on_chest_s == pytest.approx(0.3, abs=1e-6)


def test_reaching_across_for_a_document_is_not_greeted() -> None:
    """The right wrist sweeps at chest height from beside one shoulder across the sternum to beyond
    the other in 1 s while leaning forward 25 degrees to reach, then back: it passes the
    sternum but is never held there."""
    decision = recognise_greeting(script(reaching_across), ARRIVAL, CONFIG)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert 0.0 < decision.hand_on_chest_s < CONFIG.hand_hold_s
    assert decision.max_bow_deg >= CONFIG.bow_angle_deg


def test_bending_to_pick_something_up_is_not_greeted() -> None:
    """A deep bend (60 degrees) with both hands low, below the hips: a bow without hand on chest is
    not the greeting (the standard needs both); the same bend with a hand held at the chest would be."""
    decision = recognise_greeting(script(bending_down), ARRIVAL, CONFIG)
    assert decision.outcome is GreetingOutcome.NOT_GREETED
    assert decision.hand_on_chest_s == 0.0
    assert decision.max_bow_deg == pytest.approx(60.0, abs=0.5)


def test_hands_clasped_at_the_belly_are_not_on_the_chest() -> None:
    def clasped(t: float) -> Pose:
        return Pose(bow_deg=trapezoid(t, 12.0, 13.0, 30.0, 0.2), left_wrist=(-5.0, 0.85), right_wrist=(5.0, 0.85))

    assert decide(script(clasped)) is GreetingOutcome.NOT_GREETED


def test_a_greeting_outside_the_window_is_not_counted() -> None:
    assert decide(script(greeting(21.0, 1.0, 21.2, 0.6, 30.0), end=25.0)) is GreetingOutcome.NOT_GREETED


# -- feet together -------------------------------------------------------------------------------


def test_feet_together_is_needed_only_when_asked_for() -> None:
    strict = GreetingConfig(require_feet_together=True)
    apart = script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, feet_gap=40.0))  # 0.4 torso lengths
    together = script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, feet_gap=10.0))
    hidden_feet = script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, hidden=("left_ankle", "right_ankle")))
    assert decide(apart) is GreetingOutcome.GREETED
    assert decide(apart, strict) is GreetingOutcome.NOT_GREETED
    assert decide(together, strict) is GreetingOutcome.GREETED
    assert decide(hidden_feet, strict) is GreetingOutcome.NOT_VISIBLE


# -- not visible ---------------------------------------------------------------------------------


def test_hips_hidden_for_most_of_the_window_is_not_visible() -> None:
    """Hips behind the counter from 8 s on: 12 of the window's 15 s unseen, so no judgement."""
    samples = script(lambda t: Pose(hidden=("left_hip", "right_hip") if t >= 8.0 else ()))
    decision = recognise_greeting(samples, ARRIVAL, CONFIG)
    assert decision.outcome is GreetingOutcome.NOT_VISIBLE
    assert decision.visible_fraction == pytest.approx(30 / 151)


def test_no_upright_baseline_is_not_visible_even_when_the_window_is_clear() -> None:
    samples = script(lambda t: Pose(hidden=("left_shoulder",) if t < 5.0 else ()))
    assert decide(samples) is GreetingOutcome.NOT_VISIBLE
    assert decide(script(lambda t: Pose(), start=5.0)) is GreetingOutcome.NOT_VISIBLE  # nothing before the window


def test_a_greeting_seen_counts_even_if_the_rest_is_hidden() -> None:
    pose = greeting(12.0, 1.5, 12.3, 0.8, 30.0)
    samples = script(lambda t: pose(t) if t < 14.0 else Pose(hidden=KEYPOINT_NAMES))
    decision = recognise_greeting(samples, ARRIVAL, CONFIG)
    assert decision.visible_fraction < CONFIG.min_visible_fraction
    assert decision.outcome is GreetingOutcome.GREETED


def test_a_person_seen_from_behind_is_not_visible() -> None:
    """From behind, a hand held in front of the body projects onto the back between the shoulders;
    such frames are not judged, however greeting-like the keypoints look."""
    samples = script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, from_behind=True))
    decision = recognise_greeting(samples, ARRIVAL, CONFIG)
    assert decision.outcome is GreetingOutcome.NOT_VISIBLE
    assert decision.visible_fraction == 0.0


def test_a_hidden_wrist_is_not_on_the_chest() -> None:
    samples = script(greeting(12.0, 1.5, 12.3, 0.8, 30.0, hidden=("right_wrist",)))
    assert decide(samples) is GreetingOutcome.NOT_GREETED


# -- settings ------------------------------------------------------------------------------------


def test_settings_are_checked() -> None:
    with pytest.raises(ValidationError):
        GreetingConfig(bow_angle_deg=95)
    with pytest.raises(ValidationError):
        GreetingConfig(before_s=0.2, after_s=0.2, hand_hold_s=1.0)
    with pytest.raises(ValidationError):
        GreetingConfig(unknown=1)  # type: ignore[call-arg]
