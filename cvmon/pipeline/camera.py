"""One camera's analysis: privacy masks, detection, tracking, zones, minute aggregation.

``CameraPipeline`` owns the state of one camera and is fed Frames and SourceEvents by a runner;
it produces anonymous minute rows and adds them up for the command line.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import perf_counter

import cv2
import numpy as np
import supervision as sv

from cvmon.alerts.rules import (
    AlertChange,
    RulesState,
    ZoneObservation,
    close_open_alerts,
    evaluate_camera_offline,
    evaluate_zone_rules,
)
from cvmon.config.models import CameraConfig, Config
from cvmon.detectors.base import Detector
from cvmon.metrics.aggregate import MinuteAggregator, ZoneSample
from cvmon.metrics.summary import figures_summary
from cvmon.pipeline.motion import MotionGate
from cvmon.storage.coverage import CameraMinute
from cvmon.tracking import PersonTracker
from cvmon.types import (
    Detections,
    Frame,
    MinuteRow,
    SourceEvent,
    SourceEventKind,
    ZoneEvent,
    ZoneEventKind,
)
from cvmon.zones.geometry import Zone, membership
from cvmon.zones.staffing_ledger import HeldSample, SettledSample, settle, settle_all
from cvmon.zones.state import PersonInZone, ZoneState, close_zones, staffing_of_sample, update_zones

MASK_FILL = (114, 114, 114)
RECENT_ZONE_EVENTS = 1000  # zone events kept in memory for a caller to inspect (bounded)
HELD_TRACK_DUPLICATE_IOU = 0.6  # a held track this close to a detection is that detection, not a hidden person


@dataclass(frozen=True, slots=True)
class FrameResult:
    """What one analysed frame showed: the count per zone (for samples CSV and live views)."""

    frame_index: int
    video_s: float
    ts: datetime
    counts: dict[str, int]
    detections: Detections  # the people counted (at the counting score)
    tracked: Detections
    evidence_boxes: np.ndarray  # everyone to blur: detections down to the evidence score, predicted tracks
    alert_changes: list[AlertChange]
    in_service: bool = True


class CameraPipeline:
    """The analysis state of one camera."""

    def __init__(self, config: Config, camera: CameraConfig, detector: Detector) -> None:
        self.config = config
        self.camera = camera
        self.counting_confidence = config.detector_for(camera).confidence
        self.zone_cfgs = {z.id: z for z in camera.zones}
        self.zone_rules = {z.id: config.rules_for(camera, z) for z in camera.zones}
        self.camera_rules = config.rules_for(camera)
        self.rules_state = RulesState()
        self.alert_changes: list[AlertChange] = []
        self.detector = detector
        self.fps = config.fps_for(camera)
        self.timing = config.timing_for(camera)
        self.zones = [Zone.from_config(z) for z in camera.zones]
        self.tracker = PersonTracker(config.tracker_for(camera), self.fps)
        gate = config.motion_gate_for(camera)
        if not getattr(detector, "reads_pixels", True):  # boxes that do not come from the frame
            gate = gate.model_copy(update={"enabled": False})
        self.motion_gate = MotionGate(gate, self.zones)
        self._last_found: Detections | None = None
        self.frames_detected = 0
        self.aggregator = MinuteAggregator(camera.id, self.zones)
        self.state = ZoneState()
        self.frames_analysed = 0
        self.events: list[SourceEvent] = []
        self.zone_events: deque[ZoneEvent] = deque(maxlen=RECENT_ZONE_EVENTS)
        self.hold_unseen_s = config.tracker_for(camera).hold_unseen_s
        self._born: dict[int, float] = {}  # video time each live track id was first confirmed (memory only)
        self._held_staffing: dict[str, tuple[HeldSample, ...]] = {}
        self._mask_polys: list[np.ndarray] | None = None
        self._mask_size: tuple[int, int] | None = None
        self._last_t: float | None = None
        self._last_wall: datetime | None = None
        self._offline_since: datetime | None = None  # start of the ongoing outage (for camera_offline)
        self._offline_counted: datetime | None = None  # offline seconds are in the minute rows up to here

    # -- frames ---------------------------------------------------------------------------

    def apply_privacy_masks(self, image: np.ndarray) -> np.ndarray:
        """Blank the configured privacy regions in place (before anything looks at the frame)."""
        if not self.camera.privacy_masks:
            return image
        h, w = image.shape[:2]
        if self._mask_size != (w, h):
            scale = np.array([w, h], dtype=np.float64)
            self._mask_polys = [
                np.round(np.asarray(m.points) * scale).astype(np.int32) for m in self.camera.privacy_masks
            ]
            self._mask_size = (w, h)
        cv2.fillPoly(image, self._mask_polys or [], MASK_FILL)
        return image

    def process_frame(self, frame: Frame) -> FrameResult:
        """Analyse one frame and fold it into the zone state and the minute rows."""
        if self._offline_since is not None:
            self._come_back(frame.ts)
            self.tick(frame.ts)
        image = self.apply_privacy_masks(frame.image)
        inference_ms: float | None = None
        if self.motion_gate.needs_detection(image, frame.video_s) or self._last_found is None:
            started = perf_counter()
            found = self.detector.detect(frame if image is frame.image else _with_image(frame, image))
            inference_ms = (perf_counter() - started) * 1000.0
            self._last_found = found
            self.frames_detected += 1
        else:
            found = self._last_found  # nothing moved: the same people in the same places
        detections = found[found.confidence >= self.counting_confidence]
        tracked = self.tracker.update(found, frame.video_s, image)  # the image: each id's look, memory only
        held = self._held_tracks(detections)
        counted = membership(self.zones, detections, frame.width, frame.height)
        held_in = membership(self.zones, held, frame.width, frame.height)
        counts = {zone_id: int(mask.sum()) + int(held_in[zone_id].sum()) for zone_id, mask in counted.items()}
        assert tracked.tracker_id is not None
        matched = frozenset(int(i) for i in tracked.tracker_id if i >= 0)
        self._note_births(matched, frame.video_s)
        people = self._people_in_zones(tracked, frame.width, frame.height)
        self.state, events = update_zones(
            self.state, self.zones, people, counts, frame.video_s, frame.ts, self.timing, matched, 1.0 / self.fps
        )
        dt = self._sample_dt(frame.video_s)
        samples = {z.id: ZoneSample(counts[z.id], False if z.kind.measures_staffing else None) for z in self.zones}
        self.aggregator.add_sample(frame.ts, dt, samples, inference_ms)
        self._settle_staffing(counts, events, frame, dt)
        self._record_zone_events(events)
        observations = self._observations(counts, frame.video_s, frame.ts, events)
        in_service = self.config.in_service_hours(self.camera.unit, frame.ts)
        self.rules_state, changes = evaluate_zone_rules(
            self.rules_state, observations, self.zone_rules, in_service, frame.video_s, frame.ts
        )
        self.alert_changes.extend(changes)
        self.frames_analysed += 1
        self._last_t, self._last_wall = frame.video_s, frame.ts
        evidence_boxes = np.concatenate([found.xyxy, self.tracker.predicted_boxes()]).astype(np.float32)
        return FrameResult(
            frame.index, frame.video_s, frame.ts, counts, detections, tracked, evidence_boxes, changes, in_service
        )

    def _observations(
        self, counts: dict[str, int], t: float, wall: datetime, events: list[ZoneEvent]
    ) -> dict[str, ZoneObservation]:
        """What the rules need of each zone now; a staff zone that was found unstaffed in this sample
        says since when (the moment it emptied, in video time)."""
        emptied = {e.zone_id: t - (wall - e.ts).total_seconds() for e in events if e.kind is ZoneEventKind.UNSTAFFED}
        out = {}
        for zone in self.zones:
            cfg = self.zone_cfgs[zone.id]
            customers = 0
            if cfg.counter is not None:
                customer_zone = self.zone_cfgs[cfg.counter]
                customers = counts.get(cfg.counter, 0)
                if customer_zone.queue is not None:
                    customers += counts.get(customer_zone.queue, 0)
            track = self.state.zones.get(zone.id)
            longest = None
            if zone.kind.measures_wait and track is not None:
                waits = [v.last_in_t - v.first_in_t for v in track.visits.values() if v.confirmed]
                longest = max(waits) if waits else None
            out[zone.id] = ZoneObservation(
                kind=zone.kind,
                count=counts[zone.id],
                capacity=zone.capacity,
                staffed=self.state.staffed(zone.id) if zone.kind.measures_staffing else None,
                customers=customers,
                longest_wait_s=longest,
                unstaffed_since_t=emptied.get(zone.id),
            )
        return out

    def tick(self, now: datetime) -> list[AlertChange]:
        """Wall-clock rules that must fire while no frame arrives (camera_offline)."""
        self.rules_state, changes = evaluate_camera_offline(
            self.rules_state, self._offline_since, now, self.camera_rules
        )
        self.alert_changes.extend(changes)
        return changes

    def pop_alert_changes(self) -> list[AlertChange]:
        changes, self.alert_changes = self.alert_changes, []
        return changes

    def _people_in_zones(self, tracked: Detections, width: int, height: int) -> dict[str, list[PersonInZone]]:
        assert tracked.tracker_id is not None
        confirmed = tracked[tracked.tracker_id >= 0]
        inside = membership(self.zones, confirmed, width, height)
        feet = confirmed.bottom_centres() / np.array([width, height], dtype=np.float32)
        box_w = (confirmed.xyxy[:, 2] - confirmed.xyxy[:, 0]) / width
        assert confirmed.tracker_id is not None
        return {
            zone_id: [
                PersonInZone(
                    int(confirmed.tracker_id[i]),
                    float(feet[i, 0]),
                    float(feet[i, 1]),
                    float(box_w[i]),
                    self._born.get(int(confirmed.tracker_id[i]), -np.inf),
                    self.tracker.look(int(confirmed.tracker_id[i])),
                )
                for i in np.nonzero(mask)[0]
            ]
            for zone_id, mask in inside.items()
        }

    def _held_tracks(self, detections: Detections) -> Detections:
        """Confirmed tracks the detector missed just now (a person hidden for a moment), where the tracker
        expects them, unless a detection stands there already (then it is that person)."""
        if self.hold_unseen_s <= 0:
            return Detections.empty()
        held = self.tracker.held_unseen(self.hold_unseen_s)
        if len(held) == 0 or len(detections) == 0:
            return held
        overlap = sv.box_iou_batch(held.xyxy, detections.xyxy).max(axis=1)
        return held[overlap < HELD_TRACK_DUPLICATE_IOU]

    def _note_births(self, matched: frozenset[int], t: float) -> None:
        """Remember when each track id was first confirmed; forget ids the tracker no longer holds."""
        for tid in matched:
            self._born.setdefault(tid, t)
        if len(self._born) > 4 * max(len(matched), 16):
            live = self.tracker.live_ids()
            self._born = {tid: born for tid, born in self._born.items() if tid in live}

    def _settle_staffing(self, counts: dict[str, int], events: list[ZoneEvent], frame: Frame, dt: float) -> None:
        """Hold a staff zone's undecided samples; fold the decided ones into their own minutes."""
        for zone in self.zones:
            if not zone.kind.measures_staffing:
                continue
            track = self.state.zones[zone.id]
            decision = staffing_of_sample(track, counts[zone.id] > 0, frame.video_s, self.timing)
            zone_events = [e for e in events if e.zone_id == zone.id]
            held, settled = settle(self._held_staffing.get(zone.id, ()), frame.ts, dt, decision, zone_events)
            self._held_staffing[zone.id] = held
            self._fold_staffed(zone.id, settled)

    def _fold_staffed(self, zone_id: str, settled: list[SettledSample]) -> None:
        for sample in settled:
            if sample.staffed:
                self.aggregator.add_staffed(zone_id, sample.ts, sample.dt)

    @property
    def minute_lag_s(self) -> float:
        """How late the outage of a live camera can be noticed: its read timeout, and a margin."""
        return self.config.defaults.rtsp_read_timeout_s + 2.0

    def watermark(self, now: datetime, lag_s: float) -> datetime:
        """The time before which every minute is final: nothing that can still arrive (a visit's exit, a
        staffing decision, offline time noticed ``lag_s`` late) belongs to a minute before it."""
        mark = now - timedelta(seconds=lag_s)
        for held in self._held_staffing.values():
            if held:
                mark = min(mark, held[0].ts)
        if self._last_wall is not None and self._last_t is not None:
            for track in self.state.zones.values():
                for visit in track.visits.values():
                    if visit.confirmed:
                        mark = min(mark, self._last_wall - timedelta(seconds=self._last_t - visit.last_in_t))
        return mark

    def _sample_dt(self, t: float) -> float:
        """Seconds this sample stands for: the gap since the previous one, within reason."""
        interval = 1.0 / self.fps
        if self._last_t is None:
            return interval
        return float(min(max(t - self._last_t, 0.0), 3 * interval))

    def _record_zone_events(self, events: list[ZoneEvent]) -> None:
        for event in events:
            if event.kind is ZoneEventKind.EXITED and event.duration_s is not None:
                self.aggregator.add_visit(event.zone_id, event.ts, event.duration_s)
        self.zone_events.extend(events)

    # -- source events --------------------------------------------------------------------

    def handle_source_event(self, event: SourceEvent) -> None:
        """Record an online/offline transition; offline time becomes a gap in the minute rows."""
        self.events.append(event)
        if event.kind is SourceEventKind.OFFLINE and self._offline_since is None:
            # The camera fell silent right after its last frame (a sample stands for the time before
            # it), not when the read timeout noticed the silence.
            since = event.ts
            if self._last_wall is not None and self._last_t is not None:
                since = min(since, self._last_wall)
            self._end_segment()
            self._offline_since = self._offline_counted = since
        elif event.kind is SourceEventKind.ONLINE and self._offline_since is not None:
            self._come_back(event.ts)
        self.tick(event.ts)

    def _come_back(self, ts: datetime) -> None:
        assert self._offline_since is not None
        self._count_offline(ts)
        self._offline_since = self._offline_counted = None

    def _count_offline(self, until: datetime) -> None:
        """Put the ongoing outage into the minute rows up to ``until``."""
        if self._offline_counted is not None and until > self._offline_counted:
            self.aggregator.add_offline(self._offline_counted, until)
            self._offline_counted = until

    def _end_segment(self) -> None:
        """Close visits and forget tracks: what comes after a gap is a new segment. A staff zone's
        undecided samples are decided as the zone stood: an absence shorter than the grace is staffed."""
        for zone_id, held in self._held_staffing.items():
            self._fold_staffed(zone_id, settle_all(held, self.state.staffed(zone_id)))
        self._held_staffing = {}
        if self._last_t is not None and self._last_wall is not None:
            self.state, events = close_zones(self.state, self._last_t, self._last_wall, 1.0 / self.fps)
            self._record_zone_events(events)
        self.state = ZoneState()
        self._born = {}
        self.tracker.reset()
        self.motion_gate.reset()
        self._last_found = None
        self._last_t = None

    def finish(self, now: datetime | None = None, close_alerts: bool = False) -> None:
        """End of the run: close open visits, and count an ongoing outage up to ``now``. With
        ``close_alerts`` (the end of a recording) every open alert clears at the last analysed frame."""
        if self._offline_since is not None and now is not None:
            self._count_offline(now)
        if close_alerts and self._last_wall is not None:
            self.rules_state, changes = close_open_alerts(self.rules_state, self._last_wall)
            self.alert_changes.extend(changes)
        self._end_segment()

    # -- output ---------------------------------------------------------------------------

    def pop_rows(
        self, now: datetime | None, upto: datetime | None = None
    ) -> tuple[list[MinuteRow], list[CameraMinute]]:
        """Rows of the minutes before ``upto`` (default ``now``; every row when ``now`` is None). An
        ongoing outage is counted into them up to ``now`` first, so a minute is never handed out without
        the offline seconds it holds. Pass ``watermark(now, lag)`` as ``upto`` to hand out only minutes
        that are final."""
        if self._offline_since is not None and now is not None:
            self._count_offline(now)
        return self.aggregator.pop_complete(None if now is None else (upto or now))

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


def _with_image(frame: Frame, image: np.ndarray) -> Frame:
    return Frame(frame.camera_id, frame.ts, frame.index, image, frame.video_s)
