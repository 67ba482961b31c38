"""A live camera end to end: real RTSP server, real model, real database; the camera hangs and dies.

The worker must notice each outage within seconds, record it as offline time (a gap, never zero
people), reconnect by itself and go on writing minute rows; SIGTERM to `cvmon run` flushes the
open minute.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from cvmon.config import parse_config
from cvmon.pipeline.outputs import camera_outputs
from cvmon.pipeline.runner import build_pipeline, run_live
from cvmon.sources.rtsp import RtspSource
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import open_database
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import FrameResult, SourceEventKind

if TYPE_CHECKING:
    from conftest import RtspServer

pytestmark = pytest.mark.rtsp
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", Path(__file__).resolve().parents[3] / "shared" / "models"))
ZONES = [
    {"id": "table", "kind": "counter_customer", "points": [[0.40, 0.74], [0.72, 0.74], [0.74, 0.95], [0.38, 0.95]]},
    {"id": "hall", "kind": "waiting", "points": [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]},
]


def live_config(url: str) -> dict:
    return {
        "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
        "defaults": {
            "analysis_fps": 5,
            "rtsp_read_timeout_s": 2,
            "rtsp_open_timeout_s": 3,
            "reconnect_max_s": 1,
            "rules": {"camera_offline": {"for_s": 2.5}},
        },
        "cameras": [{"id": "live", "unit": "ulp-a", "source": url, "zones": ZONES}],
    }


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_hung_and_killed_camera_gaps_are_recorded_and_the_worker_resumes(
    start_rtsp_server: Callable[..., RtspServer], one_by_one_clip: Path, tmp_path: Path
) -> None:
    server = start_rtsp_server("--file", str(one_by_one_clip))
    config = parse_config(live_config(server.url))
    cam = config.cameras[0]
    d = config.defaults
    source = RtspSource(cam.id, cam.source, 5, d.rtsp_open_timeout_s, d.rtsp_read_timeout_s, d.reconnect_max_s, 0.2)
    db = open_database(f"sqlite:///{tmp_path / 'live.db'}")
    sync_config(db, config)
    pipeline = build_pipeline(config, cam, MODEL_DIR)
    outputs, capture = camera_outputs(db, tmp_path / "evidence", config, cam)
    stop = threading.Event()
    frames: list[tuple[float, FrameResult]] = []
    worker = threading.Thread(
        target=run_live,
        args=(pipeline, source, outputs, stop),
        kwargs={"on_frame": lambda r: frames.append((time.monotonic(), r)), "capture": capture},
    )
    worker.start()
    try:
        # the clip's room is empty for its first 6 s; wait until the first person is at the table
        assert wait_until(lambda: len(frames) >= 45, 40), "no frames from the live camera"
        people_seen = sum(len(r.detections) for _, r in frames)

        server.pause()  # hung: process stopped, sockets open
        hung_at = time.monotonic()
        assert wait_until(lambda: len(CameraEventRepository(db).events()) >= 2, 15), "the hang was not recorded"
        offline_detected = time.monotonic() - hung_at
        time.sleep(3)
        server.resume()
        resumed_at = time.monotonic()
        assert wait_until(lambda: any(t > resumed_at for t, _ in frames), 20), "no frames after the hang"

        server.kill()  # crashed camera, then a new one on the same port
        assert wait_until(lambda: len(CameraEventRepository(db).events()) >= 4, 15), "the crash was not recorded"
        time.sleep(2)
        start_rtsp_server("--file", str(one_by_one_clip), port=server.port)
        restarted_at = time.monotonic()
        assert wait_until(lambda: any(t > restarted_at for t, _ in frames), 30), "no frames after the restart"
        time.sleep(2)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()

    kinds = [e.kind for e in CameraEventRepository(db).events("live")]
    assert kinds[:5] == [
        SourceEventKind.ONLINE,
        SourceEventKind.OFFLINE,
        SourceEventKind.ONLINE,
        SourceEventKind.OFFLINE,
        SourceEventKind.ONLINE,
    ]
    assert offline_detected < d.rtsp_read_timeout_s + 10
    cams = MinuteRepository(db).camera_minutes("live")
    offline = sum(c.seconds_offline for c in cams)
    online = sum(c.seconds_online for c in cams)
    # two outages: the hang (>= 3 s paused) and the crash (>= 2 s down); recorded, never as zeros
    assert offline >= 5.0
    assert online > 5.0
    rows = MinuteRepository(db).minute_rows("live")
    assert rows and {r.zone_id for r in rows} == {"table", "hall"}
    assert sum(r.seconds_offline for r in rows if r.zone_id == "hall") == pytest.approx(offline, abs=0.01)
    assert sum(r.samples for r in rows if r.zone_id == "hall") == len(frames)
    assert people_seen > 0, "the real model saw nobody in the real footage"
    # each outage lasted longer than the 2.5 s camera_offline delay: two alerts, both cleared
    offline_alerts = [a for a in AlertRepository(db).find() if a.rule == "camera_offline"]
    assert len(offline_alerts) == 2
    assert all(a.cleared_at is not None and a.peak_value >= 2.5 for a in offline_alerts)
    # the latest anonymised frame was kept for the viewer, replaced in place
    assert (tmp_path / "evidence" / "latest" / "live.jpg").is_file()


def test_cvmon_run_flushes_the_open_minute_on_sigterm(
    start_rtsp_server: Callable[..., RtspServer], one_by_one_clip: Path, tmp_path: Path
) -> None:
    server = start_rtsp_server("--file", str(one_by_one_clip))
    config_path = tmp_path / "cameras.yaml"
    config_path.write_text(yaml.safe_dump(live_config(server.url)))
    db_url = f"sqlite:///{tmp_path / 'run.db'}"
    env = {**os.environ, "CVMON_DATABASE_URL": db_url, "CVMON_MODEL_DIR": str(MODEL_DIR)}
    cvmon = Path(sys.executable).parent / "cvmon"
    proc = subprocess.Popen(
        [str(cvmon), "run", str(config_path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        with open_database(db_url) as db:
            assert wait_until(lambda: len(CameraEventRepository(db).events("live")) >= 1, 40), (
                "the worker never came online"
            )
        time.sleep(4)
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    with open_database(db_url) as db:
        cams = MinuteRepository(db).camera_minutes("live")
        rows = MinuteRepository(db).minute_rows("live")
    # the run lasted a few seconds, so every row is of the minute that was open when it stopped
    assert sum(c.frames_analysed for c in cams) >= 10
    assert {r.zone_id for r in rows} == {"table", "hall"}
    assert "Traceback" not in err
