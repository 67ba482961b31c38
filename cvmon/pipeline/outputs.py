"""Where a camera's results go: the database (minute rows, events, alerts, evidence rows) and the
evidence store (anonymised JPEGs), plus notifications of alerts through the outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from cvmon.alerts.rules import AlertChange
from cvmon.config.models import CameraConfig, Config
from cvmon.evidence import EvidenceStore
from cvmon.pipeline.evidence_capture import EvidenceCapture, PendingSnapshot
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.coverage import CameraMinute
from cvmon.storage.database import Database
from cvmon.storage.evidence import EvidenceRepository
from cvmon.types import MinuteRow, SourceEvent

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
        self.alerts = AlertRepository(db)
        self.evidence = EvidenceRepository(db, store) if store is not None else None
        self.on_alerts = on_alerts
        self.clock = clock

    def write_minutes(self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = ()) -> None:
        self.db.write_minutes(rows, cameras)

    def write_events(self, events: Sequence[SourceEvent]) -> int:
        return self.db.write_events(events)

    def write_alerts(
        self, camera: CameraConfig, changes: Sequence[AlertChange], snapshots: Sequence[PendingSnapshot] = ()
    ) -> list[int]:
        """Store alert changes, then their snapshots (linked by alert), then tell the listener."""
        applied = self.alerts.apply_changes(camera.unit, camera.id, changes) if changes else []
        ids = [a.alert_id for a in applied]
        by_key = {(c.rule.value, c.zone_id, c.opened_at): alert_id for c, alert_id in zip(changes, ids, strict=True)}
        if self.evidence is not None:
            for snap in snapshots:
                alert_id = by_key.get(snap.alert_key) if snap.alert_key is not None else None
                self.evidence.add(camera.id, snap.kind, snap.ts, snap.jpeg, snap.counts, alert_id)
        fresh = [(c, a.alert_id) for c, a in zip(changes, applied, strict=True) if a.fresh]
        if self.on_alerts is not None and fresh:  # a re-processed recording notifies nobody twice
            self.on_alerts(camera, [c for c, _ in fresh], [i for _, i in fresh])
        return ids


def camera_outputs(
    db: Database, evidence_dir: Path, config: Config, camera: CameraConfig
) -> tuple[DatabaseOutputs, EvidenceCapture]:
    """A camera's sink (alerts notified on the channels the environment configures) and its evidence
    capture, writing snapshots under ``evidence_dir``."""
    from cvmon.alerts.notifications import AlertNotifier, load_notify_settings
    from cvmon.pipeline.runner import build_capture

    store = EvidenceStore(evidence_dir)
    notifier = AlertNotifier(db, load_notify_settings(), config)
    return DatabaseOutputs(db, store, on_alerts=notifier), build_capture(config, camera, store)
