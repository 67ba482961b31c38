"""`cvmon run`: one worker process per camera; SIGINT/SIGTERM stop them cleanly."""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

from cvmon.config import load_config
from cvmon.errors import CvmonError
from cvmon.settings import get_settings


@dataclass(frozen=True, slots=True)
class WorkerExit:
    camera_id: str
    exit_code: int


def camera_worker(config_path: str, camera_id: str, database_url: str, stop: threading.Event | None = None) -> int:
    """Run one camera until its stream ends (files) or until stopped (live). Returns an exit code."""
    from cvmon.pipeline.outputs import camera_outputs
    from cvmon.pipeline.runner import build_pipeline, open_source, process_recording, run_live
    from cvmon.storage.database import open_database

    stop = stop or threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        config = load_config(config_path)
        camera = config.camera(camera_id)
        pipeline = build_pipeline(config, camera, get_settings().resolved_model_dir)
        source = open_source(config, camera)
        with open_database(database_url) as db:
            outputs, capture = camera_outputs(db, get_settings().evidence_dir, config, camera)
            if camera.is_live:
                run_live(pipeline, source, outputs, stop, capture=capture)
            else:
                result = process_recording(pipeline, source, outputs, capture=capture)
                print(f"[{camera_id}] {result.summary['frames_analysed']} frames analysed, {result.rows} minute rows")
    except CvmonError as e:
        print(f"[{camera_id}] error: {e}", flush=True)
        return 1
    return 0


def _child(config_path: str, camera_id: str, database_url: str) -> None:
    raise SystemExit(camera_worker(config_path, camera_id, database_url))


def run_cameras(config_path: Path, database_url: str, cameras: list[str] | None = None) -> list[WorkerExit]:
    """Start one process per enabled camera and wait; SIGINT/SIGTERM are passed on to them."""
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
    chosen = [c for c in config.cameras if c.enabled and (cameras is None or c.id in cameras)]
    ctx = mp.get_context("spawn")
    procs = {
        cam.id: ctx.Process(target=_child, args=(str(config_path), cam.id, database_url), name=f"cvmon-{cam.id}")
        for cam in chosen
    }
    for p in procs.values():
        p.start()

    def forward(signum: int, _frame: object) -> None:
        for p in procs.values():
            if p.is_alive() and p.pid is not None:
                p.terminate()  # SIGTERM: the worker flushes its open minute and exits

    old_int = signal.signal(signal.SIGINT, forward)
    old_term = signal.signal(signal.SIGTERM, forward)
    try:
        for p in procs.values():
            p.join()
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
        stop_housekeeping.set()
        housekeeping.join(timeout=10)
        if housekeeper.dispatcher is not None:
            housekeeper.dispatcher.run_once()  # a last round for what the workers just enqueued
        housekeeping_db.close()
    return [WorkerExit(cid, p.exitcode if p.exitcode is not None else 1) for cid, p in procs.items()]
