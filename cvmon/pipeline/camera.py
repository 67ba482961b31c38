"""One camera's analysis, as a thin coordinator of small stages.

``CameraPipeline`` is fed Frames and SourceEvents by a runner and wires the stages, each owning one
part of the camera's state: privacy masks (``privacy``), detection behind the motion gate
(``detection``), tracking (``people``), zone state and staffing (``occupancy``), rules
(``alerting``), offline bookkeeping (``outage``) and the minute aggregator (``cvmon.metrics``). The
evidence a frame gives (its counts and the boxes to blur) leaves in its ``FrameResult``, for
``cvmon.pipeline.evidence_capture``. Nothing grows with the length of a live run: minutes and alert
changes are handed out as the runner takes them, and everything else is bounded by the people in view
(``retained`` gives the sizes).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

import numpy as np

from cvmon.alerts.flow_rules import FlowWatch
from cvmon.alerts.greeting_rules import GreetingRateWatch
from cvmon.alerts.rules import RulesState
from cvmon.config.models import CameraConfig, Config
from cvmon.detectors.base import Detector
from cvmon.evidence.greeting_picture import greeting_picture
from cvmon.flow.counter import JourneyCounter, confirm_delay_s
from cvmon.metrics.aggregate import MinuteAggregator, ZoneSample
from cvmon.metrics.summary import figures_summary
from cvmon.pipeline.alerting import AlertStage
from cvmon.pipeline.detection import DetectionStage
from cvmon.pipeline.evidence_capture import PendingSnapshot
from cvmon.pipeline.greeting import BehaviourStep, GreetingStage, PoseEstimator
from cvmon.pipeline.motion import MotionGate
from cvmon.pipeline.occupancy import ZoneStage, ZoneStep
from cvmon.pipeline.outage import Outage
from cvmon.pipeline.people import TrackingStage
from cvmon.pipeline.privacy import MASK_FILL as MASK_FILL
from cvmon.pipeline.privacy import PrivacyMasks
from cvmon.pipeline.roles import RoleStage, customers_only
from cvmon.pipeline.room import CandidateWriter, ReferenceLoader, RoomStage
from cvmon.tracking import PersonTracker
from cvmon.types import (
    AlertChange,
    CameraMinute,
    Frame,
    FrameResult,
    MinuteRow,
    SourceEvent,
    SourceEventKind,
    ZoneEvent,
    ZoneEventKind,
)
from cvmon.zones.geometry import Zone, membership
from cvmon.zones.state import ZoneState

RECENT_ZONE_EVENTS = 1000  # zone events kept in memory for a caller to inspect (bounded)


class CameraPipeline:
    """The analysis of one camera: its stages, and the time of its last frame."""

    def __init__(
        self, config: Config, camera: CameraConfig, detector: Detector, pose: PoseEstimator | None = None
    ) -> None:
        self.config = config
        self.camera = camera
        self.fps = config.fps_for(camera)
        self.zones = [Zone.from_config(z) for z in camera.zones]
        by_id = {z.id: z for z in camera.zones}
        gate = config.motion_gate_for(camera)
        if not getattr(detector, "reads_pixels", True):  # boxes that do not come from the frame
            gate = gate.model_copy(update={"enabled": False})
        tracking = config.tracker_for(camera)
        self.masks = PrivacyMasks(camera.privacy_masks)
        self.detection = DetectionStage(detector, MotionGate(gate, self.zones), config.detector_for(camera).confidence)
        self.tracking = TrackingStage(PersonTracker(tracking, self.fps), self.zones, tracking.hold_unseen_s)
        self.occupancy = ZoneStage(self.zones, config.timing_for(camera), 1.0 / self.fps)
        self.alerts = AlertStage(config, camera, self.zones)
        self.room = RoomStage(config, camera)
        self.greeting = GreetingStage(camera, self.zones, self.fps, pose)
        self.roles = RoleStage(camera.staff, self.zones)
        self.flow: JourneyCounter | None = None
        if camera.journey is not None:
            timing = config.timing_for(camera)
            kinds = {z.id: z.kind for z in camera.zones}
            self.flow = JourneyCounter(camera.journey, kinds, confirm_delay_s(timing, 1.0 / self.fps))
            self.flow_zone = camera.journey.steps[0].zones[0]  # the journey's counts go on its first zone's rows
            rules = config.rules_for(camera, by_id[self.flow_zone])
            self.flow_rules = FlowWatch(
                self.flow_zone, rules.abandonment_high, rules.door_unmet, camera.journey.door_post is not None
            )
        self.greeting_rule = GreetingRateWatch(
            {
                w.staff_zone: config.rules_for(camera, by_id[w.staff_zone]).greeting_rate_low
                for w in self.greeting.watches
            }
        )
        self.aggregator = MinuteAggregator(camera.id, self.zones)
        self.frames_analysed = 0
        self.source_events = 0  # source events handled (each is written by the runner)
        self.last_source_event: SourceEvent | None = None
        self.zone_events: deque[ZoneEvent] = deque(maxlen=RECENT_ZONE_EVENTS)
        self._snapshots: list[PendingSnapshot] = []
        self._outage: Outage | None = None
        self._last_t: float | None = None  # video time of the last frame of the current segment
        self._last_wall: datetime | None = None  # wall time of the last analysed frame

    # -- the stages' parts a caller may read or replace (benchmarks wrap the detector and tracker) -------

    @property
    def detector(self) -> Detector:
        return self.detection.detector

    @detector.setter
    def detector(self, detector: Detector) -> None:
        self.detection.detector = detector

    @property
    def tracker(self) -> PersonTracker:
        return self.tracking.tracker

    @tracker.setter
    def tracker(self, tracker: PersonTracker) -> None:
        self.tracking.tracker = tracker

    @property
    def motion_gate(self) -> MotionGate:
        return self.detection.gate

    @property
    def frames_detected(self) -> int:
        return self.detection.frames_detected

    @property
    def state(self) -> ZoneState:
        return self.occupancy.state

    @property
    def rules_state(self) -> RulesState:
        return self.alerts.state

    # -- frames ---------------------------------------------------------------------------

    def apply_privacy_masks(self, image: np.ndarray) -> np.ndarray:
        """Blank the configured privacy regions in place (before anything looks at the frame)."""
        return self.masks.apply(image)

    def process_frame(self, frame: Frame) -> FrameResult:
        """Analyse one frame and fold it into the zone state and the minute rows."""
        if self._outage is not None:
            self._come_back(frame.ts)
            self.tick(frame.ts)
        image = self.masks.apply(frame.image)
        sighting = self.detection.detect(frame, image)
        people = self.tracking.update(sighting.found, sighting.counted, frame.video_s, frame.width, frame.height, image)
        counted = membership(self.zones, sighting.counted, frame.width, frame.height)
        held_in = membership(self.zones, people.held, frame.width, frame.height)
        in_service = self.config.in_service_hours(self.camera.unit, frame.ts)
        split = self.roles.split(image, people, frame.ts.timestamp(), in_service, self.tracker.live_ids)
        counts = {zone_id: int(mask.sum()) + int(held_in[zone_id].sum()) for zone_id, mask in counted.items()}
        counts = customers_only(counts, split)
        dt = self._sample_dt(frame.video_s)
        step = self.occupancy.update(split.in_zones, counts, people.matched, frame.video_s, frame.ts, dt, people.feet)
        samples = {
            z.id: ZoneSample(
                counts[z.id],
                False if z.kind.measures_staffing else None,
                split.staff.get(z.id, 0),
                split.unsure.get(z.id, 0),
            )
            for z in self.zones
        }
        self.aggregator.add_sample(frame.ts, dt, samples, sighting.inference_ms)
        self._fold(step)
        if self.flow is not None:
            door = self.flow.plan.door_post
            self.flow.update(
                step.visits,
                frame.video_s,
                frame.ts,
                door_staffed=door is not None and self.occupancy.state.staffed(door),
                roles=split.roles if self.roles.enabled else None,
                tracked=people.matched | frozenset(split.roles),
            )
            changes_from_flow = self._take_flow(self.flow.settled_before(frame.ts))
        else:
            changes_from_flow = []
        changes = self.alerts.on_sample(counts, self.occupancy, step.events, in_service, frame.video_s, frame.ts)
        self.frames_analysed += 1
        self._last_t, self._last_wall = frame.video_s, frame.ts
        evidence_boxes = np.concatenate([sighting.found.xyxy, self.tracking.predicted_boxes()]).astype(np.float32)
        behaviour = self.greeting.on_sample(
            image, people, step.visits, self.occupancy.state, frame.video_s, frame.ts, in_service
        )
        stage_changes = changes_from_flow + self._fold_behaviour(
            behaviour, frame.video_s, frame.ts, image, evidence_boxes
        )
        if stage_changes:  # the journey's and the greeting's rules
            self.alerts.add_changes(stage_changes)
            changes = changes + stage_changes
        room_changes = self.room.on_frame(image, evidence_boxes, frame.video_s, frame.ts)
        if room_changes:
            self.alerts.add_changes(room_changes)
            changes = changes + room_changes
        return FrameResult(
            frame.index,
            frame.video_s,
            frame.ts,
            counts,
            sighting.counted,
            people.tracked,
            evidence_boxes,
            changes,
            in_service,
        )

    def tick(self, now: datetime) -> list[AlertChange]:
        """Wall-clock rules that must fire while no frame arrives (camera_offline)."""
        return self.alerts.tick(None if self._outage is None else self._outage.since, now)

    def pop_alert_changes(self) -> list[AlertChange]:
        return self.alerts.pop_changes()

    def set_room_reference(self, reference: ReferenceLoader | None, candidate: CandidateWriter | None = None) -> None:
        """Where the room stage finds the camera's reference picture (none: no room checks), and where it
        puts its pictures of the room with nobody in view (for an admin to mark as the reference)."""
        self.room.reference = reference
        self.room.candidate = candidate

    def pop_stage_snapshots(self) -> list[PendingSnapshot]:
        """The pictures the stages took since the last call (room checks, missed greetings), for the runner
        to store."""
        out, self._snapshots = self.room.pop_snapshots() + self._snapshots, []
        return out

    def _fold_behaviour(
        self, step: BehaviourStep, t: float, ts: datetime, image: np.ndarray | None, boxes: np.ndarray
    ) -> list[AlertChange]:
        """Put the greetings and seats into the minutes of their arrival, advance greeting_rate_low, and
        picture missed greetings (``image``: the frame they were judged on; None: no picture)."""
        changes: list[AlertChange] = []
        for greeting in step.greetings:
            self.aggregator.add_greeting(greeting.zone_id, greeting.arrived, greeting.outcome)
            changes += self.greeting_rule.on_outcome(greeting.zone_id, greeting.outcome, t, ts)
        for seated in step.seated:
            self.aggregator.add_seated(seated.zone_id, seated.arrived)
        if image is None:
            return changes
        for missed in step.missed:
            jpeg = greeting_picture(
                image,
                boxes,
                self.camera.privacy_masks,
                missed.skeletons,
                ts=missed.ts,
                tz=self.config.unit_timezone(self.camera.unit),
                camera_id=self.camera.id,
                margin=self.config.evidence_for(self.camera).margin,
            )
            self._snapshots.append(PendingSnapshot("greeting_missed", missed.ts, jpeg, {missed.zone_id: 1}))
        return changes

    def _fold(self, step: ZoneStep) -> None:
        """Put what the zones made known into the minutes: staffed seconds, ended visits."""
        for staffed in step.staffed:
            self.aggregator.add_staffed(staffed.zone_id, staffed.ts, staffed.seconds)
        for event in step.events:
            if event.kind is ZoneEventKind.EXITED and event.duration_s is not None:
                self.aggregator.add_visit(event.zone_id, event.ts, event.duration_s)
        self.zone_events.extend(step.events)

    @property
    def minute_lag_s(self) -> float:
        """How late the outage of a live camera can be noticed: its read timeout, and a margin."""
        return self.config.defaults.rtsp_read_timeout_s + 2.0

    def watermark(self, now: datetime, lag_s: float) -> datetime:
        """The time before which every minute is final: nothing that can still arrive (a visit's exit, a
        staffing decision, offline time noticed ``lag_s`` late) belongs to a minute before it."""
        last_wall = self._last_wall if self._last_t is not None else None
        mark = self.occupancy.settled_before(now - timedelta(seconds=lag_s), self._last_t, last_wall)
        if self.flow is not None:
            mark = self.flow.settled_before(mark)
        return self.greeting.settled_before(mark, self.occupancy.state, self._last_t, last_wall)

    def _sample_dt(self, t: float) -> float:
        """Seconds this sample stands for: the gap since the previous one, within reason."""
        interval = 1.0 / self.fps
        if self._last_t is None:
            return interval
        return float(min(max(t - self._last_t, 0.0), 3 * interval))

    # -- source events --------------------------------------------------------------------

    def handle_source_event(self, event: SourceEvent) -> None:
        """Record an online/offline transition; offline time becomes a gap in the minute rows."""
        self.source_events += 1
        self.last_source_event = event
        if event.kind is SourceEventKind.OFFLINE and self._outage is None:
            # The camera fell silent right after its last frame (a sample stands for the time before
            # it), not when the read timeout noticed the silence.
            since = event.ts
            if self._last_wall is not None and self._last_t is not None:
                since = min(since, self._last_wall)
            self._end_segment()
            self._outage = Outage.starting(since)
        elif event.kind is SourceEventKind.ONLINE and self._outage is not None:
            self._come_back(event.ts)
        self.tick(event.ts)

    def _come_back(self, ts: datetime) -> None:
        self._count_offline(ts)
        self._outage = None

    def _count_offline(self, until: datetime) -> None:
        """Put the ongoing outage into the minute rows up to ``until``."""
        if self._outage is None:
            return
        self._outage, stretch = self._outage.count_until(until)
        if stretch is not None:
            self.aggregator.add_offline(*stretch)

    def _end_segment(self) -> None:
        """Close visits and forget tracks: what comes after a gap is a new segment."""
        last_wall = self._last_wall if self._last_t is not None else None
        self._end_greetings()
        self._fold(self.occupancy.end_segment(self._last_t, last_wall))
        if self.flow is not None:
            self.flow.end_segment()
        self.tracking.reset()
        self.detection.reset()
        self._last_t = None

    def _end_greetings(self) -> None:
        """Judge the arrivals still pending with the poses seen so far (the segment ends)."""
        if self._last_t is None or self._last_wall is None:
            self.greeting.end_segment(None, None)
            return
        ended = self.greeting.end_segment(self._last_t, self._last_wall)
        self.alerts.add_changes(self._fold_behaviour(ended, self._last_t, self._last_wall, None, np.zeros((0, 4))))

    def finish(self, now: datetime | None = None, close_alerts: bool = False) -> None:
        """End of the run: close open visits, and count an ongoing outage up to ``now``. With
        ``close_alerts`` (the end of a recording) every open alert clears at the last analysed frame."""
        if now is not None:
            self._count_offline(now)
        self._end_greetings()
        self.roles.save()
        if self.flow is not None:
            self.flow.end_segment()
            self.alerts.add_changes(self._take_flow(None))
        if close_alerts and self._last_wall is not None:
            self.alerts.close_all(self._last_wall)
            self.alerts.add_changes(self.room.close_all(self._last_wall))
            self.alerts.add_changes(self.greeting_rule.close_all(self._last_wall))
            if self.flow is not None:
                self.alerts.add_changes(self.flow_rules.close_all(self._last_wall))
        self._end_segment()

    # -- output ---------------------------------------------------------------------------

    def pop_rows(
        self, now: datetime | None, upto: datetime | None = None
    ) -> tuple[list[MinuteRow], list[CameraMinute]]:
        """Rows of the minutes before ``upto`` (default ``now``; every row when ``now`` is None). An
        ongoing outage is counted into them up to ``now`` first, so a minute is never handed out without
        the offline seconds it holds. Pass ``watermark(now, lag)`` as ``upto`` to hand out only minutes
        that are final."""
        if now is not None:
            self._count_offline(now)
        before = None if now is None else (upto or now)
        self.alerts.add_changes(self._take_flow(before))
        return self.aggregator.pop_complete(before)

    def _take_flow(self, before: datetime | None) -> list[AlertChange]:
        """Put the journey's final minutes (before ``before``; None: all) into its first zone's rows and judge
        the journey's rules on them."""
        changes: list[AlertChange] = []
        if self.flow is None:
            return changes
        for flow in self.flow.pop_complete(before):
            self.aggregator.add_figures(self.flow_zone, flow.minute, flow.figures)
            changes += self.flow_rules.on_minute(flow.minute, flow.figures)
        return changes

    def summary_dict(self) -> dict[str, object]:
        """The run's figures for the command line: every zone's minute figures added up, so they are
        exactly what the stored rows of the run show (percentiles from the same histograms)."""
        totals = self.aggregator.run_totals()
        return {
            "camera": self.camera.id,
            "frames_analysed": self.frames_analysed,
            "frames_detected": self.frames_detected,
            "zones": {z.id: figures_summary(z.kind, totals[z.id]) for z in self.zones},
        }

    def retained(self) -> dict[str, int]:
        """Sizes of what the pipeline keeps between frames (each bounded in a live run whose minutes and
        alert changes are taken as they come; see tests/pipeline/test_bounded_state.py)."""
        return {
            **self.occupancy.retained,
            **self.alerts.retained,
            **self.tracking.retained,
            **self.greeting.retained,
            **self.greeting_rule.retained,
            **self.roles.retained,
            **(self.flow.retained if self.flow is not None else {}),
            **(self.flow_rules.retained if self.flow is not None else {}),
            "open_minutes": self.aggregator.open_minutes,
            "zone_events": len(self.zone_events),
            "room_snapshots_pending": len(self.room.pending),
            "stage_snapshots_pending": len(self._snapshots),
        }
