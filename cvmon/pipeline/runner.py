"""Runners: feed a source into a CameraPipeline and write what it produces.

``process_recording`` handles a recorded file (all rows written in one transaction at the end, so
a corrupt file leaves nothing half-written); ``run_live`` handles a camera stream (each minute
written once final, the open minutes flushed on stop).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cvmon.config.models import CameraConfig, Config
from cvmon.detectors.base import Detector, create_detector
from cvmon.detectors.shared import DetectorCache
from cvmon.evidence import EvidenceRecorder
from cvmon.metrics.aggregate import minute_of
from cvmon.pipeline.camera import CameraPipeline
from cvmon.pipeline.evidence_capture import EvidenceCapture, PendingSnapshot
from cvmon.pipeline.roles import StoredStaffModel
from cvmon.pipeline.room import reference_file
from cvmon.pipeline.write_sources import LiveSources, recording_source
from cvmon.sources.base import SourceItem, VideoSource
from cvmon.sources.file import FileSource
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.types import AlertChange, CameraMinute, FrameResult, MinuteRow, SourceEvent, SourceEventKind


class MinuteSink(Protocol):
    """Where minute rows, camera events and alert changes go (the database, or a test's list). Minute rows
    go with the identity of the part they hold (``cvmon.pipeline.write_sources``)."""

    def write_minutes(
        self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = ..., *, source: str
    ) -> None: ...

    def write_events(self, events: Sequence[SourceEvent]) -> object: ...

    def write_alerts(
        self, camera: CameraConfig, changes: Sequence[AlertChange], snapshots: Sequence[PendingSnapshot] = ...
    ) -> object: ...


FrameCallback = Callable[[FrameResult], None]

WORKER_LOST = "analysis interrupted: the camera's worker was lost and has been restarted"
WORKER_STOPPED = "not watched: the camera's worker was stopped"


@dataclass(frozen=True, slots=True)
class RunResult:
    summary: dict[str, object]
    rows: int
    events: int
    alert_changes: int = 0


def build_pipeline(
    config: Config, camera: CameraConfig, model_dir: Path, detectors: DetectorCache | None = None
) -> CameraPipeline:
    """A camera's pipeline; its detector reports down to the evidence score, the pipeline counts from
    the counting score. With ``detectors`` the detector is shared with the process's other cameras."""
    wanted = config.detector_for(camera)
    lowest = min(wanted.confidence, wanted.evidence_confidence)
    settings = wanted.model_copy(update={"confidence": lowest})
    detector: Detector = detectors.get(settings) if detectors is not None else create_detector(settings, model_dir)
    pose = None
    if camera.behaviour is not None and camera.behaviour.enabled:
        from cvmon.detectors.pose_backend import OnnxPoseEstimator

        pose = OnnxPoseEstimator(camera.behaviour.pose, model_dir)
    return CameraPipeline(config, camera, detector, pose)


def build_capture(config: Config, camera: CameraConfig, store: EvidenceStore) -> EvidenceCapture:
    """The evidence settings of a camera, ready to snapshot frames."""
    settings = config.evidence_for(camera)
    recorder = EvidenceRecorder(
        store,
        camera.id,
        zones=camera.zones,
        masks=camera.privacy_masks,
        tz=config.unit_timezone(camera.unit),
        latest_every_s=settings.latest_every_s,
        periodic_every_min=settings.periodic_every_min,
        margin=settings.margin,
    )
    return EvidenceCapture(recorder, settings)


def open_source(
    config: Config, camera: CameraConfig, start: datetime | None = None, decode_threads: int = 0
) -> VideoSource:
    """The source a camera's config names: an RTSP stream or a video file. ``decode_threads`` 0 lets
    FFmpeg choose (fastest for one camera); 1 costs the least CPU per frame when many cameras share
    the cores."""
    fps = config.fps_for(camera)
    if camera.is_live:
        from cvmon.sources.rtsp import RtspSource

        d = config.defaults
        return RtspSource(
            camera.id,
            camera.source,
            fps,
            open_timeout_s=d.rtsp_open_timeout_s,
            read_timeout_s=d.rtsp_read_timeout_s,
            reconnect_max_s=d.reconnect_max_s,
            decode_threads=decode_threads,
        )
    return FileSource(camera.id, camera.source, fps, start=start, decode_threads=decode_threads)


def process_recording(
    pipeline: CameraPipeline,
    source: VideoSource,
    sink: MinuteSink | None,
    on_frame: FrameCallback | None = None,
    capture: EvidenceCapture | None = None,
    *,
    write_source: str | None = None,
) -> RunResult:
    """Analyse a whole recording, then write its rows, events, alerts and snapshots in one go.

    The rows are one part, of ``write_source``: by default the recording's own (``recording_source`` of a
    ``FileSource``'s camera, start and file name), so processing it again replaces them.

    Raises:
        ValueError: ``write_source`` is missing for a source that is not a file (and a sink is given).
    """
    if sink is not None and write_source is None:
        if not isinstance(source, FileSource):
            raise ValueError("name the write source of a recording that is not a FileSource")
        write_source = recording_source(pipeline.camera.id, source.start, source.path)
    snapshots: list[PendingSnapshot] = []
    events: list[SourceEvent] = []  # written with the rows at the end (a recording's are few)
    _find_room_reference(pipeline, capture)
    for item in source:
        if isinstance(item, SourceEvent):
            pipeline.handle_source_event(item)
            events.append(item)
            continue
        result = pipeline.process_frame(item)
        if capture is not None:
            snapshots += capture.on_frame(item.image, result, result.in_service)
            snapshots += pipeline.pop_stage_snapshots()
        if on_frame is not None:
            on_frame(result)
    pipeline.finish(close_alerts=True)  # nothing is known after the recording's last frame
    rows, cams = pipeline.pop_rows(None)
    changes = pipeline.pop_alert_changes()
    if capture is not None:
        snapshots += capture.flush()
    if sink is not None:
        assert write_source is not None
        sink.write_minutes(rows, cams, source=write_source)
        if events:
            sink.write_events(events)
        if changes or snapshots:
            sink.write_alerts(pipeline.camera, changes, snapshots)
    return RunResult(pipeline.summary_dict(), len(rows), len(events), len(changes))


def run_live(
    pipeline: CameraPipeline,
    source: VideoSource,
    sink: MinuteSink,
    stop: threading.Event,
    on_frame: FrameCallback | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    tick_s: float = 1.0,
    capture: EvidenceCapture | None = None,
    resume_gap: datetime | None = None,
    run_id: str | None = None,
) -> RunResult:
    """Analyse a live stream until ``stop`` is set; write each minute once it is complete.

    The source is read in a thread of its own, so that wall-clock rules (camera_offline) are
    evaluated every ``tick_s`` even while the camera sends nothing. ``resume_gap`` is where the data
    of a lost previous worker ends: the time until this one's first frame is recorded as offline.
    A worker that is stopped records the camera as offline (not watched) from then.

    Every batch of minute rows is a part of its own (``live:<camera>:<run_id>:<batch>``, ``run_id`` new
    by default), so a minute written in two parts (a late row, the previous worker's part) adds up.
    """
    sources = LiveSources(pipeline.camera.id, run_id)
    written = 0
    alerts = 0
    if resume_gap is not None:
        lost = SourceEvent(pipeline.camera.id, SourceEventKind.OFFLINE, resume_gap, WORKER_LOST)
        pipeline.handle_source_event(lost)
        sink.write_events([lost])
    current_minute: datetime | None = None
    snapshots: list[PendingSnapshot] = []
    _find_room_reference(pipeline, capture)
    items: queue.Queue[SourceItem | BaseException | None] = queue.Queue(maxsize=8)
    reader = threading.Thread(target=_read_into, args=(source, items, stop), daemon=True, name="source-reader")
    reader.start()
    try:
        while not stop.is_set():
            try:
                item = items.get(timeout=tick_s)
            except queue.Empty:
                snapshots = []
                now = clock()
                pipeline.tick(now)
            else:
                if item is None:  # the source ended
                    break
                if isinstance(item, BaseException):
                    raise item
                snapshots = []
                if isinstance(item, SourceEvent):
                    pipeline.handle_source_event(item)
                    sink.write_events([item])
                else:
                    result = pipeline.process_frame(item)
                    if capture is not None:
                        snapshots = capture.on_frame(item.image, result, result.in_service)
                        snapshots += pipeline.pop_stage_snapshots()
                    if on_frame is not None:
                        on_frame(result)
                now = item.ts
            changes = pipeline.pop_alert_changes()
            if changes or snapshots:
                sink.write_alerts(pipeline.camera, changes, snapshots)
                alerts += len(changes)
            # A minute is handed out once final: every exit, staffing decision and offline second that
            # can still belong to it has arrived (the watermark), so a written minute is never rewritten.
            mark = pipeline.watermark(now, pipeline.minute_lag_s)
            if current_minute is None or minute_of(mark) != current_minute:
                rows, cams = pipeline.pop_rows(now, mark)
                if rows or cams:
                    sink.write_minutes(rows, cams, source=sources.next())
                    written += len(rows)
                current_minute = minute_of(mark)
    finally:
        stop.set()
        source.close()
        pipeline.finish(clock())
        rows, cams = pipeline.pop_rows(None)
        if rows or cams:
            sink.write_minutes(rows, cams, source=sources.next())
            written += len(rows)
        changes = pipeline.pop_alert_changes()
        held = capture.flush() if capture is not None else []
        if changes or held:
            sink.write_alerts(pipeline.camera, changes, held)
            alerts += len(changes)
        last = pipeline.last_source_event
        if last is not None and last.kind is SourceEventKind.ONLINE:
            sink.write_events([SourceEvent(pipeline.camera.id, SourceEventKind.OFFLINE, clock(), WORKER_STOPPED)])
        reader.join(timeout=5)
    return RunResult(pipeline.summary_dict(), written, pipeline.source_events, alerts)


def _find_room_reference(pipeline: CameraPipeline, capture: EvidenceCapture | None) -> None:
    """A camera with a room checks it against the reference kept in its evidence store; a camera that
    recognises its staff resumes from (and keeps) its staff model there."""
    if capture is not None and pipeline.camera.staff is not None and pipeline.camera.staff.enabled:
        pipeline.roles.keep_in(StoredStaffModel(capture.recorder.store, pipeline.camera.id))
    if capture is not None and pipeline.camera.room is not None:
        store, camera_id = capture.recorder.store, pipeline.camera.id
        pipeline.set_room_reference(
            reference_file(store.reference_path(camera_id)), lambda jpeg: store.write_candidate(camera_id, jpeg)
        )


def _read_into(
    source: VideoSource, items: queue.Queue[SourceItem | BaseException | None], stop: threading.Event
) -> None:
    """Iterate the source into the queue; None marks its end, an exception is passed on."""
    try:
        for item in source:
            while not stop.is_set():
                try:
                    items.put(item, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                return
        items.put(None)
    except BaseException as err:
        items.put(err)
