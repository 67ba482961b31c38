"""The greeting stage: for each customer arriving at a staffed counter or at the door while its post is
staffed, did the staff greet them (``cvmon.behaviour``), and did a counter's customer sit down?

Pose runs only where it matters: on the people standing in the staff zone that should greet, at
``idle_hz`` while anyone else is in view (their upright posture before an arrival) and at ``pose_hz``
while a customer stands in the counter or entrance zone or an arrival is being judged; never while the
camera shows only staff, and never outside service hours. Poses live in memory for one window, per
track id; what leaves the stage is counts per staff zone and minute of arrival (and, when asked for, a
snapshot of a missed greeting with everyone pixelated and only the staff skeleton drawn).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np

from cvmon.behaviour.greeting import GreetingDecision, PoseSample, recognise_greeting
from cvmon.config.behaviour import BehaviourConfig
from cvmon.config.models import CameraConfig, ZoneConfig
from cvmon.config.pose import GreetingConfig
from cvmon.pipeline.people import TrackedPeople
from cvmon.types import GreetingOutcome, Image, Keypoints, ZoneKind
from cvmon.zones.geometry import Zone
from cvmon.zones.state import ZoneState
from cvmon.zones.visit_changes import VisitChange, VisitChangeKind

Box = tuple[float, float, float, float]
Recogniser = Callable[[list[PoseSample], float, GreetingConfig, str], GreetingDecision]


class PoseEstimator(Protocol):
    """Keypoints of the person in a box of a BGR image (``cvmon.detectors.pose_backend``)."""

    def estimate(self, image: Image, box: Box) -> Keypoints | None: ...


def rule_recogniser(
    samples: list[PoseSample], arrival_t: float, config: GreetingConfig, zone_id: str
) -> GreetingDecision:
    """The rule-based recogniser for every staff zone (no reference greeting recorded)."""
    return recognise_greeting(samples, arrival_t, config)


@dataclass(frozen=True, slots=True)
class Greeting:
    """How one arrival at a staff zone ended, dated when the customer arrived."""

    zone_id: str
    arrived: datetime
    outcome: GreetingOutcome


@dataclass(frozen=True, slots=True)
class Seated:
    """A counter's customer who sat down in time, dated when they arrived at the counter."""

    zone_id: str
    arrived: datetime


@dataclass(frozen=True, slots=True)
class MissedGreeting:
    """A missed greeting's moment, for a coaching snapshot: the frame's staff skeletons (memory only)."""

    zone_id: str
    ts: datetime
    skeletons: list[Keypoints]


@dataclass(frozen=True, slots=True)
class BehaviourStep:
    """What one sample made known."""

    greetings: list[Greeting] = field(default_factory=list)
    seated: list[Seated] = field(default_factory=list)
    missed: list[MissedGreeting] = field(default_factory=list)


@dataclass(slots=True)
class _Arrival:
    staff_zone: str
    start_t: float
    arrived: datetime
    customer: int
    seat: Zone | None
    judged: bool = False
    seated: bool | None = None  # None: still to be decided (or no seat)
    in_seat_s: float = 0.0
    last_in_seat_t: float | None = None


@dataclass(frozen=True, slots=True)
class _Watch:
    """A staff zone that greets, and the zone whose arrivals it greets."""

    staff_zone: str
    arrival_zone: str
    kind: str  # counter or door


class GreetingStage:
    """A camera's arrivals being judged and the recent poses of its staff (bounded by one window)."""

    def __init__(
        self,
        camera: CameraConfig,
        zones: list[Zone],
        fps: float,
        estimator: PoseEstimator | None,
        recogniser: Recogniser = rule_recogniser,
    ) -> None:
        self.settings = camera.behaviour or BehaviourConfig()
        self.enabled = self.settings.enabled and estimator is not None
        self.estimator = estimator
        self.recogniser = recogniser
        self.fps = fps
        self.zones = {z.id: z for z in zones}
        self.watches = _watches(camera.zones, self.settings) if self.enabled else []
        by_zone = {z.id: z for z in camera.zones}
        self.seats = {
            s.counter: Zone.from_config(
                ZoneConfig(id=f"seat-{s.counter}", kind=ZoneKind.COUNTER_CUSTOMER, points=s.points)
            )
            for s in self.settings.seats
            if s.counter in by_zone
        }
        g = self.settings.greeting
        self.keep_s = g.baseline_s + g.before_s + g.after_s + 1.0
        self.arrivals: list[_Arrival] = []
        self.poses: dict[str, dict[int, deque[PoseSample]]] = {}
        self._last_pose_t: dict[tuple[str, int], float] = {}
        self.estimates = 0  # pose estimates run (for the benchmark)

    # -- per sample ------------------------------------------------------------------------------

    def on_sample(
        self,
        image: Image,
        people: TrackedPeople,
        visits: list[VisitChange],
        zones: ZoneState,
        t: float,
        ts: datetime,
        in_service: bool,
    ) -> BehaviourStep:
        """Fold one analysed sample in: new arrivals, the staff's poses, seats, and the arrivals whose
        window has passed (judged now)."""
        if not self.enabled:
            return BehaviourStep()
        staff_ids = {p.track_id for w in self.watches for p in people.in_zones.get(w.staff_zone, [])}
        self._follow(visits, zones, staff_ids, t, ts, in_service)
        if in_service or self.arrivals:
            self._estimate(image, people, zones, staff_ids, t)
        seated = self._seats(people, t)
        greetings, missed = self._judge(t, ts, final=False)
        self._forget(t)
        return BehaviourStep(greetings, seated, missed)

    def end_segment(self, t: float | None, ts: datetime | None) -> BehaviourStep:
        """Judge what is pending with the poses seen so far (the camera went offline or the recording
        ended); a window cut short is never read as 'not greeted'."""
        if not self.arrivals or t is None or ts is None:
            self.arrivals, self.poses, self._last_pose_t = [], {}, {}
            return BehaviourStep()
        greetings, missed = self._judge(t, ts, final=True)
        self.arrivals, self.poses, self._last_pose_t = [], {}, {}
        return BehaviourStep(greetings, [], missed)

    def settled_before(self, mark: datetime, zones: ZoneState, t: float | None, wall: datetime | None) -> datetime:
        """``mark``, or earlier: the arrival of the oldest arrival still being judged, and of a customer
        standing in an arrival zone whose visit is not yet confirmed (its figures go to that minute)."""
        for arrival in self.arrivals:
            mark = min(mark, arrival.arrived)
        if t is not None and wall is not None:
            for watch in self.watches:
                track = zones.zones.get(watch.arrival_zone)
                for visit in track.visits.values() if track is not None else ():
                    if not visit.confirmed:
                        mark = min(mark, wall - timedelta(seconds=t - visit.first_in_t + 1.0))
        return mark

    @property
    def retained(self) -> dict[str, int]:
        return {
            "greeting_arrivals": len(self.arrivals),
            "greeting_poses": sum(len(d) for by_track in self.poses.values() for d in by_track.values()),
            "greeting_pose_clocks": len(self._last_pose_t),
        }

    # -- the parts ---------------------------------------------------------------------------------

    def _follow(
        self, visits: list[VisitChange], zones: ZoneState, staff_ids: set[int], t: float, ts: datetime, in_service: bool
    ) -> None:
        """New arrivals (a confirmed visit to an arrival zone by someone not in a staff zone, while its staff
        zone is staffed, in service hours), and customers whose track id changed."""
        for change in visits:
            if change.kind is VisitChangeKind.CONTINUED:
                for arrival in self.arrivals:
                    if arrival.customer == change.previous_id:
                        arrival.customer = change.track_id
                continue
            if change.kind is not VisitChangeKind.STARTED or not in_service or change.track_id in staff_ids:
                continue
            for watch in self.watches:
                if watch.arrival_zone == change.zone_id and zones.staffed(watch.staff_zone):
                    arrived = ts - timedelta(seconds=t - change.start_t)
                    seat = self.seats.get(change.zone_id) if watch.kind == "counter" else None
                    self.arrivals.append(_Arrival(watch.staff_zone, change.start_t, arrived, change.track_id, seat))

    def _estimate(self, image: Image, people: TrackedPeople, zones: ZoneState, staff_ids: set[int], t: float) -> None:
        """Pose of each person in a greeting staff zone, at the rate the moment calls for: ``pose_hz`` while
        someone is stepping into its arrival zone (a visit not yet confirmed) or an arrival is being judged,
        ``idle_hz`` while anyone else is in view."""
        assert self.estimator is not None
        tracked = people.tracked
        assert tracked.tracker_id is not None
        ids = [int(i) for i in tracked.tracker_id]
        others = any(i >= 0 and i not in staff_ids for i in ids)
        for watch in self.watches:
            arriving = zones.zones.get(watch.arrival_zone)
            hot = any(not v.confirmed for v in arriving.visits.values()) if arriving is not None else False
            hot = hot or any(a.staff_zone == watch.staff_zone and not a.judged for a in self.arrivals)
            hz = self.settings.pose_hz if hot else self.settings.idle_hz if others else 0.0
            if hz <= 0:
                continue
            for person in people.in_zones.get(watch.staff_zone, []):
                key = (watch.staff_zone, person.track_id)
                last = self._last_pose_t.get(key)
                if last is not None and t - last < 1.0 / hz - 0.25 / self.fps:
                    continue
                box = tuple(float(v) for v in tracked.xyxy[ids.index(person.track_id)])
                keypoints = self.estimator.estimate(image, box)  # type: ignore[arg-type]
                self.estimates += 1
                self._last_pose_t[key] = t
                if keypoints is not None:
                    by_track = self.poses.setdefault(watch.staff_zone, {})
                    by_track.setdefault(person.track_id, deque()).append(PoseSample(t, keypoints))

    def _seats(self, people: TrackedPeople, t: float) -> list[Seated]:
        """Counter customers whose feet stayed in their seat long enough, or whose time to sit ran out."""
        out: list[Seated] = []
        within, needed = self.settings.seated_within_s, self.settings.seated_min_s
        step = 1.5 / self.fps
        for arrival in self.arrivals:
            if arrival.seat is None or arrival.seated is not None:
                continue
            feet = people.feet.get(arrival.customer)
            inside = feet is not None and bool(arrival.seat.contains(np.array([feet], np.float32))[0])
            if inside and t <= arrival.start_t + within + needed:
                last = arrival.last_in_seat_t
                if last is not None and t - last <= step:
                    arrival.in_seat_s += t - last
                arrival.last_in_seat_t = t
                if arrival.in_seat_s >= needed - 1e-6:
                    arrival.seated = True
                    out.append(Seated(arrival.staff_zone, arrival.arrived))
            elif not inside:
                arrival.in_seat_s, arrival.last_in_seat_t = 0.0, None
            if arrival.seated is None and t > arrival.start_t + within + needed:
                arrival.seated = False
        return out

    def _judge(self, t: float, ts: datetime, final: bool) -> tuple[list[Greeting], list[MissedGreeting]]:
        """Judge every arrival whose window has passed (``final``: every arrival still pending)."""
        g = self.settings.greeting
        greetings: list[Greeting] = []
        missed: list[MissedGreeting] = []
        for arrival in self.arrivals:
            if arrival.judged or (not final and t < arrival.start_t + g.after_s):
                continue
            arrival.judged = True
            outcome = self._outcome(arrival, g)
            if final and outcome is GreetingOutcome.NOT_GREETED and t < arrival.start_t + g.after_s:
                outcome = GreetingOutcome.NOT_VISIBLE  # the window was cut short: not seen to the end
            greetings.append(Greeting(arrival.staff_zone, arrival.arrived, outcome))
            if outcome is GreetingOutcome.NOT_GREETED and self.settings.missed_evidence:
                missed.append(MissedGreeting(arrival.staff_zone, ts, self._latest_skeletons(arrival.staff_zone)))
        self.arrivals = [a for a in self.arrivals if not (a.judged and (a.seat is None or a.seated is not None))]
        return greetings, missed

    def _outcome(self, arrival: _Arrival, g: GreetingConfig) -> GreetingOutcome:
        """Greeted if any staff member of the zone greeted; else not visible if any could not be judged
        (or none was seen at all); else not greeted."""
        start = arrival.start_t - g.before_s - g.baseline_s
        decisions = [
            self.recogniser([s for s in samples if s.t >= start], arrival.start_t, g, arrival.staff_zone)
            for samples in self.poses.get(arrival.staff_zone, {}).values()
            if any(start <= s.t <= arrival.start_t + g.after_s for s in samples)
        ]
        outcomes = {d.outcome for d in decisions}
        if GreetingOutcome.GREETED in outcomes:
            return GreetingOutcome.GREETED
        if not outcomes or GreetingOutcome.NOT_VISIBLE in outcomes:
            return GreetingOutcome.NOT_VISIBLE
        return GreetingOutcome.NOT_GREETED

    def _latest_skeletons(self, zone_id: str) -> list[Keypoints]:
        return [samples[-1].keypoints for samples in self.poses.get(zone_id, {}).values() if samples]

    def _forget(self, t: float) -> None:
        """Drop poses older than one window (and tracks left with none)."""
        oldest = t - self.keep_s
        for zone_id, by_track in list(self.poses.items()):
            for tid, samples in list(by_track.items()):
                while samples and samples[0].t < oldest:
                    samples.popleft()
                if not samples:
                    del by_track[tid]
            if not by_track:
                del self.poses[zone_id]
        self._last_pose_t = {k: v for k, v in self._last_pose_t.items() if v >= oldest}


def _watches(zones: list[ZoneConfig], settings: BehaviourConfig) -> list[_Watch]:
    """Each counter's staff side greets its customer side; each configured door's post greets its entrance."""
    counters = [
        _Watch(z.id, z.counter, "counter") for z in zones if z.kind is ZoneKind.COUNTER_STAFF and z.counter is not None
    ]
    doors = [_Watch(d.post, d.entrance, "door") for d in settings.doors]
    return counters + doors
