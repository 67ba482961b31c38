"""Where a camera's results go: the database (minute rows, events, alerts, evidence rows) and the
evidence store (anonymised JPEGs), plus notifications of alerts through the outbox.

A live camera wraps these outputs in ``cvmon.pipeline.spooling.SpoolingOutputs``, which keeps what the
database cannot take in a local spool; every write here can therefore be repeated without effect
(minute rows by their write source, ``cvmon.pipeline.write_sources``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from cvmon.config.models import CameraConfig, Config
from cvmon.notify import NotifySettings
from cvmon.pipeline.evidence_capture import EvidenceCapture, PendingSnapshot
from cvmon.pipeline.staged_evidence import StagedSnapshot, record_staged
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.database import Database
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import AlertChange, CameraMinute, MinuteRow, SourceEvent

AlertListener = Callable[[CameraConfig, Sequence[AlertChange], Sequence[int]], None]


class DatabaseOutputs:
    """The MinuteSink of a worker: writes to the database and the evidence store."""

    def __init__(
        self,
        db: Database,
        store: EvidenceStore | None = None,
        on_alerts: AlertListener | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.store = store
        self.minutes = MinuteRepository(db)
        self.camera_events = CameraEventRepository(db)
        self.alerts = AlertRepository(db)
        self.evidence = EvidenceRepository(db, store) if store is not None else None
        self.on_alerts = on_alerts
        self.clock = clock

    def write_minutes(self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = (), *, source: str) -> None:
        """Store minute rows and coverage as the part ``source`` wrote (``MinuteRepository.write_minutes``)."""
        self.minutes.write_minutes(rows, cameras, source=source)

    def write_events(self, events: Sequence[SourceEvent]) -> int:
        return self.camera_events.write_events(events)

    def write_alerts(
        self,
        camera: CameraConfig,
        changes: Sequence[AlertChange],
        snapshots: Sequence[PendingSnapshot | StagedSnapshot] = (),
        *,
        retry: bool = False,
    ) -> list[int]:
        """Store alert changes, then their snapshots (linked by alert), then tell the listener.

        The listener hears of the changes that changed something; with ``retry`` (the write is repeated
        and may have been done in part) of every change, and must skip what it already handled.
        """
        applied = self.alerts.apply_changes(camera.unit, camera.id, changes) if changes else []
        ids = [a.alert_id for a in applied]
        by_key = {(c.rule.value, c.zone_id, c.opened_at): alert_id for c, alert_id in zip(changes, ids, strict=True)}
        if self.store is not None and self.evidence is not None:
            for snap in snapshots:
                alert_id = by_key.get(snap.alert_key) if snap.alert_key is not None else None
                if isinstance(snap, StagedSnapshot):
                    record_staged(self.db, self.store, camera.id, snap, alert_id)
                else:
                    self.evidence.add(camera.id, snap.kind, snap.ts, snap.jpeg, snap.counts, alert_id)
        told = [(c, a.alert_id) for c, a in zip(changes, applied, strict=True) if a.fresh or retry]
        if self.on_alerts is not None and told:  # a re-processed recording notifies nobody twice
            self.on_alerts(camera, [c for c, _ in told], [i for _, i in told])
        return ids

    def ping(self) -> None:
        """Nothing, when the database answers; StorageError when it does not."""
        self.db.ping()

    def close(self) -> None:
        self.db.close()


def database_outputs(db: Database, store: EvidenceStore, config: Config, notify: NotifySettings) -> DatabaseOutputs:
    """The outputs of a camera on ``db``, alerts notified once on the channels ``notify`` configures."""
    from cvmon.alerts.notifications import AlertNotifier
    from cvmon.alerts.notify_once import NotifyOnce

    return DatabaseOutputs(db, store, on_alerts=NotifyOnce(AlertNotifier(db, notify, config), db))


def camera_outputs(
    db: Database, evidence_dir: Path, config: Config, camera: CameraConfig
) -> tuple[DatabaseOutputs, EvidenceCapture]:
    """A camera's sink (alerts notified on the channels the environment configures) and its evidence
    capture, writing snapshots under ``evidence_dir``."""
    from cvmon.alerts.notifications import load_notify_settings
    from cvmon.pipeline.runner import build_capture

    store = EvidenceStore(evidence_dir)
    return database_outputs(db, store, config, load_notify_settings()), build_capture(config, camera, store)
