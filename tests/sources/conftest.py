"""Fixtures for the video-source tests: a real GStreamer RTSP server, and a source read in a thread."""

from __future__ import annotations

import functools
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cvmon.sources.base import SourceItem, VideoSource
from cvmon.types import Frame, SourceEvent, SourceEventKind

TESTS_DIR = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = TESTS_DIR / "rtsp_server.py"
SYSTEM_PYTHON = os.environ.get("CVMON_GST_PYTHON", "/usr/bin/python3")
_SHARED = Path(os.environ.get("CVMON_SHARED_DIR", TESTS_DIR.parent.parent / "shared"))
FOOTAGE_DIR = Path(os.environ.get("CVMON_FOOTAGE_DIR", _SHARED / "footage"))
ONE_BY_ONE = FOOTAGE_DIR / "intel_one-by-one-person-detection.mp4"
READY_TIMEOUT_S = 20.0


@functools.cache
def gst_rtsp_missing() -> str | None:
    """Why the RTSP server cannot run here, or None when it can."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} not found"
    check = (
        "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); "
        "from gi.repository import Gst, GstRtspServer"
    )
    try:
        done = subprocess.run([SYSTEM_PYTHON, "-c", check], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{SYSTEM_PYTHON} cannot run: {err}"
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        hint = "apt install python3-gi gir1.2-gst-rtsp-server-1.0"
        return f"{SYSTEM_PYTHON} cannot import gi/GstRtspServer ({last}); {hint}"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RtspServer:
    """``tests/rtsp_server.py`` run as a subprocess with Debian's Python; ``url`` is set once it listens."""

    def __init__(self, args: list[str], port: int = 0) -> None:
        self.proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self._ready: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()
        try:
            line = self._ready.get(timeout=READY_TIMEOUT_S)
        except queue.Empty:
            line = ""
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the RTSP server did not start: {''.join(self.output)[-2000:]}")
        self.url = line.split()[1]
        self.port = int(self.url.rsplit(":", 1)[1].split("/", 1)[0])

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("READY "):
                self._ready.put(line)
        self._ready.put("")  # exited

    def pause(self) -> None:
        """Hang the server: the process stops, its sockets stay open."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """Crash the server without a goodbye to its clients."""
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()


class SourceFeed:
    """Iterates a source in a background thread and records each item with its monotonic arrival time."""

    def __init__(self, source: VideoSource) -> None:
        self.source = source
        self.items: list[tuple[float, SourceItem]] = []
        self.finished_at: float | None = None
        self.error: BaseException | None = None
        self._cond = threading.Condition()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for item in self.source:
                with self._cond:
                    self.items.append((time.monotonic(), item))
                    self._cond.notify_all()
        except BaseException as err:
            self.error = err
        finally:
            with self._cond:
                self.finished_at = time.monotonic()
                self._cond.notify_all()

    def wait_for(self, predicate: Callable[[SourceFeed], bool], timeout: float) -> bool:
        """Wait until ``predicate(self)`` holds; False if it still does not after ``timeout`` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: predicate(self) or self.finished_at is not None, timeout)
            return predicate(self)

    def snapshot(self) -> list[tuple[float, SourceItem]]:
        with self._cond:
            return list(self.items)

    def events(self) -> list[tuple[float, SourceEvent]]:
        return [(t, item) for t, item in self.snapshot() if isinstance(item, SourceEvent)]

    def kinds(self) -> list[SourceEventKind]:
        return [event.kind for _, event in self.events()]

    def frames(self, after: float = float("-inf")) -> list[tuple[float, Frame]]:
        """Frames that arrived after the monotonic time ``after``."""
        return [(t, item) for t, item in self.snapshot() if isinstance(item, Frame) and t > after]

    def last_event_at(self, kind: SourceEventKind) -> float | None:
        times = [t for t, event in self.events() if event.kind is kind]
        return times[-1] if times else None


@pytest.fixture
def start_rtsp_server() -> Iterator[Callable[..., RtspServer]]:
    """Factory: ``start_rtsp_server("--pattern", port=0)`` starts a real RTSP server; all are stopped after the test."""
    missing = gst_rtsp_missing()
    if missing:
        pytest.skip(missing)
    servers: list[RtspServer] = []

    def start(*args: str, port: int = 0) -> RtspServer:
        server = RtspServer(list(args), port=port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def rtsp_server(start_rtsp_server: Callable[..., RtspServer]) -> RtspServer:
    """A real RTSP server streaming a 640x360, 25 fps H.264 test pattern on a free port."""
    return start_rtsp_server("--pattern", "--width", "640", "--height", "360", "--fps", "25")


@pytest.fixture
def one_by_one_clip() -> Path:
    """The 768x432, 10 fps H.264 sample clip (skips when the footage is not there)."""
    if not ONE_BY_ONE.is_file():
        pytest.skip(f"footage not found: {ONE_BY_ONE} (set CVMON_FOOTAGE_DIR)")
    return ONE_BY_ONE


@pytest.fixture
def feed() -> Iterator[Callable[[VideoSource], SourceFeed]]:
    """Factory: ``feed(source)`` starts iterating it in a thread; sources are closed after the test."""
    feeds: list[SourceFeed] = []

    def start(source: VideoSource) -> SourceFeed:
        started = SourceFeed(source)
        feeds.append(started)
        return started

    yield start
    for started in feeds:
        started.source.close()
    for started in feeds:
        started.thread.join(timeout=5)
