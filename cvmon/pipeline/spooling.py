"""A live camera's sink that keeps measuring through a database outage.

``SpoolingOutputs`` writes to the database directly while it answers and nothing waits in the
camera's spool (``cvmon.storage.spool``). A write the database refuses, and every write after it, is
appended to the spool instead (snapshot files to a staging folder beside it); a background thread
tries every few seconds to deliver the spool oldest first, one entry per transaction, acknowledging
each only once it committed. A repeated delivery changes nothing: minute rows keep the write source
they were first sent with, so a replay replaces its own part (``cvmon.pipeline.write_sources``);
events, alerts and evidence rows are unique by key, and notifications are enqueued once
(``NotifyOnce``). So nothing is lost, nothing is written twice, and the order of writes is kept.

A minute entry spooled before write identity carries no source; it is written under one made from
its content (``spooled_source``), the same on every replay of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from cvmon.config.models import CameraConfig, Config
from cvmon.errors import CvmonError, StorageError
from cvmon.pipeline import spool_codec as codec
from cvmon.pipeline.evidence_capture import EvidenceCapture, PendingSnapshot
from cvmon.pipeline.outputs import DatabaseOutputs
from cvmon.pipeline.staged_evidence import stage_snapshot
from cvmon.pipeline.write_sources import spooled_source
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.spool import Spool, SpoolEntry
from cvmon.types import AlertChange, CameraMinute, MinuteRow, SourceEvent

log = logging.getLogger(__name__)

MINUTES, EVENTS, ALERTS = "minutes", "events", "alerts"
SET_ASIDE_AFTER = 3  # tries refused by a database that answers, before an entry is set aside
BATCH = 32
RETRY_EVERY_S = 2.0
RETRY_MAX_S = 15.0
CLOSE_TIMEOUT_S = 15.0


def spool_path(data_dir: Path, camera_id: str) -> Path:
    """Where a camera's spool lives: ``<data dir>/spool/<camera>.db``."""
    return Path(data_dir) / "spool" / f"{camera_id}.db"


def staging_dir(spool_file: Path) -> Path:
    """The folder beside a spool where its snapshots wait: ``<camera>.evidence``."""
    return spool_file.with_suffix(".evidence")


class SpoolingOutputs:
    """The MinuteSink of a live worker; see the module docstring.

    ``connect`` opens the database; until it succeeds every write is spooled, and it is retried with
    back-off (from ``retry_every_s`` to ``retry_max_s``) by the thread that ``start`` begins. ``close``
    stops that thread and makes a last, bounded delivery; what is left stays in the spool for the next
    worker of the camera.
    """

    def __init__(
        self,
        spool: Spool,
        connect: Callable[[], DatabaseOutputs],
        camera: CameraConfig,
        *,
        retry_every_s: float = RETRY_EVERY_S,
        retry_max_s: float = RETRY_MAX_S,
    ) -> None:
        self.spool = spool
        self.connect = connect
        self.camera = camera
        self.staging = EvidenceStore(staging_dir(spool.path))
        self.retry_every_s = retry_every_s
        self.retry_max_s = max(retry_max_s, retry_every_s)
        self.outputs: DatabaseOutputs | None = None
        self.spooling = False  # logged "spooling" and not yet "delivered"
        self.delivered = 0  # entries delivered since spooling began
        self._state = threading.Lock()
        self._draining = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wait_s = retry_every_s
        self._refusals: dict[int, int] = {}  # refusals by a database that answers, by entry

    # -- the sink ---------------------------------------------------------------------------------

    def write_minutes(self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = (), *, source: str) -> None:
        if not rows and not cameras:
            return
        outputs = self._direct()
        error: StorageError | None = None
        if outputs is not None:
            try:
                outputs.write_minutes(rows, cameras, source=source)
                return
            except StorageError as err:  # its commit is unknown: the replay under its source replaces it
                error = err
        payload: dict[str, Any] = {
            "rows": [codec.minute_row_to_json(r) for r in rows],
            "cameras": [codec.camera_minute_to_json(c) for c in cameras],
            "source": source,
        }
        self._append(MINUTES, payload, int(error is not None), f"{len(rows)} minute rows", error)

    def write_events(self, events: Sequence[SourceEvent]) -> int:
        if not events:
            return 0
        outputs = self._direct()
        error: StorageError | None = None
        if outputs is not None:
            try:
                return outputs.write_events(events)
            except StorageError as err:
                error = err
        payload = {"events": [codec.event_to_json(e) for e in events]}
        self._append(EVENTS, payload, int(error is not None), f"{len(events)} camera events", error)
        return 0

    def write_alerts(
        self, camera: CameraConfig, changes: Sequence[AlertChange], snapshots: Sequence[PendingSnapshot] = ()
    ) -> list[int]:
        if not changes and not snapshots:
            return []
        outputs = self._direct()
        error: StorageError | None = None
        if outputs is not None:
            try:
                return outputs.write_alerts(camera, changes, snapshots)
            except StorageError as err:
                error = err
        payload = {
            "changes": [codec.change_to_json(c) for c in changes],
            "snapshots": [codec.staged_to_json(stage_snapshot(self.staging, camera.id, s)) for s in snapshots],
        }
        what = f"{len(changes)} alert changes" + (f" and {len(snapshots)} snapshots" if snapshots else "")
        self._append(ALERTS, payload, int(error is not None), what, error)
        return []

    # -- delivery ---------------------------------------------------------------------------------

    def drain(self, deadline: float | None = None) -> bool:
        """Deliver the spool oldest first, until it is empty (True), a delivery fails or ``deadline``
        (``time.monotonic``) passes (False)."""
        wait = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
        if not self._draining.acquire(timeout=wait):
            return False
        try:
            outputs = self._connected()
            if outputs is None:
                return False
            while batch := self.spool.peek_batch(BATCH):
                for entry in batch:
                    if deadline is not None and time.monotonic() >= deadline:
                        return False
                    if not self._deliver(outputs, entry):
                        return False
            with self._state:
                if self.spooling and len(self.spool) == 0:
                    log.warning(
                        "[%s] database reachable again: delivered %d spooled writes from %s, in order",
                        self.camera.id,
                        self.delivered,
                        self.spool.path,
                    )
                    self.spooling = False
            return True
        finally:
            self._draining.release()

    def _deliver(self, outputs: DatabaseOutputs, entry: SpoolEntry) -> bool:
        """One entry in its transaction(s), then its acknowledgement; False when the database failed.

        An entry that the database refuses ``SET_ASIDE_AFTER`` times while it answers, or that cannot
        be read back, is set aside (kept in the spool file, out of the queue) so the rest can go on.
        """
        try:
            self._write_entry(outputs, entry)
        except StorageError as err:
            if not self._answers(outputs):
                return False
            refused = self._refusals.get(entry.seq, 0) + 1
            if refused < SET_ASIDE_AFTER:
                self._refusals[entry.seq] = refused
                return False
            self._set_aside(entry, f"refused {refused} times by a database that answers: {err}")
            return True
        except (CvmonError, ValueError, KeyError, TypeError) as err:
            self._set_aside(entry, f"cannot be written: {type(err).__name__}: {err}")
            return True
        self.spool.ack(entry.seq)
        self._refusals.pop(entry.seq, None)
        with self._state:
            self.delivered += 1
        return True

    def _write_entry(self, outputs: DatabaseOutputs, entry: SpoolEntry) -> None:
        """Write an entry; its try is counted (and what a repeat needs is saved) before it begins."""
        payload = entry.payload
        if entry.kind == MINUTES:
            rows = [codec.minute_row_from_json(r) for r in payload["rows"]]
            cameras = [codec.camera_minute_from_json(c) for c in payload["cameras"]]
            source = payload.get("source") or spooled_source(self.camera.id, payload)
            self.spool.record_attempt(entry.seq)
            outputs.write_minutes(rows, cameras, source=source)
        elif entry.kind == EVENTS:
            self.spool.record_attempt(entry.seq)
            outputs.write_events([codec.event_from_json(e) for e in payload["events"]])
        elif entry.kind == ALERTS:
            changes = [codec.change_from_json(c) for c in payload["changes"]]
            snapshots = [codec.staged_from_json(s, self.staging.root) for s in payload["snapshots"]]
            self.spool.record_attempt(entry.seq)
            outputs.write_alerts(self.camera, changes, snapshots, retry=entry.attempts > 0)
        else:
            raise ValueError(f"unknown kind {entry.kind!r}")

    def _answers(self, outputs: DatabaseOutputs) -> bool:
        try:
            outputs.ping()
        except StorageError:
            return False
        return True

    def _set_aside(self, entry: SpoolEntry, reason: str) -> None:
        self.spool.set_aside(entry.seq, reason)
        self._refusals.pop(entry.seq, None)
        log.error(
            "[%s] spooled %s write %d set aside in %s: %s",
            self.camera.id,
            entry.kind,
            entry.seq,
            self.spool.path,
            reason,
        )

    # -- state ------------------------------------------------------------------------------------

    def _direct(self) -> DatabaseOutputs | None:
        """The database outputs when a write may go there directly: connected, and nothing spooled before it."""
        if self.outputs is None or len(self.spool) > 0:
            return None
        return self.outputs

    def _append(
        self, kind: str, payload: dict[str, Any], attempts: int, what: str, err: StorageError | None = None
    ) -> None:
        """Spool a write; the first of an outage is logged."""
        with self._state:
            self.spool.append(kind, payload, attempts)
            if not self.spooling:
                self.spooling, self.delivered = True, 0
                reason = f" ({err})" if err is not None else ""
                log.warning(
                    "[%s] database unreachable%s: spooling %s to %s", self.camera.id, reason, what, self.spool.path
                )

    def _connected(self) -> DatabaseOutputs | None:
        """The database outputs, connecting first if needed; None while the database cannot be opened."""
        if self.outputs is None:
            try:
                self.outputs = self.connect()
            except StorageError as err:
                with self._state:
                    if not self.spooling:
                        self.spooling, self.delivered = True, 0
                        log.warning(
                            "[%s] database unreachable (%s): measuring anyway, spooling to %s",
                            self.camera.id,
                            err,
                            self.spool.path,
                        )
                return None
        return self.outputs

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect (once, now) and begin the thread that connects and delivers from then on."""
        waiting = len(self.spool)
        if waiting:
            with self._state:
                self.spooling, self.delivered = True, 0
            log.warning(
                "[%s] %d spooled writes wait in %s, to go before new ones", self.camera.id, waiting, self.spool.path
            )
        self._connected()
        self._thread = threading.Thread(target=self._run, name=f"spool-{self.camera.id}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._wait_s):
            try:
                idle = self.outputs is not None and len(self.spool) == 0
                ok = idle or self.drain()
            except Exception as err:  # e.g. the spool file failed: keep the thread, try again later
                log.error("[%s] spool delivery failed: %s", self.camera.id, err)
                ok = False
            self._wait_s = self.retry_every_s if ok else min(self._wait_s * 2, self.retry_max_s)

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Stop the thread, deliver what is spooled within ``timeout_s``, close the database and the spool."""
        deadline = time.monotonic() + timeout_s
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        try:
            left = len(self.spool)
            if left and not self.drain(deadline=deadline):
                log.warning(
                    "[%s] %d writes stay spooled in %s; the camera's next worker delivers them",
                    self.camera.id,
                    len(self.spool),
                    self.spool.path,
                )
        finally:
            if self.outputs is not None:
                self.outputs.close()
            self.spool.close()

    def __enter__(self) -> SpoolingOutputs:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def live_outputs(
    database_url: str, data_dir: Path, evidence_dir: Path, config: Config, camera: CameraConfig
) -> tuple[SpoolingOutputs, EvidenceCapture]:
    """A live camera's spooling sink (its spool under ``data_dir``; the database is opened by the sink,
    and again until it answers) and its evidence capture, writing snapshots under ``evidence_dir``."""
    from cvmon.alerts.notifications import load_notify_settings
    from cvmon.pipeline.outputs import database_outputs
    from cvmon.pipeline.runner import build_capture
    from cvmon.storage.database import open_database

    store = EvidenceStore(evidence_dir)
    notify = load_notify_settings()

    def connect() -> DatabaseOutputs:
        db = open_database(database_url)
        stored = db.stored_zone_ids(camera.id)
        if stored is None or {z.id for z in camera.zones} - stored:
            db.close()  # `cvmon run` has not stored this configuration yet: wait, as for an outage
            raise StorageError(f"camera {camera.id} and its zones are not stored in the database yet")
        return database_outputs(db, store, config, notify)

    sink = SpoolingOutputs(Spool(spool_path(data_dir, camera.id)), connect, camera)
    return sink, build_capture(config, camera, store)
