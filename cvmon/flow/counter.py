"""A camera's journeys, followed track by track from the zones' visit changes, counted per minute.

``JourneyCounter.update`` takes one sample's visit changes (``cvmon.zones.visit_changes``): a confirmed
visit that STARTED in a journey zone begins a journey for its track (or moves it on), one that ENDED
leaves the zone, and one CONTINUED under a new id moves the journey to that id, so an id switch does not
split one journey in two. A journey closes:

- when it reaches the counter (a counter_customer zone of the last step): finished;
- when its person has no visit open in any journey zone and either the tracker no longer follows any of
  its ids (``tracked``) or ``timeout_s`` passed since its last visit ended: unfinished, and abandoned if
  it waited at least ``abandon_min_s`` in the queue and waiting zones;
- at the end of a segment (the end of a recording, an outage): cut off, not judged for abandonment.

On a camera whose journey does not reach the counter (it sees the door, the counters are on another
camera) no journey finishes and none is judged abandoned: that camera's arrivals and the counter camera's
customers served add up by minute, no person is followed from one camera to the other.

A finished journey is kept (without figures to come) until its person leaves the same way, so a customer
walking out through the entrance is not a new arrival. The role of a journey's track (staff, customer,
unsure) is decided once, when the journey closes: the latest firm verdict (staff or customer) the staff
classifier (``roles``) gave, sample by sample, on the id the journey was followed under then; unsure if it
never gave one. The classifier votes over a track's life, so its verdict is firmest at the end, and one
journey's figures agree with each other (deciding at each figure could count an arrival as unsure and
the same person's counter as a customer's). Staff journeys add nothing; unsure ones add ``unsure``
only, never a guess.

Each figure is dated at the moment it happened (see ``ZoneFigures``): an arrival or a journey joined
mid-way at its start, queued and guided at the first step into a queue or waiting zone, a skipped step
where the step past it was reached, a counter reached (with its journey time) where it was reached, an
abandonment at the last sighting in the queue or waiting zone. So a journey's minutes stay open until it
closes (a customer waiting an hour holds the minute of their arrival open for that hour): ``settled_before``
says how far back. Only the per-minute sums leave; journeys, track ids and
times of a person are held in memory while they last, for the people in view and those who left less
than ``timeout_s`` ago.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cvmon.config.journey import JourneyConfig
from cvmon.config.models import TimingConfig
from cvmon.figures import ZoneFigures
from cvmon.flow.journey import Journey, JourneyPlan, begin, outcome, step_in, step_out, with_verdict
from cvmon.types import ZoneKind
from cvmon.types.flow import FlowMinute
from cvmon.types.people import PersonRole
from cvmon.zones.state import STEP_SAMPLES
from cvmon.zones.visit_changes import VisitChange, VisitChangeKind

RoleOf = Callable[[int], PersonRole | None]
"""The staff classifier's verdict on a track id now (None: it does not know the id)."""
Roles = RoleOf | Mapping[int, PersonRole] | None
"""Verdicts as a function or a mapping of track ids; None: everyone is a customer."""


def confirm_delay_s(timing: TimingConfig, sample_s: float) -> float:
    """How long before its STARTED change a visit can have begun: ``min_enter_s``, a step into the zone
    (``cvmon.zones.state.STEP_SAMPLES`` samples of ``sample_s``) and the sample on which it is confirmed."""
    return timing.min_enter_s + (STEP_SAMPLES + 1) * sample_s


def minute_of(ts: datetime) -> datetime:
    """The UTC minute a moment falls in."""
    return ts.astimezone(UTC).replace(second=0, microsecond=0)


class JourneyCounter:
    """Every journey of one camera, and the flow figures of the minutes still open (see the module docstring)."""

    def __init__(self, journey: JourneyConfig, zone_kinds: Mapping[str, ZoneKind], confirm_s: float) -> None:
        """``zone_kinds``: the kind of each zone of the camera; ``confirm_s``: how long before its STARTED
        change a visit can have begun (``confirm_delay_s``)."""
        self.plan = JourneyPlan.of(journey, zone_kinds)
        self.confirm_s = confirm_s
        self._journeys: dict[int, Journey] = {}  # by a number of the counter's own
        self._of_track: dict[int, int] = {}  # track id -> journey number
        self._next = 0
        self._minutes: dict[datetime, ZoneFigures] = {}
        self._last_wall: datetime | None = None

    def update(
        self,
        changes: Sequence[VisitChange],
        t: float,
        wall: datetime,
        door_staffed: bool = False,
        roles: Roles = None,
        tracked: Collection[int] | None = None,
    ) -> None:
        """Take one sample at video time ``t`` (``wall``): its visit changes, whether the door post is staffed
        now, the classifier's verdicts, and the track ids the tracker still follows (None: not known; then
        only ``timeout_s`` closes an unfinished journey)."""

        def at(x: float) -> datetime:
            return wall - timedelta(seconds=t - x)

        finished_before = {key for key, journey in self._journeys.items() if journey.finished}
        for change in changes:
            if change.zone_id in self.plan.step_of:
                self._apply(change, at, door_staffed)
        finishing = [key for key, j in self._journeys.items() if j.finished and key not in finished_before]
        verdict = _verdict_function(roles)
        for key, journey in self._journeys.items():
            if not journey.finished or key in finishing:
                self._journeys[key] = with_verdict(journey, verdict(journey.ids[-1]))
        for key in finishing:
            self._add(outcome(self._journeys[key], self.plan))
        self._close_idle(t, tracked)
        self._last_wall = wall

    def end_segment(self) -> None:
        """Close every journey as it stands, cut off (the end of a recording, an outage: what follows is a new
        segment with new track ids). The segment's last visit changes need not be fed first."""
        for journey in self._journeys.values():
            if not journey.finished:
                self._add(outcome(journey, self.plan, cut_off=True))
        self._journeys.clear()
        self._of_track.clear()
        self._last_wall = None

    def pop_complete(self, before: datetime | None) -> list[FlowMinute]:
        """The figures of the minutes that ended at or before ``before`` (every minute when None), oldest first,
        forgotten here. Pass ``settled_before(...)`` to hand out only minutes that are final."""
        cutoff = None if before is None else minute_of(before)
        done = sorted(m for m in self._minutes if cutoff is None or m < cutoff)
        return [FlowMinute(m, self._minutes.pop(m)) for m in done]

    def settled_before(self, mark: datetime) -> datetime:
        """``mark``, or earlier: the oldest moment a figure can still be dated at (the start of an open journey,
        or of a visit not yet confirmed)."""
        if self._last_wall is not None:
            mark = min(mark, self._last_wall - timedelta(seconds=self.confirm_s))
        for journey in self._journeys.values():
            if not journey.finished:
                mark = min(mark, journey.start)
        return mark

    @property
    def retained(self) -> dict[str, int]:
        """Sizes of what the counter keeps: journeys (finished ones kept until their person leaves), the track
        ids they are held under, and minutes with figures not yet handed out."""
        return {"journeys": len(self._journeys), "track_ids": len(self._of_track), "open_minutes": len(self._minutes)}

    # -- inside -------------------------------------------------------------------------------------

    def _apply(self, change: VisitChange, at: Callable[[float], datetime], door_staffed: bool) -> None:
        """Put one visit change of a journey zone into its track's journey."""
        key = self._of_track.get(change.track_id)
        if change.kind is VisitChangeKind.CONTINUED:
            previous = None if change.previous_id is None else self._of_track.get(change.previous_id)
            if previous is not None:
                if key is None:
                    old = self._journeys[previous]
                    self._journeys[previous] = replace(old, ids=(*old.ids, change.track_id))
                    self._of_track[change.track_id] = previous
                return
            # a visit the counter did not see begin (it started following mid-visit): as if it began now
        if change.kind is VisitChangeKind.ENDED:
            if key is not None:
                journey = self._journeys[key]
                ended_at = at(change.last_t)
                self._journeys[key] = step_out(
                    journey, self.plan, change.zone_id, change.start_t, change.last_t, ended_at
                )
            return
        if key is None:
            key, self._next = self._next, self._next + 1
            self._journeys[key] = begin(
                self.plan, change.track_id, change.zone_id, change.start_t, at(change.start_t), door_staffed
            )
            self._of_track[change.track_id] = key
        self._journeys[key] = step_in(
            self._journeys[key], self.plan, change.zone_id, change.start_t, at(change.start_t)
        )

    def _close_idle(self, t: float, tracked: Collection[int] | None) -> None:
        """Close the journeys whose person left every journey zone and is gone or timed out."""
        for key, journey in list(self._journeys.items()):
            if journey.open_zones or journey.idle_since_t is None:
                continue
            gone = tracked is not None and not any(i in tracked for i in journey.ids)
            if gone or t - journey.idle_since_t >= self.plan.timeout_s:
                if not journey.finished:
                    self._add(outcome(journey, self.plan))
                del self._journeys[key]
                for track_id in journey.ids:
                    if self._of_track.get(track_id) == key:
                        del self._of_track[track_id]

    def _add(self, dated: list[tuple[datetime, ZoneFigures]]) -> None:
        for ts, figures in dated:
            minute = minute_of(ts)
            self._minutes[minute] = self._minutes.get(minute, ZoneFigures()) + figures


def _verdict_function(roles: Roles) -> RoleOf:
    if roles is None:
        return _everyone_a_customer
    if isinstance(roles, Mapping):
        return roles.get
    return roles


def _everyone_a_customer(track_id: int) -> PersonRole:
    return PersonRole.CUSTOMER
