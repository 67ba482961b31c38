"""`cvmon run`: worker processes that each host one or more cameras (one thread per camera, one
detector per model and process); SIGINT/SIGTERM stop them cleanly; edits of the configuration file
are picked up while they run (see ``cvmon.pipeline.reload``)."""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cvmon.config import Config, load_config
from cvmon.detectors.shared import DetectorCache
from cvmon.errors import CvmonError, StorageError
from cvmon.logs import ON_STDOUT, configure_logging, is_verbose
from cvmon.pipeline.reload import FileWatcher, ReloadPlan, plan_reload, reload_every_s, wanted_cameras
from cvmon.settings import get_settings

if TYPE_CHECKING:
    from cvmon.pipeline.bookkeeping import RunBookkeeping

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 60.0  # a stopped worker flushes its open minute; after this it is killed


@dataclass(frozen=True, slots=True)
class WorkerExit:
    camera_id: str
    exit_code: int


def camera_worker(
    config: Config | str,
    camera_id: str,
    database_url: str,
    stop: threading.Event | None = None,
    detectors: DetectorCache | None = None,
    decode_threads: int = 0,
) -> int:
    """Run one camera until its stream ends (files) or until stopped (live). Returns an exit code.

    ``config`` is a validated configuration or the path of a cameras.yaml to load. A live camera
    measures even while the database is unreachable (at its start too): its writes wait in its spool
    (``cvmon.pipeline.spooling``). A recording is written in one transaction at the end, or not at all.
    ``detectors`` shares models with the other cameras of the process. Called in the main thread,
    SIGINT and SIGTERM stop it.
    """
    from cvmon.pipeline.greeting_reference import use_stored_references
    from cvmon.pipeline.outputs import camera_outputs
    from cvmon.pipeline.runner import build_pipeline, open_source, process_recording, run_live
    from cvmon.pipeline.spooling import live_outputs
    from cvmon.storage.database import open_database

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        if isinstance(config, str):
            config = load_config(config)
        camera = config.camera(camera_id)
        settings = get_settings()
        pipeline = build_pipeline(config, camera, settings.resolved_model_dir, detectors)
        source = open_source(config, camera, decode_threads=decode_threads)
        if camera.behaviour is not None and camera.behaviour.enabled:
            with open_database(database_url) as db:
                use_stored_references(pipeline, db)
        if camera.is_live:
            gap = _resume_point(database_url, camera_id)
            sink, capture = live_outputs(database_url, settings.data_dir, settings.evidence_dir, config, camera)
            with sink:
                run_live(pipeline, source, sink, stop, capture=capture, resume_gap=gap)
        else:
            with open_database(database_url) as db:
                outputs, capture = camera_outputs(db, settings.evidence_dir, config, camera)
                result = process_recording(pipeline, source, outputs, capture=capture)
                log.info(
                    "[%s] %s frames analysed, %d minute rows", camera_id, result.summary["frames_analysed"], result.rows
                )
    except CvmonError as e:
        log.error("[%s] error: %s", camera_id, e, extra=ON_STDOUT)
        return 1
    except Exception as e:  # a camera's unexpected failure must not take its process's other cameras down
        log.error("[%s] error: unexpected %s: %s", camera_id, type(e).__name__, e, extra=ON_STDOUT)
        return 1
    return 0


def _resume_point(database_url: str, camera_id: str) -> datetime | None:
    """Where a lost previous worker's data ends (see ``CameraEventRepository.resume_point``); None
    when the database cannot tell now (it is down: the camera starts anyway, spooling)."""
    from cvmon.storage.database import open_database
    from cvmon.storage.events import CameraEventRepository

    try:
        with open_database(database_url) as db:
            return CameraEventRepository(db).resume_point(camera_id)
    except StorageError as err:
        log.warning(
            "[%s] cannot look up the previous worker's end (%s); no gap recorded", camera_id, err, extra=ON_STDOUT
        )
        return None


def cameras_per_process_auto(cameras: int, cpus: int | None = None) -> int:
    """Cameras one worker process hosts when not told: the cameras spread over one process per core."""
    cores = max(1, cpus or os.cpu_count() or 1)
    return max(1, math.ceil(cameras / cores))


class CameraHost:
    """Cameras running in threads of one process, one detector per distinct model shared between them.

    The body of a local worker process (``_host_main``) and of a cluster actor
    (``cvmon.pipeline.cluster``): the same code runs a camera wherever it is placed.
    """

    def __init__(self, database_url: str, shared: bool) -> None:
        self.database_url = database_url
        self.detectors = DetectorCache(get_settings().resolved_model_dir, single_thread=shared)
        self.decode_threads = 1 if shared else 0
        self._lock = threading.Lock()
        self._stops: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._ended: dict[str, int] = {}  # the latest exit code of each camera that ended since ``ended()``
        self.on_exit: Callable[[str, int], None] | None = None

    def start(self, config: Config, camera_id: str) -> None:
        """Start a camera in a thread of its own (a camera still stopping is waited for first)."""
        old = self._threads.get(camera_id)
        if old is not None:
            self._stops[camera_id].set()
            old.join()
        stop = threading.Event()
        thread = threading.Thread(
            target=self._run, args=(config, camera_id, stop), name=f"camera-{camera_id}", daemon=True
        )
        with self._lock:
            self._stops[camera_id], self._threads[camera_id] = stop, thread
        thread.start()

    def _run(self, config: Config, camera_id: str, stop: threading.Event) -> None:
        code = 1
        try:
            code = camera_worker(config, camera_id, self.database_url, stop, self.detectors, self.decode_threads)
        finally:
            with self._lock:
                if self._stops.get(camera_id) is stop:
                    del self._stops[camera_id], self._threads[camera_id]
                self._ended[camera_id] = code
            if self.on_exit is not None:
                self.on_exit(camera_id, code)

    def stop(self, camera_id: str) -> None:
        """Ask a camera to stop: it flushes its open minute and ends."""
        with self._lock:
            event = self._stops.get(camera_id)
        if event is not None:
            event.set()

    def running(self) -> list[str]:
        with self._lock:
            return sorted(self._threads)

    def ended(self) -> list[tuple[str, int]]:
        """Cameras that ended since the last call, each with its latest exit code (kept per camera, so a
        host whose caller never asks, a local worker process, holds no more than one entry per camera)."""
        with self._lock:
            out, self._ended = self._ended, {}
        return list(out.items())

    def stop_all(self, timeout_s: float | None = None) -> None:
        """Stop every camera and wait for them."""
        with self._lock:
            events, threads = list(self._stops.values()), list(self._threads.values())
        for event in events:
            event.set()
        for thread in threads:
            thread.join(timeout_s)


def _host_main(conn: Connection, database_url: str, shared: bool, verbose: bool = False) -> None:
    """Body of a local worker process: a CameraHost driven through a pipe by the pool; reports each
    camera's exit code. SIGTERM (or the pool going away) stops all its cameras. Its cameras' lines are
    shown as the command line's are (a spawned process starts with logging unconfigured)."""
    configure_logging(verbose)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    host = CameraHost(database_url, shared)
    send_lock = threading.Lock()

    def report(camera_id: str, code: int) -> None:
        with send_lock, contextlib.suppress(OSError, ValueError):
            conn.send(("exit", camera_id, code))

    host.on_exit = report
    quit_asked = False
    while not stopping.is_set():
        try:
            message = conn.recv() if conn.poll(0.2) else None
        except (EOFError, OSError):
            break  # the pool is gone: stop everything
        if message is None:
            if quit_asked and not host.running():
                break
            continue
        verb = message[0]
        if verb == "start":
            host.start(message[1], message[2])
        elif verb == "stop":
            host.stop(message[1])
        elif verb == "quit":
            quit_asked = True
    host.stop_all()


class CameraPool(Protocol):
    """Where `cvmon run` runs its cameras: local worker processes, or actors on a cluster."""

    exits: dict[str, int]

    @property
    def procs(self) -> Mapping[str, object]: ...

    def start(self, config: Config, camera_id: str) -> int: ...

    def running(self) -> set[str]: ...

    def reap(self) -> None: ...

    def terminate(self, camera_ids: Collection[str] | None = None) -> None: ...

    def stop(self, camera_ids: Collection[str], timeout_s: float = ...) -> None: ...

    def join(self) -> None: ...


@dataclass(slots=True)
class _Host:
    process: BaseProcess
    conn: Connection
    cameras: set[str] = field(default_factory=set)
    quitting: bool = False


class WorkerPool:
    """The worker processes of one run; each hosts up to ``cameras_per_process`` cameras, one thread
    each, sharing one detector per model. Cameras are started and stopped one by one; the latest exit
    code of each camera is kept in ``exits``."""

    def __init__(self, database_url: str, cameras_per_process: int = 1) -> None:
        self.database_url = database_url
        self.cameras_per_process = max(1, cameras_per_process)
        self.ctx = mp.get_context("spawn")
        self.hosts: list[_Host] = []
        self.configs: dict[str, Config] = {}
        self.exits: dict[str, int] = {}

    @property
    def procs(self) -> dict[str, BaseProcess]:
        """The running cameras and the process each runs in."""
        return {cam_id: h.process for h in self.hosts for cam_id in h.cameras}

    def _host_with_room(self) -> _Host:
        for host in self.hosts:
            if host.process.is_alive() and not host.quitting and len(host.cameras) < self.cameras_per_process:
                return host
        parent, child = self.ctx.Pipe()
        shared = self.cameras_per_process > 1
        proc = self.ctx.Process(
            target=_host_main,
            args=(child, self.database_url, shared, is_verbose()),
            name=f"cvmon-worker-{len(self.hosts)}",
        )
        proc.start()
        child.close()
        host = _Host(proc, parent)
        self.hosts.append(host)
        return host

    def start(self, config: Config, camera_id: str) -> int:
        """Start a camera on ``config`` in a process with room; returns that process's pid."""
        host = self._host_with_room()
        host.conn.send(("start", config, camera_id))
        host.cameras.add(camera_id)
        self.configs[camera_id] = config
        self.exits.pop(camera_id, None)
        return host.process.pid or 0

    def running(self) -> set[str]:
        return {cam_id for h in self.hosts if h.process.is_alive() for cam_id in h.cameras}

    def reap(self) -> None:
        """Note the exit codes of cameras that ended, and of every camera of a process that died."""
        for host in list(self.hosts):
            with contextlib.suppress(EOFError, OSError):
                while host.conn.poll():
                    verb, cam_id, code = host.conn.recv()
                    if verb == "exit" and cam_id in host.cameras:
                        host.cameras.discard(cam_id)
                        self.exits[cam_id] = int(code)
            if not host.process.is_alive():
                host.process.join()
                for cam_id in host.cameras:
                    self.exits[cam_id] = host.process.exitcode or 1
                host.cameras.clear()
            if not host.cameras:
                self._retire(host)

    def _retire(self, host: _Host) -> None:
        """Let an empty process end (it is not reused: a fresh one starts clean)."""
        if not host.quitting:
            host.quitting = True
            with contextlib.suppress(OSError, ValueError):
                host.conn.send(("quit",))
        if not host.process.is_alive():
            host.process.join()
            host.conn.close()
            self.hosts.remove(host)

    def terminate(self, camera_ids: Collection[str] | None = None) -> None:
        """Ask cameras (all when None) to stop: each flushes its open minute and ends."""
        for host in self.hosts:
            if not host.process.is_alive():
                continue
            if camera_ids is None:
                host.process.terminate()
                continue
            for cam_id in host.cameras & set(camera_ids):
                with contextlib.suppress(OSError, ValueError):
                    host.conn.send(("stop", cam_id))

    def stop(self, camera_ids: Collection[str], timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stop these cameras and wait for them. A camera that does not end in time takes its process
        down with it; the other cameras of that process are started again elsewhere."""
        wanted = set(camera_ids)
        self.terminate(wanted)
        deadline = time.monotonic() + timeout_s
        while wanted & self.running() and time.monotonic() < deadline:
            time.sleep(0.05)
            self.reap()
        for host in [h for h in self.hosts if h.quitting]:  # emptied by this stop: let them end
            host.process.join(max(0.0, deadline - time.monotonic()))
        stuck = [h for h in self.hosts if (h.cameras & wanted or h.quitting) and h.process.is_alive()]
        collateral: set[str] = set()
        for host in stuck:
            collateral |= host.cameras - wanted
            host.process.kill()
        self.reap()
        for cam_id in sorted(collateral):
            self.start(self.configs[cam_id], cam_id)

    def join(self) -> None:
        for host in self.hosts:
            host.process.join()
        self.reap()
        for host in list(self.hosts):
            self._retire(host)


def apply_reload(
    config_path: Path,
    old: Config,
    pool: CameraPool,
    bookkeeping: RunBookkeeping,
    only: Collection[str] | None = None,
) -> tuple[Config, ReloadPlan]:
    """Load the edited file; if valid, store it (now, or once the database answers) and restart,
    start and stop the workers it concerns.

    Returns the configuration now in force (the new one, or ``old`` when the edit is refused) and what was done.
    """
    try:
        new = load_config(config_path)
    except CvmonError as err:
        reason = " ".join(str(err).split())
        log.warning("cvmon: config reload refused: %s", reason)
        return old, ReloadPlan()
    pool.reap()
    plan = plan_reload(old, new, pool.running(), only)
    bookkeeping.set_config(new)  # zones and units stored before the restarted workers write rows of them
    pool.stop([*plan.restart, *plan.stop])
    for cam_id in plan.stop:
        log.info("cvmon: camera %s stopped (removed or disabled)", cam_id)
    for cam_id in plan.restart:
        log.info("cvmon: camera %s restarted (settings changed), pid %d", cam_id, pool.start(new, cam_id))
    for cam_id in plan.start:
        log.info("cvmon: camera %s started, pid %d", cam_id, pool.start(new, cam_id))
    if not plan:
        log.info("cvmon: config reloaded, no camera affected")
    return new, plan


def run_cameras(
    config_path: Path,
    database_url: str,
    cameras: list[str] | None = None,
    reload_every: float | None = None,
    cameras_per_process: int | None = None,
    cluster: str | None = None,
    cpus_per_camera: float = 1.0,
    gpus_per_camera: float = 0.0,
) -> list[WorkerExit]:
    """Start every enabled camera and wait; SIGINT/SIGTERM are passed on to them.

    Cameras are spread over worker processes of up to ``cameras_per_process`` cameras each (default:
    one process per CPU core, see ``cameras_per_process_auto``). With ``cluster`` (a Ray address)
    they run as actors on that cluster instead, declaring ``cpus_per_camera`` and ``gpus_per_camera``
    (default one camera per actor), see ``cvmon.pipeline.cluster``.

    Every ``reload_every`` seconds (default CVMON_RELOAD_EVERY_S, 2 s) the configuration file is
    checked for edits; see ``apply_reload``. The run ends when no worker runs any more, unless an
    edit stopped the last ones: then it waits for the next edit or a signal.
    """
    every = reload_every if reload_every is not None else reload_every_s()
    watcher = FileWatcher(Path(config_path))  # before loading: an edit in between is seen
    config = load_config(config_path)
    from cvmon.alerts.notifications import load_notify_settings
    from cvmon.pipeline.bookkeeping import RunBookkeeping

    starting = wanted_cameras(config, cameras)
    pool: CameraPool
    if cluster:
        from cvmon.pipeline.cluster import RayWorkerPool

        pool = RayWorkerPool(cluster, database_url, cameras_per_process or 1, cpus_per_camera, gpus_per_camera)
    else:
        pool = WorkerPool(database_url, cameras_per_process or cameras_per_process_auto(len(starting)))
    bookkeeping = RunBookkeeping(database_url, config, load_notify_settings(), get_settings().evidence_dir).start()
    for cam_id in starting:
        log.info("cvmon: camera %s started, pid %d", cam_id, pool.start(config, cam_id))
    stopping = threading.Event()

    def forward(signum: int, _frame: object) -> None:
        stopping.set()
        pool.terminate()  # SIGTERM: the worker flushes its open minute and exits

    old_int = signal.signal(signal.SIGINT, forward)
    old_term = signal.signal(signal.SIGTERM, forward)
    try:
        idle_by_edit = False
        next_look = time.monotonic() + every
        while not stopping.is_set():
            pool.reap()
            if not pool.procs and not idle_by_edit:
                break
            stopping.wait(max(0.0, min(0.5, next_look - time.monotonic())))
            if stopping.is_set() or time.monotonic() < next_look:
                continue
            next_look = time.monotonic() + every
            if watcher.changed():
                config, plan = apply_reload(Path(config_path), config, pool, bookkeeping, cameras)
                idle_by_edit = (idle_by_edit or bool(plan.stop)) and not pool.procs
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
        pool.terminate()
        pool.join()
        bookkeeping.close()
    return [WorkerExit(cid, code) for cid, code in pool.exits.items()]
