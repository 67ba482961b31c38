"""Recorded video files read with PyAV: container time mapped to wall time from a start."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import numpy as np

from cvmon.errors import SourceError
from cvmon.sources.base import FrameSampler, SourceInfo, SourceItem
from cvmon.types import Frame


def file_start_time(path: Path) -> datetime:
    """Default wall-clock start of a recording: the file's modification time (UTC)."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


class FileSource:
    """Frames of a video file at the analysis fps.

    Every frame must be decoded (later frames reference earlier ones), but only the sampled ones
    are converted to BGR images, which is most of the per-frame cost that can be saved.
    """

    def __init__(
        self,
        camera_id: str,
        path: str | Path,
        fps: float,
        start: datetime | None = None,
        decode_threads: int = 0,
    ) -> None:
        self.camera_id = camera_id
        self.path = Path(path)
        self.fps = fps
        if not self.path.is_file():
            raise SourceError(f"{self.path}: video file not found")
        if start is not None and start.tzinfo is None:
            raise SourceError("the start time needs a time zone, e.g. 2026-11-23T08:00:00+08:00")
        self.start = start or file_start_time(self.path)
        self._closed = threading.Event()
        self._decode_threads = decode_threads
        self.info = self._probe()

    def _open(self) -> av.container.InputContainer:
        try:
            container = av.open(str(self.path), mode="r")
        except (av.FFmpegError, OSError, UnicodeDecodeError) as err:
            raise SourceError(f"{self.path}: not a readable video ({_short(err)})") from None
        if not container.streams.video:
            container.close()
            raise SourceError(f"{self.path}: not a readable video (the file holds no video stream)")
        return container

    def _probe(self) -> SourceInfo:
        container = self._open()
        try:
            stream = container.streams.video[0]
            ctx = stream.codec_context
            if not ctx.width or not ctx.height:
                raise SourceError(f"{self.path}: the video stream has no frame size (corrupt file?)")
            duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
            if duration is None and container.duration:
                duration = container.duration / 1e6
            return SourceInfo(
                width=ctx.width,
                height=ctx.height,
                fps=float(stream.average_rate) if stream.average_rate else None,
                codec=ctx.name,
                frame_count=stream.frames or None,
                duration_s=duration,
            )
        finally:
            container.close()

    def __iter__(self) -> Iterator[SourceItem]:
        container = self._open()
        sampler = FrameSampler(self.fps)
        decoded = 0
        last_t = 0.0
        try:
            stream = container.streams.video[0]
            if self._decode_threads == 1:
                stream.codec_context.thread_count = 1  # no frame threads: least CPU per frame
            else:
                stream.thread_type = "AUTO"
                stream.codec_context.thread_count = self._decode_threads
            t0: float | None = None
            for frame in container.decode(stream):
                if self._closed.is_set():
                    break
                # Without timestamps, fall back on the nominal rate.
                t = float(frame.time) if frame.time is not None else decoded / (self.info.fps or self.fps)
                if t0 is None:
                    t0 = t
                video_s = t - t0
                last_t = t
                index = decoded
                decoded += 1
                if not sampler.take(video_s):
                    continue
                # one swscale thread: PyAV's default starts several per frame, costing more CPU than it saves
                image = np.ascontiguousarray(frame.to_ndarray(format="bgr24", threads=1), dtype=np.uint8)
                yield Frame(
                    camera_id=self.camera_id,
                    ts=self.start + timedelta(seconds=video_s),
                    index=index,
                    image=image,
                    video_s=video_s,
                )
        except av.FFmpegError as err:
            if decoded == 0:
                raise SourceError(f"{self.path}: cannot decode video ({_short(err)})") from None
            raise SourceError(f"{self.path}: video is corrupt after frame {decoded} ({_short(err)})") from None
        finally:
            container.close()
        if decoded == 0:
            raise SourceError(f"{self.path}: the video holds no decodable frame")
        if not self._closed.is_set():
            self._check_complete(decoded, last_t)

    def _check_complete(self, decoded: int, last_t: float) -> None:
        """A file whose frames stop well before its declared length was cut off: refuse it."""
        info = self.info
        frame_s = 1.0 / (info.fps or self.fps)
        if info.frame_count and decoded < info.frame_count - 2:
            raise SourceError(f"{self.path}: video is truncated: {decoded} of {info.frame_count} frames decodable")
        if info.duration_s and last_t + frame_s < info.duration_s - max(2 * frame_s, 0.05 * info.duration_s):
            raise SourceError(
                f"{self.path}: video is truncated: frames end at {last_t:.1f} s of {info.duration_s:.1f} s"
            )

    def close(self) -> None:
        self._closed.set()


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
