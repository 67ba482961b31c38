"""`cvmon run` started while its PostgreSQL is down (a server of the test's own): the camera is
analysed at once and its rows wait in the spool; once the server is up, the configuration is stored
first, then every spooled row and event arrives, once."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cvmon.storage.database import open_database
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.spool import Spool
from cvmon.types import SourceEventKind
from tests.own_postgres import own_postgres, postgres_bin
from tests.sources.cvmon_run import CvmonRun, hall_camera, live_config, standing_person, wait_until, write_config

if TYPE_CHECKING:
    from conftest import RtspServer

BIN = postgres_bin()
pytestmark = [
    pytest.mark.rtsp,
    pytest.mark.skipif(BIN is None, reason="PostgreSQL server binaries (initdb, pg_ctl) are not installed"),
]


def spooled(path: Path) -> int:
    """Writes waiting in a camera's spool file (0 before it exists)."""
    if not path.exists():
        return 0
    spool = Spool(path)
    try:
        return len(spool)
    finally:
        spool.close()


def test_cvmon_run_measures_while_the_database_is_down_and_delivers_when_it_is_up(
    start_rtsp_server: Callable[..., RtspServer], tmp_path: Path
) -> None:
    assert BIN is not None
    server = start_rtsp_server("--pattern", "--width", "320", "--height", "180", "--fps", "10")
    replay = {"type": "replay", "model": str(standing_person(tmp_path))}
    data = live_config([hall_camera("cam-a", server.url)], replay)
    config_path = tmp_path / "cameras.yaml"
    write_config(config_path, data)
    with own_postgres(BIN) as pg:
        pg.stop()  # down before cvmon run starts
        env = {**os.environ, "CVMON_DATABASE_URL": pg.url, "CVMON_DATA_DIR": str(tmp_path / "data")}
        run = CvmonRun([str(config_path)], env)
        try:
            assert wait_until(lambda: run.out.starting("cvmon: database unreachable"), 30), run.lines
            assert wait_until(lambda: run.out.starting("cvmon: camera cam-a started"), 10), run.lines
            spool = tmp_path / "data" / "spool" / "cam-a.db"
            assert wait_until(lambda: spooled(spool) > 0, 30), run.lines  # measuring, and spooling
            time.sleep(4)
            up_at = datetime.now(UTC)
            pg.start()
            assert wait_until(lambda: run.out.starting("cvmon: database reachable again"), 30), run.lines
            db = open_database(pg.url)
            try:
                assert wait_until(lambda: CameraEventRepository(db).events("cam-a"), 30), (
                    run.lines
                )  # the spool is being delivered
                time.sleep(2)
            finally:
                db.close()
        finally:
            code = run.stop()
        assert code == 0, run.lines
        assert "Traceback" not in "\n".join(run.err.lines + run.out.lines)
        with open_database(pg.url) as db:
            stored = CameraEventRepository(db).events("cam-a")
            events = [e.kind for e in stored]
            rows = MinuteRepository(db).minute_rows("cam-a")
            cams = MinuteRepository(db).camera_minutes("cam-a")
        assert events == [SourceEventKind.ONLINE, SourceEventKind.OFFLINE]  # online, then stopped
        keys = [(r.zone_id, r.minute) for r in rows]
        assert rows and len(keys) == len(set(keys))
        frames = sum(c.frames_analysed for c in cams)
        assert sum(r.samples for r in rows) == frames
        # what was measured while the database was down is there too
        assert stored[0].ts < up_at - timedelta(seconds=3)
        assert min(r.minute + timedelta(seconds=r.t_first_s) for r in rows) < up_at - timedelta(seconds=3)
