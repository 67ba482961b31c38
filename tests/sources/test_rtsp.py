"""RtspSource against a real GStreamer RTSP server: sampling, a hung server, a crashed server, no server."""

from __future__ import annotations

import itertools
import logging
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pytest

from cvmon.errors import SourceError
from cvmon.sources.rtsp import RtspSource, redact_url
from cvmon.types import Frame, SourceEventKind

if TYPE_CHECKING:
    from conftest import RtspServer, SourceFeed

ONLINE, OFFLINE = SourceEventKind.ONLINE, SourceEventKind.OFFLINE
FPS = 5.0
OPEN_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 2.0
# What a generous bound on detection proves: the timeouts work (OpenCV would block ~90 s here).
DETECT_BOUND_S = READ_TIMEOUT_S + 10.0
RECONNECT_BOUND_S = 2 * OPEN_TIMEOUT_S + 15.0

StartServer = Callable[..., "RtspServer"]
Feed = Callable[[RtspSource], "SourceFeed"]


def make_source(url: str, **kwargs: float) -> RtspSource:
    settings = {
        "open_timeout_s": OPEN_TIMEOUT_S,
        "read_timeout_s": READ_TIMEOUT_S,
        "reconnect_initial_s": 0.25,
        "reconnect_max_s": 1.0,
        **kwargs,
    }
    return RtspSource("cam-1", url, fps=FPS, **settings)


def online_with_frames(count: int) -> Callable[[SourceFeed], bool]:
    """Predicate: the last event is ONLINE and at least ``count`` frames arrived after it."""

    def check(feed: SourceFeed) -> bool:
        events = feed.events()
        return bool(events) and events[-1][1].kind is ONLINE and len(feed.frames(after=events[-1][0])) >= count

    return check


@pytest.mark.rtsp
@pytest.mark.parametrize(
    ("clip", "shape", "stream_fps"),
    [("pattern", (360, 640, 3), 25.0), ("file", (432, 768, 3), 10.0)],
)
def test_frames_arrive_at_the_analysis_rate(
    request: pytest.FixtureRequest,
    start_rtsp_server: StartServer,
    feed: Feed,
    clip: str,
    shape: tuple[int, int, int],
    stream_fps: float,
) -> None:
    if clip == "pattern":
        server = start_rtsp_server("--pattern", "--width", "640", "--height", "360", "--fps", "25")
    else:
        server = start_rtsp_server("--file", str(request.getfixturevalue("one_by_one_clip")))
    source = make_source(server.url)
    watched = feed(source)
    assert watched.wait_for(lambda f: len(f.frames()) >= 1, timeout=RECONNECT_BOUND_S), watched.snapshot()
    window_s = 4.0
    start = watched.frames()[0][0]
    time.sleep(window_s + 0.5)

    frames = [frame for t, frame in watched.frames() if t <= start + window_s]
    # 5 fps for 4 s is 20 frames; the bounds only rule out "every frame" and "almost none".
    assert 0.5 * FPS * window_s <= len(frames) <= 1.5 * FPS * window_s + 1
    assert watched.kinds() == [ONLINE]
    assert watched.snapshot()[0][1] == watched.events()[0][1]  # the very first item is that ONLINE
    for frame in frames:
        assert frame.camera_id == "cam-1"
        assert frame.image.shape == shape
        assert frame.image.dtype == np.uint8
        assert frame.ts.utcoffset() == timedelta(0)
        assert frame.image.std() > 5.0  # a real picture, not a blank one
    for earlier, later in itertools.pairwise(frames):
        assert later.ts > earlier.ts
        assert later.index > earlier.index
        assert later.video_s > earlier.video_s
    # Frames are sampled: the indexes (every decoded frame) advance faster than the sampled count.
    assert frames[-1].index - frames[0].index >= 0.6 * stream_fps * (frames[-1].video_s - frames[0].video_s)
    assert not np.array_equal(frames[0].image, frames[-1].image)  # the stream is live
    assert source.info is not None
    assert (source.info.width, source.info.height, source.info.codec) == (shape[1], shape[0], "h264")
    assert source.info.fps == pytest.approx(stream_fps, rel=0.1)


@pytest.mark.rtsp
def test_slow_consumer_gets_fresh_frames(rtsp_server: RtspServer) -> None:
    source = make_source(rtsp_server.url)
    lags: list[float] = []
    indexes: list[int] = []
    try:
        for item in source:
            if isinstance(item, Frame):
                lags.append((datetime.now(UTC) - item.ts).total_seconds())
                indexes.append(item.index)
                if len(lags) == 7:
                    break
                time.sleep(1.0)  # a detector five times slower than the analysis rate
    finally:
        source.close()
    # Without dropping, the backlog would grow by 0.8 s a frame (4.8 s by the last one).
    assert max(lags[2:]) < 1.5, lags
    # About 25 frames are decoded per second while the consumer sleeps; only the newest are kept.
    assert min(b - a for a, b in itertools.pairwise(indexes[1:])) >= 10, indexes


@pytest.mark.rtsp
def test_hung_server_goes_offline_and_comes_back(rtsp_server: RtspServer, feed: Feed) -> None:
    watched = feed(make_source(rtsp_server.url))
    assert watched.wait_for(online_with_frames(3), timeout=RECONNECT_BOUND_S), watched.snapshot()

    rtsp_server.pause()  # sockets stay open, nothing is sent: the classic hung camera
    paused_at = time.monotonic()
    assert watched.wait_for(lambda f: OFFLINE in f.kinds(), timeout=DETECT_BOUND_S), watched.snapshot()
    offline_at, offline = watched.events()[-1]
    assert offline.kind is OFFLINE
    assert offline_at - paused_at < DETECT_BOUND_S
    assert offline.reason.startswith("no new frame"), offline.reason

    # Stay hung long enough for reconnection attempts to fail: they must not repeat OFFLINE.
    time.sleep(OPEN_TIMEOUT_S + 1.5)
    assert watched.kinds() == [ONLINE, OFFLINE]
    assert watched.frames(after=offline_at) == []

    rtsp_server.resume()
    assert watched.wait_for(online_with_frames(3), timeout=RECONNECT_BOUND_S) and watched.kinds() == [
        ONLINE,
        OFFLINE,
        ONLINE,
    ], watched.kinds()


@pytest.mark.rtsp
def test_killed_server_goes_offline_and_a_new_one_is_picked_up(
    start_rtsp_server: StartServer, rtsp_server: RtspServer, feed: Feed
) -> None:
    watched = feed(make_source(rtsp_server.url))
    assert watched.wait_for(online_with_frames(3), timeout=RECONNECT_BOUND_S), watched.snapshot()

    rtsp_server.kill()
    killed_at = time.monotonic()
    assert watched.wait_for(lambda f: OFFLINE in f.kinds(), timeout=DETECT_BOUND_S), watched.snapshot()
    offline_at, offline = watched.events()[-1]
    assert offline_at - killed_at < DETECT_BOUND_S
    assert offline.reason

    time.sleep(1.0)  # a few refused reconnections, still one OFFLINE
    assert watched.kinds() == [ONLINE, OFFLINE]
    before = watched.frames()[-1][1]

    start_rtsp_server("--pattern", port=rtsp_server.port)
    assert watched.wait_for(online_with_frames(3), timeout=RECONNECT_BOUND_S), watched.kinds()
    assert watched.kinds() == [ONLINE, OFFLINE, ONLINE]
    after = watched.frames(after=offline_at)[0][1]
    assert after.index > before.index  # counted since the source was created, across connections
    assert after.video_s > before.video_s


@pytest.mark.rtsp
def test_nothing_listening_is_offline_at_once_and_close_ends_the_iteration(
    feed: Feed, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    caplog.set_level(logging.DEBUG, logger="cvmon.sources.rtsp")
    source = make_source(f"rtsp://admin:s3cret-pw@127.0.0.1:{port}/cam")
    watched = feed(source)
    assert watched.wait_for(lambda f: len(f.snapshot()) >= 1, timeout=OPEN_TIMEOUT_S + 10), "no item at all"
    first = watched.snapshot()[0][1]
    assert first == watched.events()[0][1]
    assert first.kind is OFFLINE
    assert "refused" in first.reason.lower(), first.reason

    time.sleep(1.5)  # several failed retries (backoff 0.25, 0.5, 1 s) without another event
    assert watched.kinds() == [OFFLINE]
    assert source.info is None

    closed_at = time.monotonic()
    source.close()
    watched.thread.join(timeout=5)
    assert watched.finished_at is not None and watched.error is None
    assert watched.finished_at - closed_at < 1.5
    assert "s3cret-pw" not in caplog.text and "admin" not in caplog.text
    assert "s3cret-pw" not in repr(source)
    assert "failed" in caplog.text  # the retries were logged, redacted


@pytest.mark.rtsp
def test_silent_server_times_out_the_open_and_close_interrupts_a_blocked_open(feed: Feed) -> None:
    # A socket that accepts connections (the kernel does) but never answers: a camera hung at connect.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        source = make_source(f"rtsp://127.0.0.1:{silent.getsockname()[1]}/cam", open_timeout_s=1.0)
        started = time.monotonic()
        watched = feed(source)
        assert watched.wait_for(lambda f: len(f.snapshot()) >= 1, timeout=2 * 1.0 + 10), "no item at all"
        offline_at, first = watched.snapshot()[0]
        assert first == watched.events()[0][1]
        assert first.kind is OFFLINE
        assert first.reason.startswith("open failed"), first.reason
        assert offline_at - started < 2 * 1.0 + 10

        time.sleep(0.6)  # after the 0.25 s backoff: the next attempt is blocked in the open
        closed_at = time.monotonic()
        source.close()
        watched.thread.join(timeout=5)
        assert watched.finished_at is not None and watched.finished_at - closed_at < 1.5
        assert watched.kinds() == [OFFLINE]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:secret@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1"),
        ("rtsp://admin@cam.local/live", "rtsp://***@cam.local/live"),
        ("rtsp://admin:p@ss/w0rd@10.0.0.5/live", "rtsp://***@10.0.0.5/live"),
        ("rtsp://u:p%40ss@host/x", "rtsp://***@host/x"),
        ("rtsp://10.0.0.5:554/stream1", "rtsp://10.0.0.5:554/stream1"),
        ("rtsp://host/cgi?user=admin&password=secret&channel=1", "rtsp://host/cgi?user=***&password=***&channel=1"),
        ("RTSPS://Admin:Secret@host/x?PWD=1", "RTSPS://***@host/x?PWD=***"),
        ("open failed: 'rtsp://a:b@h/c' refused", "open failed: 'rtsp://***@h/c' refused"),
        ("", ""),
    ],
)
def test_redact_url_masks_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("url", "kwargs", "error"),
    [
        ("rtsp://h/cam", {}, None),
        ("http://user:hunter2@h/cam", {}, "not an RTSP URL"),
        ("rtsp://h/cam", {"fps": 0.0}, "fps must be positive"),
        ("rtsp://h/cam", {"read_timeout_s": -1.0}, "read_timeout_s must be positive"),
    ],
)
def test_constructor_validates_without_leaking(url: str, kwargs: dict[str, float], error: str | None) -> None:
    settings = {"fps": 5.0, **kwargs}
    if error is None:
        source = RtspSource("cam-1", url, **settings)
        assert source.info is None
        return
    with pytest.raises(SourceError, match=error) as info:
        RtspSource("cam-1", url, **settings)
    assert "hunter2" not in str(info.value)
