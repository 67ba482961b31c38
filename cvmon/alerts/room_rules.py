"""The room rules on confirmed room findings (``cvmon.zones.room_watch``), on the rule state machine.

``room_not_ready`` (camera level) is judged once a day, at opening: it opens when the room is not
as its reference then, and clears at the first later check that finds it ready. ``room_changed``
(one per region, and camera level for lights off, a moved or covered camera) is judged at every
check during service hours while no ``room_not_ready`` alert is open: it opens when a region is
confirmed changed and clears when the region is seen as its reference again. A region not visible
(people in front of it) leaves its alert as it is.
"""

from __future__ import annotations

import enum
from datetime import datetime

from cvmon.alerts.rules import Condition, RulesState, RuleTrack, step
from cvmon.config.rules import Rules
from cvmon.types import CAMERA_ZONE, AlertChange, Rule
from cvmon.types.room import RegionStatus, RoomCondition, RoomFindings


class RoomPhase(enum.StrEnum):
    OPENING = "opening"  # the day's verdict, when service opens
    DAY = "day"  # a check during service hours after it


def evaluate_room_rules(
    state: RulesState, found: RoomFindings, phase: RoomPhase, rules: Rules, t: float, wall: datetime
) -> tuple[RulesState, list[AlertChange]]:
    """Advance the room rules by one check (``found``: confirmed findings)."""
    tracks = dict(state.tracks)
    changes: list[AlertChange] = []

    def advance(rule: Rule, zone_id: str, on: bool, off: bool, value: float) -> None:
        cond = Condition(on=on, off=off, value=value, open_after_s=0.0, clear_after_s=0.0)
        track, ch = step(tracks.get((rule, zone_id), RuleTrack()), cond, t, wall, 0.0, rule, zone_id)
        tracks[(rule, zone_id)] = track
        changes.extend(ch)

    not_ready = (Rule.ROOM_NOT_READY, CAMERA_ZONE)
    changed_regions = sum(r.status is RegionStatus.CHANGED for r in found.regions)
    if rules.room_not_ready.enabled and (phase is RoomPhase.OPENING or not_ready in tracks):
        advance(
            Rule.ROOM_NOT_READY,
            CAMERA_ZONE,
            phase is RoomPhase.OPENING and not found.ready,
            found.ready,
            changed_regions,
        )
    if phase is RoomPhase.DAY and rules.room_changed.enabled and not tracks.get(not_ready, RuleTrack()).open:
        bad_view = found.condition is not RoomCondition.OK
        advance(Rule.ROOM_CHANGED, CAMERA_ZONE, bad_view, not bad_view, 0.0)
        for region in found.regions:
            if region.status is RegionStatus.NOT_VISIBLE:
                continue
            changed = region.status is RegionStatus.CHANGED
            advance(Rule.ROOM_CHANGED, region.region_id, changed, not changed, round(100 * region.changed_share, 1))
    return RulesState(tracks), changes
