"""Connection test of a camera source: open it with bounded timeouts, describe it, snapshot it anonymised.

``probe_source`` opens an RTSP URL or a video file, decodes one frame and reports its size, frame
rate and codec, or raises a ``ProbeError`` whose ``kind`` says what went wrong (wrong credentials,
unreachable host, timeout, no such stream, unreadable codec). ``anonymised_snapshot`` pixelates the
people in that frame, so the only image that leaves the test is anonymous.

The work runs in a daemon thread and the caller waits at most ``open_timeout_s + read_timeout_s``
and a grace of ``GRACE_S``, whatever the server does; a thread that outlives a timed-out caller
stops at PyAV's own timeouts and closes its connection.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import av
import numpy as np

from cvmon.config.models import DetectorConfig, PrivacyMask
from cvmon.detectors.base import Detector, create_detector
from cvmon.errors import SourceError
from cvmon.evidence.anonymise import anonymise
from cvmon.sources.rtsp import redact_url
from cvmon.types import AnonymisedJpeg, Frame, Image

SourceKind = Literal["rtsp", "file"]
ProbeErrorKind = Literal["auth", "unreachable", "timeout", "not_found", "codec", "invalid", "other"]

GRACE_S = 1.0
"""Seconds the caller waits beyond ``open_timeout_s + read_timeout_s`` for the probing thread."""

_RTSP_SCHEMES = ("rtsp", "rtsps")
_UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


class ProbeError(SourceError):
    """A connection test failed; ``kind`` says why, the message (one line, no credentials) says it to a person.

    Attributes:
        kind: ``auth`` (401/403), ``unreachable`` (refused, no route, unknown host), ``timeout``,
            ``not_found`` (RTSP 404, missing file), ``codec`` (no video, or video FFmpeg cannot
            decode), ``invalid`` (not an rtsp:// URL or a file path), ``other``.
    """

    def __init__(self, kind: ProbeErrorKind, message: str) -> None:
        super().__init__(redact_url(message))
        self.kind: ProbeErrorKind = kind


@dataclass(frozen=True, slots=True, eq=False)
class Probe:
    """What a connection test found.

    Attributes:
        source: the source with credentials masked, fit to show.
        kind: ``rtsp`` or ``file``.
        width: frame width in pixels.
        height: frame height in pixels.
        fps: nominal frame rate, None when the stream does not say.
        codec: FFmpeg's name of the video codec, e.g. ``h264``.
        image: the first decoded frame, BGR uint8 (read-only). Never written anywhere as it is.
        elapsed_s: seconds from the start of the test to that frame.
    """

    source: str
    kind: SourceKind
    width: int
    height: int
    fps: float | None
    codec: str
    image: Image
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class SourceSnapshot:
    """A probed source's description and its anonymised snapshot, without the raw frame."""

    source: str
    kind: SourceKind
    width: int
    height: int
    fps: float | None
    codec: str
    elapsed_s: float
    jpeg: AnonymisedJpeg


def probe_source(source: str, *, open_timeout_s: float = 10, read_timeout_s: float = 5) -> Probe:
    """Open ``source`` (rtsp:// URL over TCP, or a video file path) and decode its first frame.

    Args:
        source: rtsp:// or rtsps:// URL (credentials included if the camera needs them) or a file path.
        open_timeout_s: longest wait for the server to answer while opening.
        read_timeout_s: longest wait for video once the stream is open.

    Returns:
        The stream's description and first frame; returns or raises within
        ``open_timeout_s + read_timeout_s + GRACE_S``.

    Raises:
        ProbeError: the source cannot be read; ``kind`` says why.
        ValueError: a timeout is not positive.
    """
    if not (open_timeout_s > 0 and read_timeout_s > 0):
        raise ValueError(f"timeouts must be positive, got {open_timeout_s} and {read_timeout_s}")
    started = time.monotonic()
    source = source.strip()
    kind = _source_kind(source)
    job = _ProbeJob(source, kind, open_timeout_s, read_timeout_s, started)
    thread = threading.Thread(target=job.run, name="cvmon-probe", daemon=True)
    thread.start()
    if not job.done.wait(open_timeout_s + read_timeout_s + GRACE_S):
        job.cancelled.set()
        total = open_timeout_s + read_timeout_s
        raise ProbeError("timeout", f"{redact_url(source)}: no video frame within {total:g} s")
    if job.error is not None:
        raise job.error
    assert job.result is not None
    return job.result


def anonymised_snapshot(
    probe: Probe,
    detector: Detector,
    *,
    masks: Sequence[PrivacyMask] = (),
    margin: float = 0.15,
    camera_id: str = "probe",
) -> AnonymisedJpeg:
    """The probe's frame with every person ``detector`` finds pixelated (and ``masks`` filled); no zones, no caption.

    Build the detector at the evidence confidence (as ``snapshot_for`` does), so that people it is
    unsure of are hidden too.
    """
    frame = Frame(camera_id=camera_id, ts=datetime.now(UTC), index=0, image=probe.image)
    people = detector.detect(frame)
    return anonymise(probe.image, people.xyxy, masks=masks, margin=margin)


def snapshot_for(
    source: str,
    detector_config: DetectorConfig,
    model_dir: Path,
    *,
    open_timeout_s: float = 10,
    read_timeout_s: float = 5,
    masks: Sequence[PrivacyMask] = (),
    margin: float = 0.15,
) -> SourceSnapshot:
    """Probe ``source`` and snapshot it with a detector built from ``detector_config`` at its evidence confidence.

    Raises:
        ProbeError: the source cannot be read.
        ModelError, BackendUnavailable, ConfigError: the detector cannot be built.
    """
    lowest = min(detector_config.confidence, detector_config.evidence_confidence)
    detector = create_detector(detector_config.model_copy(update={"confidence": lowest}), model_dir)
    probe = probe_source(source, open_timeout_s=open_timeout_s, read_timeout_s=read_timeout_s)
    jpeg = anonymised_snapshot(probe, detector, masks=masks, margin=margin)
    return SourceSnapshot(
        source=probe.source,
        kind=probe.kind,
        width=probe.width,
        height=probe.height,
        fps=probe.fps,
        codec=probe.codec,
        elapsed_s=probe.elapsed_s,
        jpeg=jpeg,
    )


def _source_kind(source: str) -> SourceKind:
    """``rtsp`` or ``file`` for a source cvmon accepts; ProbeError ``invalid`` or ``not_found`` otherwise."""
    shown = redact_url(source)
    if not source:
        raise ProbeError("invalid", "no source given: enter an rtsp:// URL or a video file path")
    if "://" in source:
        try:
            parts = urlsplit(source)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as err:
            raise ProbeError("invalid", f"{shown}: not a valid URL ({err})") from None
        if parts.scheme.lower() not in _RTSP_SCHEMES:
            raise ProbeError("invalid", f"{shown}: cvmon reads rtsp:// or rtsps:// URLs and video files only")
        if not parts.hostname:
            raise ProbeError("invalid", f"{shown}: the URL names no host")
        return "rtsp"
    try:
        path = Path(source)
        if path.is_dir():
            raise ProbeError("invalid", f"{shown}: a folder, not a video file")
        if not path.is_file():
            raise ProbeError("not_found", f"{shown}: no such file")
    except (OSError, ValueError) as err:
        raise ProbeError("invalid", f"{shown}: not a usable file path ({err})") from None
    return "file"


class _ProbeJob:
    """One probe, run in its own thread; ``done`` is set once ``result`` or ``error`` is."""

    def __init__(self, source: str, kind: SourceKind, open_timeout_s: float, read_timeout_s: float, t0: float) -> None:
        self.source = source
        self.shown = redact_url(source)
        self.kind: SourceKind = kind
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.t0 = t0
        self.deadline = t0 + open_timeout_s + read_timeout_s
        self.cancelled = threading.Event()
        self.done = threading.Event()
        self.result: Probe | None = None
        self.error: ProbeError | None = None

    def run(self) -> None:
        try:
            self.result = self._probe()
        except ProbeError as err:
            err.__context__ = None  # PyAV's exception names the URL with its credentials
            self.error = err
        except Exception as err:  # anything unforeseen still ends the test with a message
            self.error = ProbeError("other", f"{self.shown}: {_reason(err)}")
        finally:
            self.done.set()

    def _probe(self) -> Probe:
        options: dict[str, str] = {}
        if self.kind == "rtsp":
            # TCP (no lost UDP packets, passes NAT) and a socket I/O timeout under PyAV's own.
            options = {"rtsp_transport": "tcp", "timeout": str(int(self.open_timeout_s * 1e6))}
        opened_at = time.monotonic()
        try:
            container = av.open(
                self.source, mode="r", options=options, timeout=(self.open_timeout_s, self.read_timeout_s)
            )
        except Exception as err:
            raise self._open_error(err, time.monotonic() - opened_at) from None
        try:
            return self._first_frame(container)
        finally:
            with contextlib.suppress(Exception):  # nothing to tell about closing a stream we are done with
                container.close()

    def _first_frame(self, container: av.container.InputContainer) -> Probe:
        if not container.streams.video:
            raise ProbeError("codec", f"{self.shown}: the {self._what()} holds no video stream")
        stream = container.streams.video[0]
        codec = stream.codec_context.name if stream.codec_context is not None else "?"
        rate = stream.average_rate or stream.guessed_rate
        last_packet = time.monotonic()
        decode_error: BaseException | None = None
        try:
            for packet in container.demux(stream):
                now = time.monotonic()
                if self.cancelled.is_set():
                    raise ProbeError("timeout", f"{self.shown}: cancelled")
                if now - last_packet > self.read_timeout_s:
                    # A read that timed out can still hand over a packet the RTP layer held back: old news.
                    raise self._read_timeout()
                if now > self.deadline:
                    total = self.open_timeout_s + self.read_timeout_s
                    raise ProbeError("timeout", f"{self.shown}: no video frame within {total:g} s")
                last_packet = now
                try:
                    frames = packet.decode()
                except (av.error.InvalidDataError, av.error.DecoderNotFoundError) as err:
                    decode_error = err  # a stream joined mid-GOP may fail before its first key frame
                    continue
                for frame in frames:
                    image = np.ascontiguousarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
                    image.flags.writeable = False
                    return Probe(
                        source=self.shown,
                        kind=self.kind,
                        width=frame.width,
                        height=frame.height,
                        fps=float(rate) if rate else None,
                        codec=codec,
                        image=image,
                        elapsed_s=time.monotonic() - self.t0,
                    )
        except ProbeError:
            raise
        except Exception as err:
            stalled = time.monotonic() - last_packet >= 0.9 * self.read_timeout_s
            if isinstance(err, av.error.ExitError | TimeoutError) or stalled:
                raise self._read_timeout() from None
            if not isinstance(err, av.error.InvalidDataError | av.error.DecoderNotFoundError):
                raise ProbeError("other", f"{self.shown}: reading the {self._what()} failed ({_reason(err)})") from None
            decode_error = err
        if decode_error is not None:
            raise ProbeError(
                "codec", f"{self.shown}: cannot decode the {codec} video ({_reason(decode_error)})"
            ) from None
        if self.kind == "rtsp":
            raise ProbeError("other", f"{self.shown}: the stream ended before its first frame")
        raise ProbeError("codec", f"{self.shown}: the file holds no decodable frame")

    def _what(self) -> str:
        return "stream" if self.kind == "rtsp" else "file"

    def _read_timeout(self) -> ProbeError:
        return ProbeError("timeout", f"{self.shown}: connected, but no video arrived within {self.read_timeout_s:g} s")

    def _open_error(self, err: BaseException, elapsed_s: float) -> ProbeError:
        """Classify an exception of ``av.open``."""
        if self.kind == "file":
            return self._file_open_error(err)
        shown = self.shown
        if isinstance(err, av.error.HTTPUnauthorizedError):
            if urlsplit(self.source).username:
                return ProbeError("auth", f"{shown}: wrong user name or password (the camera answered 401)")
            return ProbeError("auth", f"{shown}: the camera needs a user name and password (it answered 401)")
        if isinstance(err, av.error.HTTPForbiddenError):
            return ProbeError("auth", f"{shown}: the camera refuses this user (it answered 403)")
        if isinstance(err, av.error.HTTPNotFoundError):
            return ProbeError("not_found", f"{shown}: no such stream on the camera (404); check the path")
        if isinstance(err, ConnectionRefusedError):
            return ProbeError("unreachable", f"{shown}: connection refused; nothing listens at {self._host_port()}")
        if isinstance(err, av.error.ExitError | TimeoutError) or elapsed_s >= 0.9 * self.open_timeout_s:
            # PyAV's interrupt shows as ExitError, or as InvalidDataError from the RTSP demuxer: go by the clock.
            return ProbeError("timeout", f"{shown}: no answer from the camera within {self.open_timeout_s:g} s")
        if isinstance(err, OSError) and err.errno in _UNREACHABLE_ERRNOS:
            return ProbeError("unreachable", f"{shown}: cannot reach {self._host_port()} ({_reason(err)})")
        if isinstance(err, av.error.DecoderNotFoundError | av.error.DemuxerNotFoundError):
            return ProbeError("codec", f"{shown}: FFmpeg cannot read this stream ({_reason(err)})")
        if isinstance(err, OSError) and err.errno == errno.EIO and not self._resolves():
            # FFmpeg reports a failed name lookup as a bare I/O error.
            host = urlsplit(self.source).hostname
            return ProbeError("unreachable", f"{shown}: unknown host {host!r} (the name does not resolve)")
        if isinstance(err, av.error.InvalidDataError):
            return ProbeError("other", f"{shown}: the server at {self._host_port()} did not answer as an RTSP camera")
        return ProbeError("other", f"{shown}: {_reason(err)}")

    def _file_open_error(self, err: BaseException) -> ProbeError:
        shown = self.shown
        if isinstance(err, FileNotFoundError):
            return ProbeError("not_found", f"{shown}: no such file")
        if isinstance(err, PermissionError):
            return ProbeError("other", f"{shown}: permission denied")
        if isinstance(err, av.error.InvalidDataError | av.error.DecoderNotFoundError | av.error.DemuxerNotFoundError):
            return ProbeError("codec", f"{shown}: not a video FFmpeg can read ({_reason(err)})")
        return ProbeError("other", f"{shown}: {_reason(err)}")

    def _host_port(self) -> str:
        parts = urlsplit(self.source)
        return f"{parts.hostname}:{parts.port or (322 if parts.scheme.lower() == 'rtsps' else 554)}"

    def _resolves(self) -> bool:
        """Whether the URL's host name resolves (asked only after a failure)."""
        try:
            socket.getaddrinfo(urlsplit(self.source).hostname, None)
        except (OSError, UnicodeError):
            return False
        return True


def _reason(err: BaseException) -> str:
    """A short human reason for an error, without the URL PyAV appends to it."""
    text = getattr(err, "strerror", None)
    if not isinstance(text, str) or not text:
        lines = str(err).strip().splitlines()
        text = lines[0] if lines else type(err).__name__
    return redact_url(text)
