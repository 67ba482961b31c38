"""abandonment_high and door_unmet on a journey's final minutes, with exact opening and clearing."""

from __future__ import annotations

from datetime import timedelta

from cvmon.alerts.flow_rules import FlowWatch
from cvmon.config.rules import AbandonmentHigh, DoorUnmet
from cvmon.figures import ZoneFigures
from cvmon.types import ChangeKind, Rule
from tests.conftest import T0

ABANDON = AbandonmentHigh(max_share_pct=20.0, window_min=30.0, min_queued=5)
DOOR = DoorUnmet(max_unmet=3, window_min=30.0)


def feed(watch: FlowWatch, minutes: dict[int, ZoneFigures]):
    out = []
    for m in sorted(minutes):
        out += [(c.rule, c.kind, c.value, c.ts) for c in watch.on_minute(T0 + timedelta(minutes=m), minutes[m])]
    return out


def test_abandonment_opens_at_the_share_over_the_window_and_clears_when_it_falls() -> None:
    watch = FlowWatch("pintu", ABANDON, DOOR.model_copy(update={"enabled": False}), has_door_post=True)
    got = feed(watch, {0: ZoneFigures(queued=3), 5: ZoneFigures(queued=2, abandoned=1), 10: ZoneFigures(abandoned=1)})
    # 5 queued by minute 5 with 1 left (20 %): opens at the end of minute 5; minute 10 makes it 40 %: a peak.
    assert got == [
        (Rule.ABANDONMENT_HIGH, ChangeKind.OPENED, 20.0, T0 + timedelta(minutes=6)),
        (Rule.ABANDONMENT_HIGH, ChangeKind.PEAK, 40.0, T0 + timedelta(minutes=11)),
    ]
    # Thirty minutes on, the early minutes have left the window: nobody queued in it, so it clears.
    assert feed(watch, {41: ZoneFigures()})[-1][:2] == (Rule.ABANDONMENT_HIGH, ChangeKind.CLEARED)


def test_too_few_queued_never_alerts() -> None:
    watch = FlowWatch("pintu", ABANDON, DOOR, has_door_post=False)
    assert feed(watch, {0: ZoneFigures(queued=4, abandoned=4)}) == []


def test_door_unmet_counts_arrivals_while_the_post_was_empty_only_where_a_post_is_named() -> None:
    minutes = {0: ZoneFigures(arrivals=2, met_at_door=1), 3: ZoneFigures(arrivals=3, met_at_door=1)}
    watch = FlowWatch("pintu", ABANDON, DOOR, has_door_post=True)
    assert feed(watch, minutes) == [(Rule.DOOR_UNMET, ChangeKind.OPENED, 3.0, T0 + timedelta(minutes=4))]
    assert feed(FlowWatch("pintu", ABANDON, DOOR, has_door_post=False), minutes) == []


def test_the_end_of_a_recording_clears_what_is_open() -> None:
    watch = FlowWatch("pintu", ABANDON, DOOR, has_door_post=True)
    feed(watch, {0: ZoneFigures(arrivals=5)})
    (cleared,) = [c for c in watch.close_all(T0 + timedelta(hours=1)) if c.kind is ChangeKind.CLEARED]
    assert cleared.rule is Rule.DOOR_UNMET
