"""Live RTSP cameras read with PyAV: bounded timeouts, a stale-stream watchdog and reconnection.

Each connection attempt decodes in its own daemon thread and hands the sampled frames to the
consumer through a queue of ``QUEUE_FRAMES`` that drops the oldest, so a slow detector stays within
a frame or two of live. The consumer side (the iterator) owns the online/offline state, the
watchdog and the reconnection backoff, and wakes at once when ``close()`` is called.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Generator, Iterator
from datetime import UTC, datetime

import av
import numpy as np

from cvmon.errors import SourceError
from cvmon.sources.base import FrameSampler, SourceInfo, SourceItem
from cvmon.types import Frame, SourceEvent, SourceEventKind

log = logging.getLogger(__name__)

QUEUE_FRAMES = 2
"""Sampled frames held for the consumer; older ones are dropped."""

_POLL_S = 0.2
_SCHEMES = ("rtsp://", "rtsps://")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)\S*@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:user|username|login|pass|password|passwd|pwd|token|auth|key|secret)=)[^&;#\s]*"
)


def redact_url(url: str) -> str:
    """``url`` (or any text holding URLs) with user names, passwords and secret query values masked.

    ``rtsp://admin:secret@10.0.0.5:554/stream1`` becomes ``rtsp://***@10.0.0.5:554/stream1``;
    ``?user=admin&password=secret`` becomes ``?user=***&password=***``.
    """
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub(r"\1***@", url))


class _Connection:
    """One attempt to read the stream; its decoding thread fills ``frames`` until it ends or is stopped."""

    def __init__(self) -> None:
        self.frames: deque[Frame] = deque(maxlen=QUEUE_FRAMES)
        self.stopped = threading.Event()
        self.started = time.monotonic()
        self.last_progress: float | None = None  # set when open; then at each frame with a new timestamp
        self.ended = False
        self.reason = ""
        self.had_frame = False


class RtspSource:
    """Frames of a live RTSP camera at the analysis fps, and its online/offline transitions.

    Iterating yields a ``SourceEvent`` ONLINE before the first frame of every connection and
    OFFLINE (with a reason, never with credentials) when a connection fails, ends or goes stale,
    never two of a kind in a row. It reconnects forever, backing off exponentially from
    ``reconnect_initial_s`` to ``reconnect_max_s``, until ``close()`` is called.

    Frame ``ts`` is the UTC wall-clock time the frame was received, ``index`` counts the frames
    decoded since the source was created, and ``video_s`` is monotonic seconds since then.

    Args:
        camera_id: camera the frames belong to.
        url: ``rtsp://`` or ``rtsps://`` URL, credentials included if the camera needs them.
        fps: analysis frame rate.
        open_timeout_s: longest wait for the camera to answer when connecting.
        read_timeout_s: longest wait for a frame with a new timestamp before the stream counts as stale.
        reconnect_max_s: longest wait between connection attempts.
        reconnect_initial_s: first wait after a failure; doubles on each further failure.
        decode_threads: FFmpeg decoding threads; 0 lets FFmpeg choose.
    """

    def __init__(
        self,
        camera_id: str,
        url: str,
        fps: float,
        open_timeout_s: float = 10.0,
        read_timeout_s: float = 5.0,
        reconnect_max_s: float = 60.0,
        reconnect_initial_s: float = 0.5,
        decode_threads: int = 0,
    ) -> None:
        if not url.lower().startswith(_SCHEMES):
            raise SourceError(f"{camera_id}: not an RTSP URL: {redact_url(url)}")
        for name, value in (
            ("fps", fps),
            ("open_timeout_s", open_timeout_s),
            ("read_timeout_s", read_timeout_s),
            ("reconnect_max_s", reconnect_max_s),
            ("reconnect_initial_s", reconnect_initial_s),
        ):
            if not value > 0:
                raise SourceError(f"{camera_id}: {name} must be positive, got {value}")
        self.camera_id = camera_id
        self.url = url
        self.fps = fps
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.reconnect_max_s = reconnect_max_s
        self.reconnect_initial_s = min(reconnect_initial_s, reconnect_max_s)
        self.decode_threads = decode_threads
        self.info: SourceInfo | None = None
        self._t0 = time.monotonic()
        self._decoded = 0
        self._closed = threading.Event()
        self._cond = threading.Condition()
        self._conn: _Connection | None = None

    def __repr__(self) -> str:
        return f"RtspSource({self.camera_id!r}, {redact_url(self.url)!r}, fps={self.fps})"

    def close(self) -> None:
        """End the iteration (from any thread) within a poll interval; decoding threads stop on their own."""
        with self._cond:
            self._closed.set()
            if self._conn is not None:
                self._conn.stopped.set()
            self._cond.notify_all()

    def __iter__(self) -> Iterator[SourceItem]:
        online: bool | None = None
        delay = self.reconnect_initial_s
        conn: _Connection | None = None
        try:
            while not self._closed.is_set():
                conn = self._connect()
                reason = None
                for item in self._follow(conn):
                    if isinstance(item, str):
                        reason = item
                        break
                    if not conn.had_frame:
                        conn.had_frame = True
                        delay = self.reconnect_initial_s
                        if online is not True:
                            online = True
                            log.info("%s: online (%s)", self.camera_id, redact_url(self.url))
                            yield SourceEvent(self.camera_id, SourceEventKind.ONLINE, _now())
                    yield item
                conn.stopped.set()
                if reason is None:  # closed
                    break
                if online is not False:
                    online = False
                    log.warning("%s: offline: %s", self.camera_id, reason)
                    yield SourceEvent(self.camera_id, SourceEventKind.OFFLINE, _now(), reason)
                else:
                    log.debug("%s: still offline: %s; retrying in %.1f s", self.camera_id, reason, delay)
                if self._closed.wait(delay):
                    break
                delay = min(delay * 2, self.reconnect_max_s)
        finally:
            if conn is not None:
                conn.stopped.set()

    def _connect(self) -> _Connection:
        conn = _Connection()
        with self._cond:
            self._conn = conn
        thread = threading.Thread(target=self._read, args=(conn,), name=f"rtsp-{self.camera_id}", daemon=True)
        thread.start()
        return conn

    def _follow(self, conn: _Connection) -> Generator[Frame | str, None, None]:
        """Frames of one connection, then the reason it ended; nothing more once closed."""
        # Opening takes two timed steps in PyAV (open, then stream probing); allow both and a little.
        open_limit_s = 2 * self.open_timeout_s + 1.0
        while True:
            with self._cond:
                self._cond.wait_for(lambda: conn.frames or conn.ended or self._closed.is_set(), timeout=_POLL_S)
                if self._closed.is_set():
                    return
                frame = conn.frames.popleft() if conn.frames else None
                ended, reason, last = conn.ended, conn.reason, conn.last_progress
            if frame is not None:
                yield frame
                continue
            if ended:
                yield reason
                return
            now = time.monotonic()
            if last is None and now - conn.started > open_limit_s:
                yield f"open failed: no answer within {self.open_timeout_s:.1f} s"
                return
            if last is not None and now - last > self.read_timeout_s:
                yield f"no new frame for {self.read_timeout_s:.1f} s"
                return

    def _end(self, conn: _Connection, reason: str) -> None:
        with self._cond:
            if not conn.ended:
                conn.ended = True
                conn.reason = redact_url(reason)
                self._cond.notify_all()

    def _read(self, conn: _Connection) -> None:
        """Body of a connection's thread: open, decode, sample, until the stream ends or is stopped."""
        options = {
            "rtsp_transport": "tcp",
            # Socket I/O timeout of the RTSP demuxer (microseconds), a backstop under PyAV's own timeouts.
            "timeout": str(int(max(self.open_timeout_s, self.read_timeout_s) * 1e6)),
        }
        try:
            container = av.open(self.url, options=options, timeout=(self.open_timeout_s, self.read_timeout_s))
        except Exception as err:
            if isinstance(err, av.ExitError | TimeoutError):  # PyAV interrupt or socket timeout
                self._end(conn, f"open failed: no answer within {self.open_timeout_s:.1f} s")
            else:
                self._end(conn, f"open failed: {_describe(err)}")
            return
        try:
            if not container.streams.video:
                self._end(conn, "the stream holds no video")
                return
            stream = container.streams.video[0]
            if self.decode_threads:
                stream.codec_context.thread_count = self.decode_threads
            rate = stream.average_rate or stream.guessed_rate
            sampler = FrameSampler(self.fps)
            last_pts: int | None = None
            first = True
            with self._cond:
                conn.last_progress = last_packet = time.monotonic()
            for packet in container.demux(stream):
                if time.monotonic() - last_packet > self.read_timeout_s:
                    # A read that timed out can still hand over the last packet the RTP layer held back;
                    # it is old news, and waiting for the next read would double the bound.
                    self._end(conn, f"no new frame for {self.read_timeout_s:.1f} s")
                    return
                last_packet = time.monotonic()
                for frame in packet.decode():
                    now = time.monotonic()
                    ts = _now()
                    if conn.stopped.is_set():
                        return
                    advanced = frame.pts is None or last_pts is None or frame.pts > last_pts
                    if frame.pts is not None:
                        last_pts = frame.pts
                    with self._cond:
                        index = self._decoded
                        self._decoded += 1
                        if advanced:
                            conn.last_progress = now
                    video_s = now - self._t0
                    if not sampler.take(video_s):
                        continue
                    if first:
                        first = False
                        self.info = SourceInfo(
                            width=frame.width,
                            height=frame.height,
                            fps=float(rate) if rate else None,
                            codec=stream.codec_context.name,
                        )
                    # one swscale thread: PyAV's default starts several per frame, costing more CPU than it saves
                    image = np.ascontiguousarray(frame.to_ndarray(format="bgr24", threads=1), dtype=np.uint8)
                    item = Frame(camera_id=self.camera_id, ts=ts, index=index, image=image, video_s=video_s)
                    with self._cond:
                        if conn.stopped.is_set():
                            return
                        conn.frames.append(item)
                        self._cond.notify_all()
            self._end(conn, "stream ended")
        except Exception as err:
            if isinstance(err, av.ExitError | TimeoutError):  # PyAV interrupt or socket timeout
                self._end(conn, f"no new frame for {self.read_timeout_s:.1f} s")
            else:
                self._end(conn, f"read failed: {_describe(err)}")
        finally:
            self._end(conn, "stopped")
            try:
                container.close()
            except Exception as err:
                log.debug("%s: closing the stream failed: %s", self.camera_id, redact_url(_describe(err)))


def _now() -> datetime:
    return datetime.now(UTC)


def _describe(err: BaseException) -> str:
    """A short human reason for an error, without the URL PyAV appends to it."""
    text = getattr(err, "strerror", None)
    if not isinstance(text, str) or not text:
        lines = str(err).strip().splitlines()
        text = lines[0] if lines else type(err).__name__
    return redact_url(text)
