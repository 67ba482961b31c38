"""``greeting_rate_low``: a staff zone greets too few of its arriving customers over a shift.

Each judged arrival (greeted or not greeted; not visible is unknown and left out) joins the zone's
window of the last ``window_min`` minutes. The alert opens once the window holds ``min_arrivals``
judged arrivals of which less than ``min_rate_pct`` % were greeted, and clears when the share is
back at or above it (or the window no longer holds enough arrivals to say). Its value is the share
*not* greeted, in % (so its peak is the worst moment). Only the outcomes' times are kept, in memory, for one window.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from cvmon.alerts.rules import Condition, RulesState, RuleTrack, close_open_alerts, step
from cvmon.config.rules import GreetingRateLow
from cvmon.types import AlertChange, GreetingOutcome, Rule


class GreetingRateWatch:
    """Every greeting staff zone's window of judged arrivals, and the rule's state."""

    def __init__(self, settings: dict[str, GreetingRateLow]) -> None:
        self.settings = settings  # per staff zone
        self.state = RulesState()
        self.windows: dict[str, deque[tuple[float, bool]]] = {}

    def on_outcome(self, zone_id: str, outcome: GreetingOutcome, t: float, wall: datetime) -> list[AlertChange]:
        """Fold in one judged arrival (at video time ``t``, judged at ``wall``) and advance the rule."""
        rule = self.settings.get(zone_id)
        if rule is None or not rule.enabled or outcome is GreetingOutcome.NOT_VISIBLE:
            return []
        window = self.windows.setdefault(zone_id, deque())
        window.append((t, outcome is GreetingOutcome.GREETED))
        while window and window[0][0] < t - rule.window_min * 60:
            window.popleft()
        judged = len(window)
        rate = 100.0 * sum(greeted for _, greeted in window) / judged
        enough = judged >= rule.min_arrivals
        cond = Condition(
            on=enough and rate < rule.min_rate_pct,
            off=not enough or rate >= rule.min_rate_pct,
            value=round(100.0 - rate, 1),
            open_after_s=0.0,
            clear_after_s=0.0,
        )
        key = (Rule.GREETING_RATE_LOW, zone_id)
        track, changes = step(self.state.tracks.get(key, RuleTrack()), cond, t, wall, 0.0, *key)
        self.state = RulesState({**self.state.tracks, key: track})
        return changes

    def close_all(self, wall: datetime) -> list[AlertChange]:
        """Clear every open alert (the end of a recording)."""
        self.state, changes = close_open_alerts(self.state, wall)
        return changes

    @property
    def retained(self) -> dict[str, int]:
        return {"greeting_rule_outcomes": sum(len(w) for w in self.windows.values())}
