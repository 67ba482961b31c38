"""`cvmon run` picks up an edited cameras.yaml: two live cameras on a real RTSP server and one file
camera; the edited camera's worker is replaced and its minute is split at the edit, the others run
on untouched; an invalid edit is refused; a removed camera's worker stops."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from cvmon.metrics.aggregate import minute_of
from cvmon.storage.database import open_database
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import ZoneRecord
from cvmon.types import SourceEventKind
from tests.conftest import make_blank_video
from tests.sources.cvmon_run import CvmonRun, alive, pid_of, wait_until, write_config

if TYPE_CHECKING:
    from conftest import RtspServer

pytestmark = pytest.mark.rtsp
SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
LEFT = [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]
RIGHT = [[0.5, 0.0], [1.0, 0.0], [1.0, 1.0], [0.5, 1.0]]
LATEST_EDIT_SECOND = 40  # the restart takes a few seconds; both halves must fall in the same minute


def test_cvmon_run_reloads_the_edited_camera_only(start_rtsp_server: Callable[..., RtspServer], tmp_path: Path) -> None:
    server = start_rtsp_server("--pattern", "--width", "320", "--height", "180", "--fps", "10")
    scene = tmp_path / "scene.yaml"  # one person standing in the left half, the whole time
    scene.write_text(yaml.safe_dump({"people": [{"path": [[0, 0.25, 0.9], [1e6, 0.25, 0.9]], "size": [0.1, 0.4]}]}))
    clip = make_blank_video(tmp_path / "short.mp4", seconds=2)
    data: dict[str, Any] = {
        "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
        "defaults": {
            "analysis_fps": 5,
            "detector": {"type": "replay", "model": str(scene)},
            "rtsp_open_timeout_s": 5,
            "rtsp_read_timeout_s": 3,
            "reconnect_max_s": 1,
        },
        "cameras": [
            {
                "id": "cam-a",
                "unit": "ulp-a",
                "source": server.url,
                "zones": [
                    {"id": "hall", "kind": "waiting", "points": SQUARE},
                    {"id": "desk", "kind": "queue", "points": LEFT},
                ],
            },
            {
                "id": "cam-b",
                "unit": "ulp-a",
                "source": server.url,
                "zones": [{"id": "hall", "kind": "waiting", "points": SQUARE}],
            },
            {
                "id": "cam-f",
                "unit": "ulp-a",
                "source": str(clip),
                "zones": [{"id": "hall", "kind": "waiting", "points": SQUARE}],
            },
        ],
    }
    config_path = tmp_path / "cameras.yaml"
    write_config(config_path, data)
    db_url = f"sqlite:///{tmp_path / 'reload.db'}"
    env = {**os.environ, "CVMON_DATABASE_URL": db_url, "CVMON_RELOAD_EVERY_S": "0.5"}
    # A process per camera, so that each camera's restart shows as a new pid (cameras sharing a
    # process are covered by tests/sources/test_shared_workers.py).
    run = CvmonRun([str(config_path), "--cameras-per-process", "1"], env)
    out, err = run.out, run.err
    db = open_database(db_url)

    def online(camera_id: str) -> int:
        return sum(e.kind is SourceEventKind.ONLINE for e in CameraEventRepository(db).events(camera_id))

    try:
        assert wait_until(lambda: len(out.starting("cvmon: camera ")) == 3, 20), (out.lines, err.lines)
        pids = {line.split()[2]: pid_of(line) for line in out.starting("cvmon: camera ")}
        assert wait_until(lambda: online("cam-a") and online("cam-b"), 30), (out.lines, err.lines)
        assert wait_until(lambda: not alive(pids["cam-f"]), 20), "the file camera did not end on its own"
        time.sleep(1.5)  # some frames in the minute of the edit
        if datetime.now(UTC).second > LATEST_EDIT_SECOND:
            time.sleep(61.5 - datetime.now(UTC).second)

        # 1. cam-a: a zone added, a polygon moved
        data["cameras"][0]["zones"] = [
            {"id": "hall", "kind": "waiting", "points": SQUARE},
            {"id": "desk", "kind": "queue", "points": RIGHT},
            {"id": "counter", "kind": "counter_customer", "points": LEFT},
        ]
        write_config(config_path, data)
        assert wait_until(lambda: out.starting("cvmon: camera cam-a restarted"), 30), (out.lines, err.lines)
        change_minute = minute_of(datetime.now(UTC))
        new_a = pid_of(out.starting("cvmon: camera cam-a restarted")[0])
        first_half = {r.zone_id: r for r in MinuteRepository(db).minute_rows("cam-a") if r.minute == change_minute}
        assert new_a != pids["cam-a"] and not alive(pids["cam-a"])
        assert alive(pids["cam-b"])
        assert wait_until(lambda: online("cam-a") == 2, 30), "the new worker of cam-a never came online"
        time.sleep(2)

        # 2. an invalid edit: refused, every worker goes on
        invalid = yaml.safe_load(yaml.safe_dump(data))
        invalid["cameras"][0]["zones"][2]["points"] = [[0.0, 0.0], [0.5, 0.5]]
        write_config(config_path, invalid)
        assert wait_until(lambda: err.starting("cvmon: config reload refused: "), 10), (out.lines, err.lines)
        assert "cameras[0].zones[2].points" in err.starting("cvmon: config reload refused: ")[0]

        # 3. cam-b removed (back from the refused edit to a valid one: cam-a is as it was, so untouched)
        del data["cameras"][1]
        write_config(config_path, data)
        assert wait_until(lambda: out.starting("cvmon: camera cam-b stopped"), 20), (out.lines, err.lines)
        assert not alive(pids["cam-b"]) and alive(new_a)
    finally:
        code = run.stop()
    assert code == 0, run.lines
    assert "Traceback" not in "\n".join(err.lines)
    # one line per camera and change: cam-b and cam-f were never restarted, nobody after the refused edit
    camera_lines = [line for line in out.lines if line.startswith("cvmon: camera ")]
    assert [line.rsplit(", pid", 1)[0] for line in camera_lines] == [
        "cvmon: camera cam-a started",
        "cvmon: camera cam-b started",
        "cvmon: camera cam-f started",
        "cvmon: camera cam-a restarted (settings changed)",
        "cvmon: camera cam-b stopped (removed or disabled)",
    ]

    rows = MinuteRepository(db).minute_rows("cam-a")
    cams = {c.minute: c for c in MinuteRepository(db).camera_minutes("cam-a")}
    with db.transaction("cannot read zones from", write=False) as session:
        zones = {z.zone_id: z.points for z in session.query(ZoneRecord).filter_by(camera_id="cam-a")}
    db.close()
    keys = [(r.zone_id, r.minute) for r in rows]
    assert len(keys) == len(set(keys))  # one row per camera, zone and minute
    assert zones["desk"] == RIGHT and zones["counter"] == LEFT  # the moved and the added zone are stored
    assert {r.zone_id for r in rows if r.minute < change_minute} <= {"hall", "desk"}
    assert {r.zone_id for r in rows if r.minute >= change_minute} == {"hall", "desk", "counter"}

    # the minute of the edit holds both halves, merged: the old worker's, then the new one's
    split = {r.zone_id: r for r in rows if r.minute == change_minute}
    old_hall = first_half["hall"]
    assert set(first_half) == {"hall", "desk"} and old_hall.samples > 0
    assert "counter" not in first_half  # zones of the new config only start with the new worker
    assert split["counter"].samples > 0
    assert split["counter"].t_first_s > old_hall.t_last_s  # ... at the moment of the change
    assert split["hall"].samples == old_hall.samples + split["counter"].samples
    assert split["hall"].count_sum == old_hall.count_sum + split["counter"].count_sum
    assert split["hall"].t_first_s == old_hall.t_first_s
    assert split["desk"].samples == split["hall"].samples
    assert split["desk"].count_sum == first_half["desk"].count_sum  # the person is left: in the old desk only
    assert cams[change_minute].frames_analysed == split["hall"].samples
