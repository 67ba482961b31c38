"""`cvmon room reference` and the room checks of `cvmon process`, on videos made of real frames."""

from __future__ import annotations

import json
import os
import sqlite3
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import yaml

from bench.room_scenes import REGIONS, frames
from tests.cli.test_alerts_cli import cvmon
from tests.conftest import ONE_BY_ONE

pytestmark = pytest.mark.skipif(not ONE_BY_ONE.is_file(), reason="needs the shared footage")
EMPTY = 880


def video(path: Path, images: list[np.ndarray], fps: int = 2) -> Path:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.width, stream.height = images[0].shape[1], images[0].shape[0]
        stream.pix_fmt = "yuv420p"
        for image in images:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    (tmp_path / "scene.yaml").write_text(yaml.safe_dump({"people": []}))
    regions = [{"id": r.id, "points": [list(p) for p in r.points]} for r in REGIONS]
    config = {
        "units": [{"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp"}],
        "cameras": [
            {
                "id": "hall",
                "unit": "ulp-ampenan",
                "source": "empty.mp4",
                "analysis_fps": 1,
                "detector": {"type": "replay", "model": str(tmp_path / "scene.yaml")},
                "room": {"regions": regions, "every_s": 5, "persist_s": 10, "opening_check_min": 1},
            }
        ],
    }
    (tmp_path / "cameras.yaml").write_text(yaml.safe_dump(config))
    empty = frames((EMPTY,))[EMPTY]
    untidy = empty.copy()
    untidy[320:380, 620:690] = 25  # a dark box left on the floor right of the table
    video(tmp_path / "empty.mp4", [empty] * 20)
    video(tmp_path / "untidy.mp4", [untidy] * 240)  # two minutes: 07:59:00 to 08:01:00 WITA
    env = {
        **os.environ,
        "CVMON_DATA_DIR": str(tmp_path / "data"),
        "CVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    return tmp_path, env


def process(tmp_path: Path, env: dict[str, str], name: str, start: str) -> None:
    args = ["process", str(tmp_path / name), "--config", str(tmp_path / "cameras.yaml"), "--camera", "hall"]
    done = cvmon([*args, "--start", start, "--no-progress"], env)
    assert done.returncode == 0, done.stderr


def test_a_reference_marked_from_the_camera_then_the_room_not_ready_at_opening(
    office: tuple[Path, dict[str, str]],
) -> None:
    tmp_path, env = office
    config = ["--config", str(tmp_path / "cameras.yaml")]
    refused = cvmon(["room", "reference", "hall", *config], env)
    assert refused.returncode == 1 and "no picture of its room" in refused.stderr + refused.stdout

    process(tmp_path, env, "empty.mp4", "2026-11-23T06:00:00+08:00")  # the empty room, before any check
    assert (tmp_path / "data" / "evidence" / "latest" / "hall.candidate.jpg").is_file()
    marked = cvmon(["room", "reference", "hall", *config], env)
    assert marked.returncode == 0, marked.stderr
    assert "room reference marked" in marked.stdout
    db = tmp_path / "x.db"
    assert rows(db, "select kind, camera_id from evidence") == [("room_reference", "hall")]
    ((target, details),) = rows(db, "select target, details from audit_log where action = 'room.reference'")
    assert target == "camera:hall" and json.loads(str(details))["source"] == "frame"
    assert (tmp_path / "data" / "evidence" / "latest" / "hall.reference.jpg").is_file()

    process(tmp_path, env, "untidy.mp4", "2026-11-23T07:59:00+08:00")
    alerts = rows(db, "select rule, zone_id, opened_at from alerts")
    assert [(rule, zone) for rule, zone, _ in alerts] == [("room_not_ready", "")]
    assert str(alerts[0][2]).startswith("2026-11-23 00:00:00")  # 08:00 WITA, when service opened
    kinds = [k for (k,) in rows(db, "select kind from evidence order by id")]
    assert kinds[0] == "room_reference" and "room_opening" in kinds and "open" in kinds
    # The alert's evidence is the opening picture (the same file's content, with the box outlined).
    linked = rows(db, "select e.kind, e.sha256 from evidence e join alerts a on e.alert_id = a.id")
    opening = rows(db, "select sha256 from evidence where kind = 'room_opening'")
    assert [kind for kind, _ in linked] == ["open"] and linked[0][1] == opening[0][0]


def test_bad_input_is_a_one_line_error(office: tuple[Path, dict[str, str]]) -> None:
    tmp_path, env = office
    (tmp_path / "not-a-picture.jpg").write_text("hello")
    config = ["--config", str(tmp_path / "cameras.yaml")]
    bad = cvmon(["room", "reference", "hall", "--image", str(tmp_path / "not-a-picture.jpg"), *config], env)
    assert bad.returncode == 2 and "is not a readable picture" in bad.stderr and "Traceback" not in bad.stderr
    unknown = cvmon(["room", "reference", "lobby", *config], env)
    assert unknown.returncode == 2 and "no camera 'lobby'" in unknown.stderr
