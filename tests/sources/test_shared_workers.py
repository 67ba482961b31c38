"""Cameras sharing a worker process: one detector per model, each camera started, restarted and
stopped on its own, while the others in its process run on untouched."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from cvmon.config.models import DetectorConfig
from cvmon.detectors import shared
from cvmon.detectors.onnx_backend import OnnxDetector
from cvmon.detectors.shared import DetectorCache, LockedDetector
from cvmon.pipeline.workers import cameras_per_process_auto
from cvmon.storage.database import open_database
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import Detections, Frame, SourceEventKind
from tests.conftest import MODEL_DIR, make_blank_video
from tests.sources.cvmon_run import SQUARE, CvmonRun, alive, hall_camera, live_config, pid_of, wait_until, write_config

if TYPE_CHECKING:
    from conftest import RtspServer

LEFT = [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]


@pytest.mark.parametrize(
    ("cameras", "cpus", "expected"), [(1, 2, 1), (2, 2, 1), (3, 2, 2), (16, 2, 8), (16, 16, 1), (5, 1, 5)]
)
def test_cameras_are_spread_over_one_process_per_core(cameras: int, cpus: int, expected: int) -> None:
    assert cameras_per_process_auto(cameras, cpus) == expected


def test_cameras_with_the_same_model_share_one_detector() -> None:
    cache = DetectorCache(MODEL_DIR, single_thread=True)
    a = cache.get(DetectorConfig(confidence=0.1))
    b = cache.get(DetectorConfig(confidence=0.1))
    other = cache.get(DetectorConfig(confidence=0.2))
    assert a is b and a is not other and len(cache) == 2
    assert isinstance(a, OnnxDetector)  # onnxruntime sessions are called from every thread, unlocked
    assert a.session.get_session_options().intra_op_num_threads == 1


class _Fragile:
    """A fake backend that records whether two calls ever overlapped (the logic under test is the lock)."""

    name = "fragile"

    def __init__(self) -> None:
        self.inside = 0
        self.overlapped = False

    def detect(self, frame: Frame) -> Detections:
        self.inside += 1
        self.overlapped |= self.inside > 1
        time.sleep(0.01)
        self.inside -= 1
        return Detections.empty()


def test_a_backend_not_safe_for_threads_is_called_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    fragile = _Fragile()
    monkeypatch.setattr(shared, "create_detector", lambda config, MODEL_DIR: fragile)
    detector = DetectorCache(MODEL_DIR).get(DetectorConfig())
    assert isinstance(detector, LockedDetector)
    frame = Frame("c", datetime(2026, 1, 1, tzinfo=UTC), 0, np.zeros((4, 4, 3), np.uint8))
    threads = [threading.Thread(target=lambda: [detector.detect(frame) for _ in range(5)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not fragile.overlapped

    unguarded = _Fragile()
    threads = [threading.Thread(target=lambda: [unguarded.detect(frame) for _ in range(5)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert unguarded.overlapped  # the fake does notice overlapping calls


@pytest.mark.rtsp
def test_cameras_sharing_a_process_restart_one_by_one(
    start_rtsp_server: Callable[..., RtspServer], tmp_path: Path
) -> None:
    server = start_rtsp_server("--pattern", "--width", "320", "--height", "180", "--fps", "10")
    clip = make_blank_video(tmp_path / "short.mp4", seconds=2)
    cameras = [hall_camera("cam-a", server.url), hall_camera("cam-b", server.url), hall_camera("cam-f", str(clip))]
    data = live_config(cameras)
    config_path = tmp_path / "cameras.yaml"
    write_config(config_path, data)
    db_url = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {**os.environ, "CVMON_DATABASE_URL": db_url, "CVMON_RELOAD_EVERY_S": "0.5", "CVMON_MODEL_DIR": str(MODEL_DIR)}
    run = CvmonRun([str(config_path), "--cameras-per-process", "3"], env)
    out, err = run.out, run.err
    db = open_database(db_url)

    def online(camera_id: str) -> int:
        return sum(e.kind is SourceEventKind.ONLINE for e in CameraEventRepository(db).events(camera_id))

    try:
        assert wait_until(lambda: len(out.starting("cvmon: camera ")) == 3, 20), (out.lines, err.lines)
        pids = {pid_of(line) for line in out.starting("cvmon: camera ")}
        assert len(pids) == 1  # one process for the three cameras
        (pid,) = pids
        assert wait_until(lambda: online("cam-a") and online("cam-b"), 30), (out.lines, err.lines)
        assert wait_until(lambda: any("[cam-f] " in line for line in out.lines), 30), (out.lines, err.lines)
        assert alive(pid)  # the file camera ended; the process goes on with the live ones

        data["cameras"][0]["zones"] = [
            {"id": "hall", "kind": "waiting", "points": SQUARE},
            {"id": "desk", "kind": "queue", "points": LEFT},
        ]
        write_config(config_path, data)
        assert wait_until(lambda: out.starting("cvmon: camera cam-a restarted"), 30), (out.lines, err.lines)
        assert pid_of(out.starting("cvmon: camera cam-a restarted")[0]) == pid
        assert wait_until(lambda: online("cam-a") == 2, 30), "cam-a never came back online"
        time.sleep(1.5)  # a few frames of the new zone
        assert online("cam-b") == 1  # its neighbour's restart did not touch cam-b's connection
    finally:
        code = run.stop()
    assert code == 0, run.lines
    assert "Traceback" not in "\n".join(err.lines + out.lines)
    assert not alive(pid)
    for cam_id in ("cam-a", "cam-b", "cam-f"):
        rows = MinuteRepository(db).minute_rows(cam_id)
        keys = [(r.zone_id, r.minute) for r in rows]
        assert rows and len(keys) == len(set(keys)), cam_id
    assert any(
        r.zone_id == "desk" for r in MinuteRepository(db).minute_rows("cam-a")
    )  # the restarted camera's new zone
    db.close()
