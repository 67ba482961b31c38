"""`cvmon run`: one worker process per camera; SIGINT/SIGTERM stop them cleanly; edits of the
configuration file are picked up while they run (see ``cvmon.pipeline.reload``)."""

from __future__ import annotations

import multiprocessing as mp
import signal
import sys
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from cvmon.config import Config, load_config
from cvmon.errors import CvmonError
from cvmon.pipeline.reload import FileWatcher, ReloadPlan, plan_reload, reload_every_s, wanted_cameras
from cvmon.settings import get_settings

if TYPE_CHECKING:
    from cvmon.pipeline.housekeeping import Housekeeper
    from cvmon.storage.database import Database

STOP_TIMEOUT_S = 60.0  # a stopped worker flushes its open minute; after this it is killed


@dataclass(frozen=True, slots=True)
class WorkerExit:
    camera_id: str
    exit_code: int


def camera_worker(config: Config | str, camera_id: str, database_url: str, stop: threading.Event | None = None) -> int:
    """Run one camera until its stream ends (files) or until stopped (live). Returns an exit code.

    ``config`` is a validated configuration or the path of a cameras.yaml to load. A live camera
    measures even while the database is unreachable (at its start too): its writes wait in its spool
    (``cvmon.pipeline.spooling``). A recording is written in one transaction at the end, or not at all.
    """
    from cvmon.pipeline.outputs import camera_outputs
    from cvmon.pipeline.runner import build_pipeline, open_source, process_recording, run_live
    from cvmon.pipeline.spooling import live_outputs
    from cvmon.storage.database import open_database

    stop = stop or threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        if isinstance(config, str):
            config = load_config(config)
        camera = config.camera(camera_id)
        settings = get_settings()
        pipeline = build_pipeline(config, camera, settings.resolved_model_dir)
        source = open_source(config, camera)
        if camera.is_live:
            sink, capture = live_outputs(database_url, settings.data_dir, settings.evidence_dir, config, camera)
            with sink:
                run_live(pipeline, source, sink, stop, capture=capture)
        else:
            with open_database(database_url) as db:
                outputs, capture = camera_outputs(db, settings.evidence_dir, config, camera)
                result = process_recording(pipeline, source, outputs, capture=capture)
                print(f"[{camera_id}] {result.summary['frames_analysed']} frames analysed, {result.rows} minute rows")
    except CvmonError as e:
        print(f"[{camera_id}] error: {e}", flush=True)
        return 1
    return 0


def _child(config: Config, camera_id: str, database_url: str) -> None:
    raise SystemExit(camera_worker(config, camera_id, database_url))


class WorkerPool:
    """The camera worker processes of one run, by camera id; the latest exit code of each camera."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.ctx = mp.get_context("spawn")
        self.procs: dict[str, BaseProcess] = {}
        self.exits: dict[str, int] = {}

    def start(self, config: Config, camera_id: str) -> int:
        """Start a camera's worker on ``config``; returns its pid."""
        proc = self.ctx.Process(target=_child, args=(config, camera_id, self.database_url), name=f"cvmon-{camera_id}")
        proc.start()
        self.procs[camera_id] = proc
        self.exits.pop(camera_id, None)
        return proc.pid or 0

    def running(self) -> set[str]:
        return {cam_id for cam_id, p in self.procs.items() if p.is_alive()}

    def reap(self) -> None:
        """Note the exit codes of workers that ended."""
        for cam_id, proc in list(self.procs.items()):
            if not proc.is_alive():
                proc.join()
                self.exits[cam_id] = proc.exitcode if proc.exitcode is not None else 1
                del self.procs[cam_id]

    def terminate(self, camera_ids: Collection[str] | None = None) -> None:
        """SIGTERM to workers (all when None): each flushes its open minute and exits."""
        for cam_id, proc in self.procs.items():
            if (camera_ids is None or cam_id in camera_ids) and proc.is_alive():
                proc.terminate()

    def stop(self, camera_ids: Collection[str], timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Terminate these workers and wait for them; one that does not end in time is killed."""
        self.terminate(camera_ids)
        deadline = time.monotonic() + timeout_s
        for cam_id in camera_ids:
            proc = self.procs.get(cam_id)
            if proc is None:
                continue
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        self.reap()

    def join(self) -> None:
        for proc in self.procs.values():
            proc.join()
        self.reap()


def _say(line: str, error: bool = False) -> None:
    print(line, file=sys.stderr if error else sys.stdout, flush=True)


def apply_reload(
    config_path: Path,
    old: Config,
    pool: WorkerPool,
    db: Database,
    housekeeper: Housekeeper,
    only: Collection[str] | None = None,
) -> tuple[Config, ReloadPlan]:
    """Load the edited file; if valid, store it and restart, start and stop the workers it concerns.

    Returns the configuration now in force (the new one, or ``old`` when the edit is refused) and what was done.
    """
    try:
        new = load_config(config_path)
        db.sync_config(new)
    except CvmonError as err:
        reason = " ".join(str(err).split())
        _say(f"cvmon: config reload refused: {reason}", error=True)
        return old, ReloadPlan()
    pool.reap()
    plan = plan_reload(old, new, pool.running(), only)
    pool.stop([*plan.restart, *plan.stop])
    for cam_id in plan.stop:
        _say(f"cvmon: camera {cam_id} stopped (removed or disabled)")
    for cam_id in plan.restart:
        _say(f"cvmon: camera {cam_id} restarted (settings changed), pid {pool.start(new, cam_id)}")
    for cam_id in plan.start:
        _say(f"cvmon: camera {cam_id} started, pid {pool.start(new, cam_id)}")
    if not plan:
        _say("cvmon: config reloaded, no camera affected")
    housekeeper.set_config(new)
    return new, plan


def run_cameras(
    config_path: Path, database_url: str, cameras: list[str] | None = None, reload_every: float | None = None
) -> list[WorkerExit]:
    """Start one process per enabled camera and wait; SIGINT/SIGTERM are passed on to them.

    Every ``reload_every`` seconds (default CVMON_RELOAD_EVERY_S, 2 s) the configuration file is
    checked for edits; see ``apply_reload``. The run ends when no worker runs any more, unless an
    edit stopped the last ones: then it waits for the next edit or a signal.
    """
    every = reload_every if reload_every is not None else reload_every_s()
    watcher = FileWatcher(Path(config_path))  # before loading: an edit in between is seen
    config = load_config(config_path)
    from cvmon.alerts.notifications import load_notify_settings
    from cvmon.pipeline.housekeeping import Housekeeper
    from cvmon.storage.database import open_database

    notify = load_notify_settings()
    housekeeping_db = open_database(database_url)
    housekeeping_db.sync_config(config)
    stop_housekeeping = threading.Event()
    housekeeper = Housekeeper(housekeeping_db, config, notify, get_settings().evidence_dir)
    housekeeping = housekeeper.start(stop_housekeeping)
    pool = WorkerPool(database_url)
    for cam_id in wanted_cameras(config, cameras):
        _say(f"cvmon: camera {cam_id} started, pid {pool.start(config, cam_id)}")
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
                config, plan = apply_reload(Path(config_path), config, pool, housekeeping_db, housekeeper, cameras)
                idle_by_edit = (idle_by_edit or bool(plan.stop)) and not pool.procs
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
        pool.terminate()
        pool.join()
        stop_housekeeping.set()
        housekeeping.join(timeout=10)
        if housekeeper.dispatcher is not None:
            housekeeper.dispatcher.run_once()  # a last round for what the workers just enqueued
        housekeeping_db.close()
    return [WorkerExit(cid, code) for cid, code in pool.exits.items()]
