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
        ids = self.alerts.apply_changes(camera.unit, camera.id, changes) if changes else []
        by_key = {(c.rule.value, c.zone_id, c.opened_at): alert_id for c, alert_id in zip(changes, ids, strict=True)}
        if self.evidence is not None:
            for snap in snapshots:
                alert_id = by_key.get(snap.alert_key) if snap.alert_key is not None else None
                self.evidence.add(camera.id, snap.kind, snap.ts, snap.jpeg, snap.counts, alert_id)
        if self.on_alerts is not None and changes:
            self.on_alerts(camera, changes, ids)
        return ids


def camera_outputs(
    db: Database, evidence_dir: Path, config: Config, camera: CameraConfig
) -> tuple[DatabaseOutputs, EvidenceCapture]:
    """A camera's sink and evidence capture, writing snapshots under ``evidence_dir``."""
    from cvmon.pipeline.runner import build_capture

    store = EvidenceStore(evidence_dir)
    return DatabaseOutputs(db, store), build_capture(config, camera, store)
