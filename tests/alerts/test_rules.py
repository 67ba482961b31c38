"""Alert rules sample by sample: delays, hysteresis, tolerance of short dips, peaks, clearing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cvmon.alerts.rules import RulesState, ZoneObservation, evaluate_camera_offline, evaluate_zone_rules
from cvmon.config.rules import QueueLongRule, RulesConfig, merge_layers
from cvmon.types import ChangeKind, Rule, ZoneKind
from tests.conftest import T0

RULES = merge_layers(
    [
        RulesConfig(
            queue_long=QueueLongRule(threshold=5, for_s=10, clear_below=3, clear_for_s=10),
            tolerance_s=2.0,
        )
    ]
)
FPS = 5


def run_counts(counts_by_time: dict[float, int], until: float, kind: ZoneKind = ZoneKind.QUEUE, **obs: object):
    """Feed a queue count that changes at the given times, at 5 fps; return the changes."""
    state = RulesState()
    changes = []
    current = 0
    keys = sorted(counts_by_time)
    for i in range(round(until * FPS) + 1):
        t = i / FPS
        while keys and keys[0] <= t + 1e-9:
            current = counts_by_time[keys.pop(0)]
        observation = ZoneObservation(kind=kind, count=current, **obs)  # type: ignore[arg-type]
        state, ch = evaluate_zone_rules(state, {"z": observation}, {"z": RULES}, True, t, T0 + timedelta(seconds=t))
        changes += ch
    return state, changes


def kinds(changes, rule=Rule.QUEUE_LONG):  # type: ignore[no-untyped-def]
    return [(c.kind.value, round((c.ts - T0).total_seconds(), 1)) for c in changes if c.rule is rule]


def test_long_queue_opens_after_its_delay_and_clears_after_its_delay() -> None:
    _, changes = run_counts({0: 6, 30: 2}, 60)
    assert kinds(changes) == [("opened", 10.0), ("cleared", 40.0)]


def test_hovering_at_the_threshold_opens_one_alert_not_twenty() -> None:
    # 5, 4, 5, 4 ... every second for a minute: never below clear_below (3), so it never clears
    timeline = {float(s): (5 if s % 2 == 0 else 4) for s in range(0, 60)}
    timeline[60.0] = 0
    _, changes = run_counts(timeline, 80)
    assert kinds(changes) == [("opened", 10.0), ("cleared", 70.0)]


def test_a_one_second_dip_neither_restarts_the_delay_nor_clears() -> None:
    _, changes = run_counts({0: 6, 5: 2, 6: 6, 30: 2, 35: 6, 36: 6, 50: 0}, 80)
    # the dip at 5-6 s is within the 2 s tolerance: opens at 10 s; the dip at 30-35 s is 5 s
    # below 3, not the 10 s clear delay, and the return at 35 s ends that clearing
    assert kinds(changes) == [("opened", 10.0), ("cleared", 60.0)]


def test_a_dip_longer_than_the_tolerance_restarts_the_delay() -> None:
    _, changes = run_counts({0: 6, 5: 2, 8: 6, 40: 0}, 60)
    assert kinds(changes) == [("opened", 18.0), ("cleared", 50.0)]


def test_peaks_are_reported_as_the_queue_grows() -> None:
    _, changes = run_counts({0: 6, 12: 8, 14: 7, 16: 9, 30: 0}, 50)
    peaks = [(c.value, round((c.ts - T0).total_seconds(), 1)) for c in changes if c.kind is ChangeKind.PEAK]
    assert peaks == [(8, 12.0), (9, 16.0)]
    opened = next(c for c in changes if c.kind is ChangeKind.OPENED)
    assert all(c.opened_at == opened.ts for c in changes)


def test_long_wait_opens_when_a_visit_passes_the_sla_and_clears_when_it_ends() -> None:
    rules = merge_layers([RulesConfig.model_validate({"long_wait": {"sla_s": 60}})])
    state = RulesState()
    changes = []
    for t, wait in [(0, 10.0), (50, 59.0), (60.2, 61.0), (80, 80.0), (81, None)]:
        obs = ZoneObservation(kind=ZoneKind.WAITING, count=1, longest_wait_s=wait)
        state, ch = evaluate_zone_rules(state, {"w": obs}, {"w": rules}, True, t, T0 + timedelta(seconds=t))
        changes += ch
    assert [(c.kind.value, c.value) for c in changes if c.rule is Rule.LONG_WAIT] == [
        ("opened", 61.0),
        ("peak", 80.0),
        ("cleared", 0.0),
    ]


@pytest.mark.parametrize(
    ("customers", "in_service", "expected"),
    [(1, True, ["opened"]), (0, True, []), (1, False, [])],
)
def test_counter_unstaffed_only_with_customers_and_in_service_hours(
    customers: int, in_service: bool, expected: list[str]
) -> None:
    rules = merge_layers([RulesConfig.model_validate({"counter_unstaffed": {"for_s": 30}})])
    state = RulesState()
    changes = []
    for i in range(0, 200):
        t = i * 0.2
        obs = ZoneObservation(kind=ZoneKind.COUNTER_STAFF, count=0, staffed=False, customers=customers)
        state, ch = evaluate_zone_rules(state, {"s": obs}, {"s": rules}, in_service, t, T0 + timedelta(seconds=t))
        changes += ch
    assert [c.kind.value for c in changes if c.rule is Rule.COUNTER_UNSTAFFED and c.kind is not ChangeKind.PEAK] == (
        expected
    )
    if expected:
        opened = next(c for c in changes if c.kind is ChangeKind.OPENED)
        assert opened.value == pytest.approx(30.0)  # unstaffed for the 30 s delay when it opened


def test_over_capacity_needs_a_capacity() -> None:
    _, with_capacity = run_counts({0: 4, 70: 1}, 150, kind=ZoneKind.WAITING, capacity=3)
    _, without = run_counts({0: 4, 70: 1}, 150, kind=ZoneKind.WAITING)
    assert kinds(with_capacity, Rule.OVER_CAPACITY) == [("opened", 60.0), ("cleared", 130.0)]
    assert kinds(without, Rule.OVER_CAPACITY) == []


def test_camera_offline_fires_on_wall_clock_and_clears_when_back() -> None:
    rules = merge_layers([RulesConfig.model_validate({"camera_offline": {"for_s": 60}})])
    state = RulesState()
    down = T0
    changes = []
    for s in (0, 30, 59, 61, 90):
        state, ch = evaluate_camera_offline(state, down, T0 + timedelta(seconds=s), rules)
        changes += ch
    state, ch = evaluate_camera_offline(state, None, T0 + timedelta(seconds=95), rules)
    changes += ch
    assert [(c.kind.value, (c.ts - T0).total_seconds(), c.value) for c in changes] == [
        ("opened", 60.0, 61.0),  # opened when the 60 s ran out, although the tick that saw it came at 61 s
        ("peak", 90.0, 90.0),
        ("cleared", 95.0, 0.0),
    ]


def test_layers_override_in_order() -> None:
    from cvmon.config.rules import BUILT_IN

    merged = merge_layers(
        [
            RulesConfig.model_validate({"queue_long": {"threshold": 8}}),
            None,
            RulesConfig.model_validate({"queue_long": {"for_s": 30}, "escalate_after_s": 60}),
        ]
    )
    assert merged.queue_long.threshold == 8 and merged.queue_long.for_s == 30
    assert merged.queue_long.clear_below == BUILT_IN.queue_long.clear_below
    assert merged.escalate_after_s == 60
    lowered = merge_layers([RulesConfig.model_validate({"queue_long": {"threshold": 2}})])
    assert lowered.queue_long.clear_below == 2
    post = merge_layers([RulesConfig.model_validate({"post_unstaffed": {"enabled": False}})]).post_unstaffed
    assert (post.enabled, post.for_s, post.only_when_customers) == (False, 300.0, False)  # a post's own defaults


def test_the_schema_shows_each_rule_setting_with_its_built_in_default() -> None:
    from cvmon.config.rules import BUILT_IN

    schema = RulesConfig.model_json_schema()
    props = {name: schema["$defs"][name]["properties"] for name in ("QueueLongRule", "PostUnstaffedRule")}
    assert props["QueueLongRule"]["threshold"]["default"] == BUILT_IN.queue_long.threshold == 5
    assert props["PostUnstaffedRule"]["for_s"]["default"] == 300.0
    assert schema["properties"]["tolerance_s"]["default"] == 3.0


def test_a_mistyped_rule_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="treshold"):
        RulesConfig.model_validate({"queue_long": {"treshold": 4}})


def unstaffed_run(absent_from: float, decided_at: float, until: float, for_s: float = 120):  # type: ignore[no-untyped-def]
    """A counter whose staff left at ``absent_from``; the staffing grace rules it unstaffed at ``decided_at``."""
    rules = merge_layers([RulesConfig.model_validate({"counter_unstaffed": {"for_s": for_s}})])
    state, changes = RulesState(), []
    for i in range(round(until * FPS)):
        t = round(i / FPS, 6)
        staffed = t < decided_at
        obs = ZoneObservation(
            kind=ZoneKind.COUNTER_STAFF,
            count=0,
            staffed=staffed,
            customers=1,
            unstaffed_since_t=absent_from if abs(t - decided_at) < 1e-9 else None,
        )
        state, ch = evaluate_zone_rules(state, {"s": obs}, {"s": rules}, True, t, T0 + timedelta(seconds=t))
        changes += ch
    return changes


def test_counter_unstaffed_counts_from_when_the_counter_emptied_not_from_the_end_of_the_grace() -> None:
    changes = unstaffed_run(absent_from=10.0, decided_at=30.0, until=200)
    opened = next(c for c in changes if c.kind is ChangeKind.OPENED)
    assert (opened.ts - T0).total_seconds() == pytest.approx(130.0)  # emptied at 10 s + 120 s
    peaks = [c.value for c in changes if c.kind is ChangeKind.PEAK]
    assert peaks and peaks[-1] <= 190.0


def test_a_delay_shorter_than_the_grace_opens_as_soon_as_it_is_known_dated_when_it_ran_out() -> None:
    changes = unstaffed_run(absent_from=10.0, decided_at=30.0, until=40, for_s=5)
    opened = next(c for c in changes if c.kind is ChangeKind.OPENED)
    assert (opened.ts - T0).total_seconds() == pytest.approx(15.0)
    assert opened.value == pytest.approx(20.0)  # unstaffed for 20 s when the grace decided it


def test_a_growing_duration_is_not_handed_out_every_frame_and_its_final_peak_is_exact() -> None:
    """Unstaffed for three minutes: about one peak per 10 s instead of 900, the last one exact."""
    rules = merge_layers([RulesConfig.model_validate({"counter_unstaffed": {"for_s": 10}})])
    state, changes = RulesState(), []
    for i in range(round(200 * FPS)):
        t = round(i / FPS, 6)
        staffed = t >= 190
        obs = ZoneObservation(kind=ZoneKind.COUNTER_STAFF, count=int(staffed), staffed=staffed, customers=1)
        state, ch = evaluate_zone_rules(state, {"s": obs}, {"s": rules}, True, t, T0 + timedelta(seconds=t))
        changes += ch
    peaks = [c for c in changes if c.kind is ChangeKind.PEAK]
    assert 10 <= len(peaks) <= 25
    assert peaks[-1].value == pytest.approx(189.8)  # the longest it was unstaffed, handed out before clearing
    assert [c.kind for c in changes[-2:]] == [ChangeKind.PEAK, ChangeKind.CLEARED]
