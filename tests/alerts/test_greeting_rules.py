"""greeting_rate_low: the share of judged arrivals greeted over a shift, with exact opening and clearing."""

from __future__ import annotations

from datetime import timedelta

from cvmon.alerts.greeting_rules import GreetingRateWatch
from cvmon.config.rules import GreetingRateLow
from cvmon.types import ChangeKind, GreetingOutcome, Rule
from tests.conftest import T0

GREETED, MISSED, UNSEEN = GreetingOutcome.GREETED, GreetingOutcome.NOT_GREETED, GreetingOutcome.NOT_VISIBLE
RULE = GreetingRateLow(min_rate_pct=80.0, window_min=60.0, min_arrivals=5)


def feed(watch: GreetingRateWatch, outcomes: list[GreetingOutcome], start_s: float = 0.0, every_s: float = 60.0):
    changes = []
    for i, outcome in enumerate(outcomes):
        t = start_s + i * every_s
        changes += watch.on_outcome("staf-1", outcome, t, T0 + timedelta(seconds=t))
    return changes


def test_it_opens_once_enough_arrivals_show_too_few_greeted_and_clears_when_the_share_recovers() -> None:
    watch = GreetingRateWatch({"staf-1": RULE})
    opened = feed(watch, [GREETED, MISSED, GREETED, MISSED, GREETED])  # 3 of 5: 60 %
    assert [(c.rule, c.kind, c.value, c.ts) for c in opened] == [
        (Rule.GREETING_RATE_LOW, ChangeKind.OPENED, 40.0, T0 + timedelta(minutes=4))  # value: % not greeted
    ]
    cleared = feed(watch, [GREETED] * 6, start_s=300.0)  # 8 of 10 = 80 % at the fifth: back at the limit
    assert [(c.kind, c.value, c.ts) for c in cleared] == [(ChangeKind.CLEARED, 20.0, T0 + timedelta(minutes=9))]


def test_too_few_judged_arrivals_never_alert_and_not_visible_is_left_out() -> None:
    watch = GreetingRateWatch({"staf-1": RULE})
    assert feed(watch, [MISSED, UNSEEN, UNSEEN, MISSED, UNSEEN, MISSED, MISSED]) == []  # 4 judged < 5
    assert [c.kind for c in feed(watch, [MISSED], start_s=420.0)] == [ChangeKind.OPENED]


def test_arrivals_older_than_the_window_drop_out() -> None:
    watch = GreetingRateWatch({"staf-1": RULE})
    assert feed(watch, [MISSED] * 4, every_s=1200.0) == []  # never 5 within an hour


def test_a_disabled_rule_or_another_zone_does_nothing() -> None:
    watch = GreetingRateWatch({"staf-1": RULE.model_copy(update={"enabled": False})})
    assert feed(watch, [MISSED] * 10) == []
    assert GreetingRateWatch({}).on_outcome("staf-1", MISSED, 0.0, T0) == []


def test_the_end_of_a_recording_clears_an_open_alert() -> None:
    watch = GreetingRateWatch({"staf-1": RULE})
    feed(watch, [MISSED] * 5)
    (cleared,) = [c for c in watch.close_all(T0 + timedelta(hours=1)) if c.kind is ChangeKind.CLEARED]
    assert cleared.ts == T0 + timedelta(hours=1)
