"""The journey's rules, on its per-minute counts (``cvmon.flow``): ``abandonment_high`` and ``door_unmet``.

``abandonment_high`` opens when, over the last ``window_min`` minutes, at least ``min_queued`` customers
queued and ``max_share_pct`` % or more of them left without reaching a counter; ``door_unmet`` opens
when ``max_unmet`` or more arrivals at the entrance found the door's post empty in the window. Each
clears when its window no longer says so. Both are judged minute by minute as the minutes become
final, on the journey's first zone; only the minutes' counts are kept, for one window.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from cvmon.alerts.rules import Condition, RulesState, RuleTrack, close_open_alerts, step
from cvmon.config.rules import AbandonmentHigh, DoorUnmet
from cvmon.figures import ZoneFigures
from cvmon.types import AlertChange, Rule


class FlowWatch:
    """The window of a camera's journey minutes and the state of its two rules."""

    def __init__(self, zone_id: str, abandonment: AbandonmentHigh, door: DoorUnmet, has_door_post: bool) -> None:
        self.zone_id = zone_id
        self.abandonment = abandonment
        self.door = door
        self.has_door_post = has_door_post
        self.state = RulesState()
        self.minutes: deque[tuple[datetime, ZoneFigures]] = deque()

    def on_minute(self, minute: datetime, figures: ZoneFigures) -> list[AlertChange]:
        """Fold in one final minute of journey counts and advance both rules at its end."""
        self.minutes.append((minute, figures))
        end = minute + timedelta(minutes=1)
        longest = max(self.abandonment.window_min, self.door.window_min)
        while self.minutes and self.minutes[0][0] < end - timedelta(minutes=longest):
            self.minutes.popleft()
        changes: list[AlertChange] = []
        if self.abandonment.enabled:
            queued, abandoned = self._sums(end, self.abandonment.window_min, "queued", "abandoned")
            share = 100.0 * abandoned / queued if queued else 0.0
            enough = queued >= self.abandonment.min_queued
            on = enough and share >= self.abandonment.max_share_pct
            changes += self._advance(Rule.ABANDONMENT_HIGH, on, round(share, 1), end)
        if self.door.enabled and self.has_door_post:
            arrivals, met = self._sums(end, self.door.window_min, "arrivals", "met_at_door")
            unmet = arrivals - met
            changes += self._advance(Rule.DOOR_UNMET, unmet >= self.door.max_unmet, float(unmet), end)
        return changes

    def close_all(self, wall: datetime) -> list[AlertChange]:
        self.state, changes = close_open_alerts(self.state, wall)
        return changes

    @property
    def retained(self) -> dict[str, int]:
        return {"flow_rule_minutes": len(self.minutes)}

    def _sums(self, end: datetime, window_min: float, *names: str) -> list[int]:
        start = end - timedelta(minutes=window_min)
        return [sum(getattr(f, name) for m, f in self.minutes if m >= start) for name in names]

    def _advance(self, rule: Rule, on: bool, value: float, wall: datetime) -> list[AlertChange]:
        key = (rule, self.zone_id)
        cond = Condition(on=on, off=not on, value=value, open_after_s=0.0, clear_after_s=0.0)
        track, changes = step(self.state.tracks.get(key, RuleTrack()), cond, wall.timestamp(), wall, 0.0, *key)
        self.state = RulesState({**self.state.tracks, key: track})
        return changes
