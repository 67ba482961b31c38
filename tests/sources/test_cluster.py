"""`cvmon run --cluster`: a camera's worker as a Ray actor on a real local multi-node Ray cluster,
writing to a real PostgreSQL; the node that runs it is killed, the worker resumes on the other node,
and the minute rows show the gap as offline time, with no minute counted twice."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, text

from cvmon.pipeline.runner import WORKER_LOST, WORKER_STOPPED
from cvmon.storage.database import open_database
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import SourceEventKind
from tests.sources.cvmon_run import (
    CvmonRun,
    hall_camera,
    live_config,
    pid_of,
    standing_person,
    wait_until,
    write_config,
)
from tests.storage.conftest import POSTGRES_SERVER, postgres_admin  # noqa: F401

if TYPE_CHECKING:
    from conftest import RtspServer

ray = pytest.importorskip("ray", reason="the cluster extra (Ray) is not installed")
cluster_utils = pytest.importorskip("ray.cluster_utils")

pytestmark = [pytest.mark.rtsp, pytest.mark.postgres]
MOVE_BOUND_S = 90  # how long the test waits for the worker to come back on the other node


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:  # noqa: F811
    name = f"cvmon_test_{uuid.uuid4().hex[:16]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{POSTGRES_SERVER}/{name}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def ray_cluster() -> Iterator[Any]:
    """A head that runs nothing and two worker nodes of one CPU each, all on this machine."""
    cluster = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    nodes = [cluster.add_node(num_cpus=1) for _ in range(2)]
    cluster.wait_for_nodes()
    cluster.test_nodes = nodes
    yield cluster
    cluster.shutdown()


def node_of(cluster: Any, pid: int) -> Any:
    """The cluster node whose raylet started the worker process ``pid``."""
    parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    for node in cluster.test_nodes:
        raylets = node.all_processes.get("raylet", [])
        if any(info.process.pid == parent for info in raylets):
            return node
    raise AssertionError(f"pid {pid} (parent {parent}) belongs to no worker node")


def test_a_camera_moves_to_a_live_node_when_its_node_dies(
    ray_cluster: Any, postgres_url: str, start_rtsp_server: Callable[..., RtspServer], tmp_path: Path
) -> None:
    server = start_rtsp_server("--pattern", "--width", "320", "--height", "180", "--fps", "10")
    replay = {"type": "replay", "model": str(standing_person(tmp_path))}
    data = live_config([hall_camera("cam-a", server.url)], replay)
    config_path = tmp_path / "cameras.yaml"
    write_config(config_path, data)
    env = {**os.environ, "CVMON_DATABASE_URL": postgres_url, "CVMON_RELOAD_EVERY_S": "0.5"}
    run = CvmonRun([str(config_path), "--cluster", ray_cluster.address], env)
    out, err = run.out, run.err
    db = open_database(postgres_url)

    def online() -> int:
        return sum(e.kind is SourceEventKind.ONLINE for e in CameraEventRepository(db).events("cam-a"))

    try:
        assert wait_until(lambda: out.starting("cvmon: camera cam-a started"), 60), (out.lines, err.lines)
        first_pid = pid_of(out.starting("cvmon: camera cam-a started")[0])
        victim = node_of(ray_cluster, first_pid)
        assert wait_until(lambda: online() == 1, 30), (out.lines, err.lines)
        time.sleep(3)  # some analysed frames, and a complete minute perhaps

        killed_at = time.monotonic()
        ray_cluster.remove_node(victim, allow_graceful=False)
        assert wait_until(lambda: out.starting("cvmon: camera cam-a restarted on node"), MOVE_BOUND_S), (
            out.lines,
            err.lines,
        )
        new_pid = pid_of(out.starting("cvmon: camera cam-a restarted on node")[0])
        assert node_of(ray_cluster, new_pid) is not victim
        assert wait_until(lambda: online() == 2, 30), (out.lines, err.lines)
        moved_s = time.monotonic() - killed_at
        print(f"the camera was analysed again {moved_s:.1f} s after its node was killed")
        time.sleep(3)
    finally:
        code = run.stop()
    assert code == 0, run.lines
    assert "Traceback" not in "\n".join(err.lines)

    events = CameraEventRepository(db).events("cam-a")
    assert [(e.kind, e.reason) for e in events] == [
        (SourceEventKind.ONLINE, ""),
        (SourceEventKind.OFFLINE, WORKER_LOST),
        (SourceEventKind.ONLINE, ""),
        (SourceEventKind.OFFLINE, WORKER_STOPPED),
    ]
    lost_at, back_at = events[1].ts, events[2].ts
    assert back_at > lost_at
    cams = MinuteRepository(db).camera_minutes("cam-a")
    offline = sum(c.seconds_offline for c in cams)
    # the gap from the lost worker's last stored frame to the new worker's first one is offline time
    assert offline == pytest.approx((back_at - lost_at).total_seconds(), abs=1.0)
    assert offline > 1.0
    rows = MinuteRepository(db).minute_rows("cam-a")
    keys = [(r.zone_id, r.minute) for r in rows]
    assert len(keys) == len(set(keys))  # one row per zone and minute: nothing counted twice
    assert sum(r.seconds_offline for r in rows) == pytest.approx(offline, abs=0.01)
    assert all(r.count_max == 1 for r in rows if r.samples)  # the one person, never doubled
    db.close()
