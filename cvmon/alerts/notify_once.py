"""Alert notifications enqueued once, even when the write that carries them is repeated.

A write of alert changes that failed half-way (or whose commit is unknown) is sent again; the changes
it had stored come back as not fresh, but their notifications may or may not be in the outbox yet.
``NotifyOnce`` looks: it enqueues only what the outbox does not already hold, keyed by event, alert
and time of the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from cvmon.alerts.notifications import AlertNotifier
from cvmon.config.models import CameraConfig
from cvmon.notify import alert_topic
from cvmon.storage.database import Database
from cvmon.storage.models import OutboxRecord
from cvmon.types import AlertChange, ChangeKind

# How long before an alert's opening its notifications may have been enqueued (clock differences).
LOOK_BACK = timedelta(days=1)
NotifiedKey = tuple[str, int, datetime]  # event, alert id, time of the change


def _event(change: AlertChange) -> str:
    return "alert.opened" if change.kind is ChangeKind.OPENED else "alert.cleared"


class NotifyOnce:
    """A ``DatabaseOutputs`` listener: the notifier's messages for the changes not already in the outbox."""

    def __init__(self, notifier: AlertNotifier, db: Database) -> None:
        self.notifier = notifier
        self.db = db

    def __call__(self, camera: CameraConfig, changes: Sequence[AlertChange], ids: Sequence[int]) -> None:
        if not self.notifier.channels:
            return
        wanted = [(c, i) for c, i in zip(changes, ids, strict=True) if c.kind is not ChangeKind.PEAK]
        if not wanted:
            return
        topic = alert_topic(camera.unit, camera.id, self.notifier.settings.mqtt_topic_prefix)
        done = self.enqueued(topic, min(c.opened_at for c, _ in wanted) - LOOK_BACK)
        todo = [(c, i) for c, i in wanted if (_event(c), i, c.ts) not in done]
        if todo:
            self.notifier(camera, [c for c, _ in todo], [i for _, i in todo])

    def enqueued(self, topic: str, since: datetime) -> set[NotifiedKey]:
        """The alert notifications on ``topic`` enqueued since ``since``.

        Raises:
            StorageError: the outbox cannot be read.
        """
        stmt = select(OutboxRecord.payload).where(OutboxRecord.topic == topic, OutboxRecord.created_at >= since)
        with self.db.transaction("cannot read the outbox of", write=False) as session:
            payloads = list(session.scalars(stmt))
        found: set[NotifiedKey] = set()
        for payload in payloads:
            try:
                found.add((str(payload["event"]), int(payload["alert_id"]), datetime.fromisoformat(payload["ts"])))
            except (KeyError, TypeError, ValueError):
                continue
        return found
