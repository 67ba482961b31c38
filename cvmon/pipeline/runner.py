"""Runners: feed a source into a CameraPipeline and write what it produces.

``process_recording`` handles a recorded file (all rows written in one transaction at the end, so
a corrupt file leaves nothing half-written); ``run_live`` handles a camera stream (each minute
written once complete, the open minute flushed on stop).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cvmon.config.models import CameraConfig, Config
from cvmon.detectors.base import Detector, create_detector
from cvmon.metrics.aggregate import minute_of
from cvmon.pipeline.camera import CameraPipeline, FrameResult
from cvmon.sources.base import VideoSource
from cvmon.sources.file import FileSource
from cvmon.storage.coverage import CameraMinute
from cvmon.types import MinuteRow, SourceEvent


class MinuteSink(Protocol):
    """Where minute rows and camera events go (the database, or a test's list)."""

    def write_minutes(self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = ...) -> None: ...

    def write_events(self, events: Sequence[SourceEvent]) -> object: ...


FrameCallback = Callable[[FrameResult], None]


@dataclass(frozen=True, slots=True)
class RunResult:
    summary: dict[str, object]
    rows: int
    events: int


def build_pipeline(config: Config, camera: CameraConfig, model_dir: Path) -> CameraPipeline:
    detector: Detector = create_detector(config.detector_for(camera), model_dir)
    return CameraPipeline(config, camera, detector)


def open_source(config: Config, camera: CameraConfig, start: datetime | None = None) -> VideoSource:
    """The source a camera's config names: an RTSP stream or a video file."""
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
        )
    return FileSource(camera.id, camera.source, fps, start=start)


def process_recording(
    pipeline: CameraPipeline,
    source: VideoSource,
    sink: MinuteSink | None,
    on_frame: FrameCallback | None = None,
) -> RunResult:
    """Analyse a whole recording, then write its rows and events in one go."""
    for item in source:
        if isinstance(item, SourceEvent):
            pipeline.handle_source_event(item)
            continue
        result = pipeline.process_frame(item)
        if on_frame is not None:
            on_frame(result)
    pipeline.finish()
    rows, cams = pipeline.pop_rows(None)
    if sink is not None:
        sink.write_minutes(rows, cams)
        if pipeline.events:
            sink.write_events(pipeline.events)
    return RunResult(pipeline.summary_dict(), len(rows), len(pipeline.events))


def run_live(
    pipeline: CameraPipeline,
    source: VideoSource,
    sink: MinuteSink,
    stop: threading.Event,
    on_frame: FrameCallback | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RunResult:
    """Analyse a live stream until ``stop`` is set; write each minute once it is complete."""
    written = 0
    current_minute: datetime | None = None
    closer = threading.Thread(target=_close_on_stop, args=(source, stop), daemon=True)
    closer.start()
    try:
        for item in source:
            if isinstance(item, SourceEvent):
                pipeline.handle_source_event(item)
                sink.write_events([item])
                now = item.ts
            else:
                result = pipeline.process_frame(item)
                if on_frame is not None:
                    on_frame(result)
                now = item.ts
            if current_minute is None or minute_of(now) != current_minute:
                rows, cams = pipeline.pop_rows(now)
                if rows or cams:
                    sink.write_minutes(rows, cams)
                    written += len(rows)
                current_minute = minute_of(now)
            if stop.is_set():
                break
    finally:
        stop.set()
        source.close()
        pipeline.finish(clock())
        rows, cams = pipeline.pop_rows(None)
        if rows or cams:
            sink.write_minutes(rows, cams)
            written += len(rows)
    return RunResult(pipeline.summary_dict(), written, len(pipeline.events))


def _close_on_stop(source: VideoSource, stop: threading.Event) -> None:
    stop.wait()
    source.close()
