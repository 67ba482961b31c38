"""The alert rules as a pure state machine over samples.

``evaluate_zone_rules`` takes the rule state and what one analysed frame showed in each zone and
returns the new state and the ``AlertChange``s (opened, new peak, cleared). Each rule is a
condition with a delay to open, a delay to clear and a tolerance for short dips, so a value
hovering at a threshold opens one alert, not twenty. Times are the source's seconds (video time
for recordings), so rules behave the same on live cameras and recorded video.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cvmon.config.rules import Rules
from cvmon.types import CAMERA_ZONE, AlertChange, ChangeKind, Rule, ZoneKind


@dataclass(frozen=True, slots=True)
class RuleTrack:
    """One rule on one zone: pending (condition true, waiting for the delay), open, clearing."""

    open: bool = False
    pending_since: float | None = None  # start of the condition; kept while the alert is open
    last_on: float | None = None
    clear_since: float | None = None
    last_off: float | None = None
    peak: float = 0.0
    opened_at: datetime | None = None
    peak_reported: float = 0.0  # the peak last handed out as a change (written to the database)
    peak_reported_t: float | None = None


@dataclass(frozen=True, slots=True)
class ZoneObservation:
    """What one analysed frame showed in one zone, as the rules need it."""

    kind: ZoneKind
    count: int
    capacity: int | None = None
    staffed: bool | None = None
    customers: int = 0  # counter_staff: people in its customer zone and queue
    longest_wait_s: float | None = None  # queue/waiting: the longest visit still going on
    unstaffed_since_t: float | None = None  # staff zone found unstaffed in this sample: when it emptied


@dataclass(frozen=True, slots=True)
class RulesState:
    tracks: dict[tuple[Rule, str], RuleTrack] = field(default_factory=dict)

    def open_alerts(self) -> list[tuple[Rule, str]]:
        return [key for key, track in self.tracks.items() if track.open]


@dataclass(frozen=True, slots=True)
class Condition:
    on: bool  # the condition that opens the alert
    off: bool  # the condition that clears it
    value: float
    open_after_s: float
    clear_after_s: float
    started_t: float | None = None  # the condition became known late: it has held since this time
    duration: bool = False  # the value is a duration that grows with every sample


# A count's new peak is handed out at once (counts grow in steps, and its snapshot shows the worst moment); a
# duration, which grows every frame, at most every PEAK_EVERY_S, and its final peak always before it clears.
PEAK_EVERY_S = 10.0


def _peak_due(track: RuleTrack, cond: Condition, t: float) -> bool:
    if track.peak <= track.peak_reported:
        return False
    return not cond.duration or track.peak_reported_t is None or t - track.peak_reported_t >= PEAK_EVERY_S


def _clearing(
    track: RuleTrack, rule: Rule, zone_id: str, wall: datetime, value: float, opened_at: datetime
) -> list[AlertChange]:
    """An alert's clearing, preceded by its final peak when that was not handed out yet."""
    changes = []
    if track.peak > track.peak_reported:
        changes.append(AlertChange(rule, zone_id, ChangeKind.PEAK, wall, track.peak, opened_at))
    changes.append(AlertChange(rule, zone_id, ChangeKind.CLEARED, wall, value, opened_at))
    return changes


def step(
    track: RuleTrack, cond: Condition, t: float, wall: datetime, tolerance_s: float, rule: Rule, zone_id: str
) -> tuple[RuleTrack, list[AlertChange]]:
    """Advance one rule on one zone by one sample."""
    changes: list[AlertChange] = []
    if not track.open:
        if cond.on:
            since = track.pending_since
            if since is None:
                since = t if cond.started_t is None else min(t, cond.started_t)
            track = replace(track, pending_since=since, last_on=t)
            if t - since >= cond.open_after_s:
                # Opened when the delay ran out, even where the condition was known only later.
                opened = wall - timedelta(seconds=t - (since + cond.open_after_s))
                track = RuleTrack(
                    open=True,
                    pending_since=since,
                    peak=cond.value,
                    opened_at=opened,
                    peak_reported=cond.value,
                    peak_reported_t=t,
                )
                changes.append(AlertChange(rule, zone_id, ChangeKind.OPENED, opened, cond.value, opened))
        elif track.pending_since is not None and (track.last_on is None or t - track.last_on > tolerance_s):
            track = replace(track, pending_since=None, last_on=None)
        return track, changes

    opened_at: datetime | None = track.opened_at
    assert opened_at is not None
    if cond.value > track.peak:
        track = replace(track, peak=cond.value)
    if _peak_due(track, cond, t):
        changes.append(AlertChange(rule, zone_id, ChangeKind.PEAK, wall, track.peak, opened_at))
        track = replace(track, peak_reported=track.peak, peak_reported_t=t)
    if cond.off:
        since = track.clear_since if track.clear_since is not None else t
        track = replace(track, clear_since=since, last_off=t)
        if t - since >= cond.clear_after_s:
            changes += _clearing(track, rule, zone_id, wall, cond.value, opened_at)
            track = RuleTrack()
    elif track.clear_since is not None and (track.last_off is None or t - track.last_off > tolerance_s):
        track = replace(track, clear_since=None, last_off=None)
    return track, changes


def zone_conditions(
    obs: ZoneObservation, rules: Rules, in_service: bool, on_since: dict[Rule, float | None], t: float
) -> dict[Rule, Condition]:
    """The conditions of every rule that applies to a zone of this kind.

    ``on_since`` gives, per rule, when its condition started (for durations such as unstaffed time).
    """
    out: dict[Rule, Condition] = {}
    q = rules.queue_long
    if obs.kind.measures_wait and q.enabled:
        out[Rule.QUEUE_LONG] = Condition(
            on=obs.count >= q.threshold,
            off=obs.count < q.clear_below,
            value=obs.count,
            open_after_s=q.for_s,
            clear_after_s=q.clear_for_s,
        )
    w = rules.long_wait
    if obs.kind.measures_wait and w.enabled:
        wait = obs.longest_wait_s or 0.0
        out[Rule.LONG_WAIT] = Condition(
            on=wait > w.sla_s,
            off=wait <= w.sla_s,
            value=round(wait, 1),
            open_after_s=0.0,
            clear_after_s=0.0,
            duration=True,
        )
    c = rules.over_capacity
    if obs.capacity is not None and c.enabled:
        out[Rule.OVER_CAPACITY] = Condition(
            on=obs.count > obs.capacity,
            off=obs.count <= obs.capacity,
            value=obs.count,
            open_after_s=c.for_s,
            clear_after_s=c.clear_for_s,
        )
    if obs.kind.measures_staffing:
        rule = Rule.COUNTER_UNSTAFFED if obs.kind is ZoneKind.COUNTER_STAFF else Rule.POST_UNSTAFFED
        u = rules.counter_unstaffed if rule is Rule.COUNTER_UNSTAFFED else rules.post_unstaffed
        if u.enabled:
            needed = not u.only_when_customers or obs.customers > 0
            on = in_service and not obs.staffed and needed
            since = on_since.get(rule)
            if since is None and on:
                since = obs.unstaffed_since_t
            out[rule] = Condition(
                on=on,
                off=not on,
                value=round(t - since, 1) if on and since is not None else 0.0,
                open_after_s=u.for_s,
                clear_after_s=0.0,
                started_t=obs.unstaffed_since_t,
                duration=True,
            )
    return out


def evaluate_zone_rules(
    state: RulesState,
    observations: dict[str, ZoneObservation],
    rules: dict[str, Rules],
    in_service: bool,
    t: float,
    wall: datetime,
) -> tuple[RulesState, list[AlertChange]]:
    """Advance every rule of every zone by one sample."""
    tracks = dict(state.tracks)
    changes: list[AlertChange] = []
    for zone_id, obs in observations.items():
        zone_rules = rules[zone_id]
        on_since = {rule: tr.pending_since for (rule, z), tr in tracks.items() if z == zone_id}
        for rule, cond in zone_conditions(obs, zone_rules, in_service, on_since, t).items():
            track = tracks.get((rule, zone_id), RuleTrack())
            track, ch = step(track, cond, t, wall, zone_rules.tolerance_s, rule, zone_id)
            tracks[(rule, zone_id)] = track
            changes.extend(ch)
    return RulesState(tracks), changes


def evaluate_camera_offline(
    state: RulesState, offline_since: datetime | None, now: datetime, rules: Rules
) -> tuple[RulesState, list[AlertChange]]:
    """The camera_offline rule, on wall-clock time (it must fire while no frame arrives)."""
    r = rules.camera_offline
    if not r.enabled:
        return state, []
    key = (Rule.CAMERA_OFFLINE, CAMERA_ZONE)
    track = state.tracks.get(key, RuleTrack())
    offline_s = (now - offline_since).total_seconds() if offline_since is not None else 0.0
    t = now.timestamp()
    if offline_since is not None and not track.open and track.pending_since is None:
        track = replace(track, pending_since=offline_since.timestamp(), last_on=offline_since.timestamp())
    cond = Condition(
        on=offline_since is not None,
        off=offline_since is None,
        value=round(offline_s, 1),
        open_after_s=r.for_s,
        clear_after_s=0.0,
        duration=True,
    )
    track, changes = step(track, cond, t, now, 0.0, Rule.CAMERA_OFFLINE, CAMERA_ZONE)
    return RulesState({**state.tracks, key: track}), changes


def close_open_alerts(state: RulesState, wall: datetime) -> tuple[RulesState, list[AlertChange]]:
    """Clear every open alert at ``wall``, the last time its condition was observed (the end of a
    recording: nothing after it is known, so no condition goes on); each one's final peak first."""
    changes: list[AlertChange] = []
    for (rule, zone_id), track in state.tracks.items():
        if not track.open or track.opened_at is None:
            continue
        changes += _clearing(track, rule, zone_id, wall, track.peak, track.opened_at)
    return RulesState(), changes
