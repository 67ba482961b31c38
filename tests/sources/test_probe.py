"""probe_source and the anonymised snapshot against a real GStreamer RTSP server and real files."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
import pytest

from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import Detector, create_detector
from cvmon.errors import SourceError
from cvmon.sources.probe import GRACE_S, Probe, ProbeError, anonymised_snapshot, probe_source, snapshot_for
from tests.conftest import FOOTAGE_DIR, MODEL_DIR
from tests.evidence.helpers import decode, local_std

if TYPE_CHECKING:
    from conftest import RtspServer

CLASSROOM = FOOTAGE_DIR / "intel_classroom.mp4"  # 480x270 MPEG-4 part 2, 16.7 fps, five pupils
OPEN_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 2.0
PASSWORD = "s3cret-pw"
DETECTOR = DetectorConfig(model="yolox_nano_416", confidence=0.3, evidence_confidence=0.1, threads=2)

StartServer = Callable[..., "RtspServer"]


def probe(source: str) -> Probe:
    return probe_source(source, open_timeout_s=OPEN_TIMEOUT_S, read_timeout_s=READ_TIMEOUT_S)


def probe_error(source: str) -> ProbeError:
    with pytest.raises(ProbeError) as caught:
        probe(source)
    assert "\n" not in str(caught.value)
    return caught.value


def with_path(url: str, path: str) -> str:
    return url.rsplit("/", 1)[0] + path


@pytest.fixture(scope="module")
def classroom() -> Path:
    if not CLASSROOM.is_file():
        pytest.skip(f"footage not found: {CLASSROOM} (set CVMON_FOOTAGE_DIR)")
    return CLASSROOM


@pytest.fixture(scope="module")
def detector() -> Detector:
    """The real person detector at the evidence confidence, as snapshot_for builds it."""
    return create_detector(DETECTOR.model_copy(update={"confidence": DETECTOR.evidence_confidence}), MODEL_DIR)


def assert_people_pixelated(raw: np.ndarray, jpeg_image: np.ndarray, detector: Detector) -> None:
    """Texture collapses inside every person box the detector finds, and stays well away from them."""
    people = detector.detect_image(raw)  # type: ignore[attr-defined]
    assert len(people) >= 2, f"the detector found {len(people)} people in the classroom"
    assert jpeg_image.shape == raw.shape
    before, after = local_std(raw), local_std(jpeg_image)
    far = np.ones(raw.shape[:2], bool)
    for x1, y1, x2, y2 in people.xyxy.round().astype(int):
        box = np.s_[y1:y2, x1:x2]
        assert after[box].mean() < 0.6 * before[box].mean(), (x1, y1, x2, y2)
        far[max(0, y1 - 30) : y2 + 30, max(0, x1 - 30) : x2 + 30] = False
    assert far.sum() > 0.2 * far.size
    assert after[far].mean() == pytest.approx(before[far].mean(), rel=0.2)  # JPEG only, nothing hidden


@pytest.mark.rtsp
def test_test_pattern_is_described(rtsp_server: RtspServer) -> None:
    found = probe(rtsp_server.url)
    assert (found.kind, found.width, found.height, found.codec) == ("rtsp", 640, 360, "h264")
    assert found.fps == pytest.approx(25.0, rel=0.1)
    assert found.image.shape == (360, 640, 3) and found.image.dtype == np.uint8
    assert found.image.std() > 5.0  # a real picture
    assert not found.image.flags.writeable
    assert found.source == rtsp_server.url
    assert 0 < found.elapsed_s < OPEN_TIMEOUT_S + READ_TIMEOUT_S + GRACE_S


def test_classroom_file_snapshot_hides_the_people(classroom: Path, detector: Detector) -> None:
    found = probe(str(classroom))
    assert (found.kind, found.width, found.height, found.codec) == ("file", 480, 270, "mpeg4")
    assert found.fps == pytest.approx(16.67, rel=0.01)

    snap = snapshot_for(
        str(classroom), DETECTOR, MODEL_DIR, open_timeout_s=OPEN_TIMEOUT_S, read_timeout_s=READ_TIMEOUT_S
    )
    assert (snap.kind, snap.width, snap.height, snap.codec) == ("file", 480, 270, "mpeg4")
    assert (snap.jpeg.width, snap.jpeg.height) == (480, 270)
    assert_people_pixelated(found.image, decode(snap.jpeg), detector)


@pytest.mark.rtsp
def test_classroom_stream_snapshot_hides_the_people(
    start_rtsp_server: StartServer, classroom: Path, detector: Detector
) -> None:
    server = start_rtsp_server("--file", str(classroom))
    found = probe(server.url)
    assert (found.kind, found.width, found.height, found.codec) == ("rtsp", 480, 270, "h264")
    assert_people_pixelated(found.image, decode(anonymised_snapshot(found, detector)), detector)


@pytest.mark.rtsp
def test_wrong_path_on_the_server_is_not_found(rtsp_server: RtspServer) -> None:
    err = probe_error(with_path(rtsp_server.url, "/no-such-stream"))
    assert err.kind == "not_found"
    assert "/no-such-stream" in str(err)


def test_closed_port_is_unreachable_and_the_password_stays_hidden() -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"rtsp://admin:{PASSWORD}@127.0.0.1:{port}/cam"
    err = probe_error(url)
    assert err.kind == "unreachable"
    assert "refused" in str(err)
    assert PASSWORD not in str(err) and PASSWORD not in repr(err)
    assert "rtsp://***@127.0.0.1" in str(err)
    assert isinstance(err, SourceError)


@pytest.mark.rtsp
def test_paused_server_times_out(rtsp_server: RtspServer) -> None:
    rtsp_server.pause()  # accepts TCP connections (the kernel does), answers nothing
    started = time.monotonic()
    err = probe_error(rtsp_server.url)
    waited = time.monotonic() - started
    assert err.kind == "timeout"
    # Returned, and bounded by the timeouts: the margin only rules out "blocked on a hung socket".
    assert waited < OPEN_TIMEOUT_S + READ_TIMEOUT_S + GRACE_S + 3.0


@pytest.mark.rtsp
def test_credentials(start_rtsp_server: StartServer) -> None:
    server = start_rtsp_server("--pattern", "--width", "320", "--height", "240", "--user", f"admin:{PASSWORD}")
    host_path = server.url.removeprefix("rtsp://")

    missing = probe_error(server.url)
    assert missing.kind == "auth"
    assert "needs a user name and password" in str(missing)

    wrong = probe_error(f"rtsp://admin:wrong-{PASSWORD}@{host_path}")
    assert wrong.kind == "auth"
    assert "wrong user name or password" in str(wrong)
    assert PASSWORD not in str(wrong) and PASSWORD not in repr(wrong)
    assert wrong.__cause__ is None and wrong.__context__ is None  # PyAV's error names the URL

    found = probe(f"rtsp://admin:{PASSWORD}@{host_path}")
    assert (found.width, found.height, found.codec) == (320, 240, "h264")
    assert found.source == f"rtsp://***@{host_path}"


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    err = probe_error(str(tmp_path / "gone.mp4"))
    assert err.kind == "not_found"
    assert "gone.mp4" in str(err)


def test_text_file_named_mp4_is_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "camera.mp4"
    fake.write_text("this is not a video\n" * 50)
    err = probe_error(str(fake))
    assert err.kind == "codec"
    assert "not a video" in str(err)


def test_audio_only_file_has_no_video(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 8000), np.int16), format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    err = probe_error(str(path))
    assert err.kind == "codec"
    assert "no video stream" in str(err)


@pytest.mark.parametrize(
    "source",
    ["", "   ", "http://10.0.0.5/video.mjpg", "rtsp:///cam", "rtsp://cam.local:port/x", "."],
)
def test_sources_cvmon_does_not_read_are_invalid(source: str) -> None:
    assert probe_error(source).kind == "invalid"


def test_timeouts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        probe_source("x.mp4", open_timeout_s=0)
