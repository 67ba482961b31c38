"""`cvmon run --cluster ADDRESS`: the cameras' hosts as Ray actors on a cluster of machines.

Each actor runs a ``CameraHost`` (the code a local worker process runs) with up to
``cameras_per_process`` cameras and declares ``cpus_per_camera`` CPUs (and GPUs, when asked) per
camera, so Ray places it on a node with room. Ray restarts an actor that fails and, when its node
dies, on a live node; the pool notices the new incarnation and starts the actor's cameras again.
A camera whose worker was lost records the gap as offline time when it starts again
(``cvmon.pipeline.runner.run_live`` with ``resume_gap``), and its minute rows are parts of a new run
(``cvmon.pipeline.write_sources``), added to what the lost worker wrote: no minute is counted twice.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from cvmon.config import Config
from cvmon.errors import BackendUnavailable, ConfigError

log = logging.getLogger(__name__)

STATUS_TIMEOUT_S = 2.0
"""How long the pool waits for an actor's status before trying again at the next look."""
MOVES_KEPT = 100
"""The latest camera moves kept for a caller to inspect (a long run does not keep them all)."""


class CameraHostActor:
    """The Ray actor: a CameraHost and the identity of this incarnation (new after each restart)."""

    def __init__(self, database_url: str, shared: bool, env: dict[str, str]) -> None:
        os.environ.update(env)
        from cvmon.logs import configure_logging
        from cvmon.pipeline.workers import CameraHost

        configure_logging()  # the actor's process starts with logging unconfigured

        self.host = CameraHost(database_url, shared)
        self.incarnation = uuid.uuid4().hex

    def start(self, config: Config, camera_id: str) -> None:
        self.host.start(config, camera_id)

    def stop(self, camera_id: str) -> None:
        self.host.stop(camera_id)

    def stop_all(self) -> None:
        self.host.stop_all()

    def status(self) -> dict[str, Any]:
        import ray

        return {
            "incarnation": self.incarnation,
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "running": self.host.running(),
            "ended": self.host.ended(),
        }


@dataclass(slots=True)
class _Actor:
    handle: Any
    name: str
    cameras: set[str] = field(default_factory=set)
    incarnation: str | None = None
    pid: int = 0
    node: str = ""
    quitting: bool = False


def forwarded_environment() -> dict[str, str]:
    """The driver's cvmon settings, passed to every actor (model folder, data folder, ...)."""
    return {k: v for k, v in os.environ.items() if k.startswith(("CVMON_", "YOLO_"))}


class RayWorkerPool:
    """Camera hosts as Ray actors; the same interface as the local ``WorkerPool``."""

    def __init__(
        self,
        address: str,
        database_url: str,
        cameras_per_process: int = 1,
        cpus_per_camera: float = 1.0,
        gpus_per_camera: float = 0.0,
    ) -> None:
        try:
            import ray
        except ImportError:
            raise BackendUnavailable(
                "--cluster needs Ray, which is not installed; install the extra: pip install 'cvmon[cluster]'"
            ) from None
        if cpus_per_camera < 0 or gpus_per_camera < 0:
            raise ConfigError("cpus and gpus per camera must not be negative")
        self.ray = ray
        try:
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False, ignore_reinit_error=True)
        except (ConnectionError, RuntimeError, ValueError) as err:
            reason = " ".join(str(err).split())[:200]
            raise ConfigError(f"--cluster {address}: cannot join the Ray cluster ({reason})") from None
        self.database_url = database_url
        self.cameras_per_process = max(1, cameras_per_process)
        self.cpus_per_camera = cpus_per_camera
        self.gpus_per_camera = gpus_per_camera
        self.actors: list[_Actor] = []
        self.configs: dict[str, Config] = {}
        self.exits: dict[str, int] = {}
        self.moves: deque[tuple[str, str, str]] = deque(maxlen=MOVES_KEPT)  # camera, old node, new node
        self._remote = ray.remote(CameraHostActor)
        self._made = 0

    @property
    def procs(self) -> dict[str, Any]:
        return {cam_id: a.handle for a in self.actors for cam_id in a.cameras}

    def _new_actor(self) -> _Actor:
        n = self.cameras_per_process
        name = f"cvmon-host-{os.getpid()}-{self._made}"
        self._made += 1
        handle = self._remote.options(
            name=name,
            num_cpus=self.cpus_per_camera * n,
            num_gpus=self.gpus_per_camera * n,
            max_restarts=-1,
            max_task_retries=-1,
            max_concurrency=4,
        ).remote(self.database_url, n > 1, forwarded_environment())
        actor = _Actor(handle, name)
        self.actors.append(actor)
        return actor

    def start(self, config: Config, camera_id: str) -> int:
        actor = (
            next((a for a in self.actors if not a.quitting and len(a.cameras) < self.cameras_per_process), None)
            or self._new_actor()
        )
        self.ray.get(actor.handle.start.remote(config, camera_id))
        actor.cameras.add(camera_id)
        self.configs[camera_id] = config
        self.exits.pop(camera_id, None)
        self._look(actor, wait_s=60.0)
        return actor.pid

    def _look(self, actor: _Actor, wait_s: float = STATUS_TIMEOUT_S) -> dict[str, Any] | None:
        """The actor's status; after a restart (new incarnation), its cameras are started again."""
        ray = self.ray
        try:
            status: dict[str, Any] = ray.get(actor.handle.status.remote(), timeout=wait_s)
        except (ray.exceptions.GetTimeoutError, ray.exceptions.RayActorError):
            return None
        if actor.incarnation is not None and status["incarnation"] != actor.incarnation:
            for cam_id in sorted(actor.cameras):
                if cam_id not in status["running"]:
                    ray.get(actor.handle.start.remote(self.configs[cam_id], cam_id))
                    self.moves.append((cam_id, actor.node, status["node"]))
                    log.info(
                        "cvmon: camera %s restarted on node %s (its worker on node %s was lost), pid %s",
                        cam_id,
                        status["node"][:12],
                        actor.node[:12],
                        status["pid"],
                    )
                    log.warning(
                        "camera %s: its host was lost on node %s; restarted on node %s",
                        cam_id,
                        actor.node[:12],
                        status["node"][:12],
                    )
        actor.incarnation, actor.pid, actor.node = status["incarnation"], status["pid"], status["node"]
        for cam_id, code in status["ended"]:
            if cam_id in actor.cameras and cam_id not in status["running"]:
                actor.cameras.discard(cam_id)
                self.exits[cam_id] = int(code)
        return status

    def running(self) -> set[str]:
        return {cam_id for a in self.actors for cam_id in a.cameras}

    def reap(self) -> None:
        for actor in list(self.actors):
            self._look(actor)
            if not actor.cameras:
                self._retire(actor)

    def _retire(self, actor: _Actor) -> None:
        actor.quitting = True
        self.ray.kill(actor.handle, no_restart=True)
        self.actors.remove(actor)

    def terminate(self, camera_ids: Collection[str] | None = None) -> None:
        for actor in self.actors:
            wanted = actor.cameras if camera_ids is None else actor.cameras & set(camera_ids)
            for cam_id in wanted:
                actor.handle.stop.remote(cam_id)

    def stop(self, camera_ids: Collection[str], timeout_s: float = 60.0) -> None:
        wanted = set(camera_ids)
        self.terminate(wanted)
        deadline = time.monotonic() + timeout_s
        while wanted & self.running() and time.monotonic() < deadline:
            time.sleep(0.2)
            for actor in self.actors:
                if actor.cameras & wanted:
                    self._look(actor)
        self.reap()

    def join(self, timeout_s: float = 60.0) -> None:
        """Wait until every camera has ended (an actor that does not answer within ``timeout_s``, on a
        node that is gone, say, is given up), then let the actors go."""
        deadline = time.monotonic() + timeout_s
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.5)
            for actor in self.actors:
                self._look(actor)
        for cam_id in self.running():
            self.exits.setdefault(cam_id, 1)
        for actor in list(self.actors):
            self._retire(actor)
        self.ray.shutdown()
