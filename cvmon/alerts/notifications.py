"""Alert notifications for the PIC layanan: what goes into the outbox when an alert opens, clears
or is escalated to the parent unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from cvmon.config.models import CameraConfig, Config
from cvmon.config.rules import merge_layers
from cvmon.errors import ConfigError
from cvmon.notify import NotifySettings, Outbox, alert_topic
from cvmon.storage.alerts import Alert, AlertRepository
from cvmon.storage.database import Database
from cvmon.types import AlertChange, ChangeKind


def load_notify_settings() -> NotifySettings:
    """Notification settings from the environment; a bad one is a configuration error."""
    try:
        return NotifySettings()
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"notification settings: {problems}") from None


def alert_payload(
    event: str,
    alert_id: int,
    rule: str,
    unit_id: str,
    camera_id: str,
    zone_id: str,
    value: float,
    opened_at: datetime,
    ts: datetime,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "event": event,
        "alert_id": alert_id,
        "rule": rule,
        "unit": unit_id,
        "camera": camera_id,
        "zone": zone_id or None,
        "value": value,
        "opened_at": opened_at.isoformat(),
        "ts": ts.isoformat(),
        **extra,
    }


class AlertNotifier:
    """Enqueues notifications of alert openings, clearings and escalations on every configured channel."""

    def __init__(
        self,
        db: Database,
        settings: NotifySettings,
        config: Config,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.outbox = Outbox(db)
        self.alerts = AlertRepository(db)
        self.settings = settings
        self.config = config
        self.channels = list(settings.channels)
        self.clock = clock

    def __call__(self, camera: CameraConfig, changes: Sequence[AlertChange], ids: Sequence[int]) -> None:
        """The DatabaseOutputs listener: one message per opening and per clearing."""
        if not self.channels:
            return
        topic = alert_topic(camera.unit, camera.id, self.settings.mqtt_topic_prefix)
        for change, alert_id in zip(changes, ids, strict=True):
            if change.kind is ChangeKind.PEAK:
                continue
            event = "alert.opened" if change.kind is ChangeKind.OPENED else "alert.cleared"
            payload = alert_payload(
                event,
                alert_id,
                change.rule.value,
                camera.unit,
                camera.id,
                change.zone_id,
                change.value,
                change.opened_at,
                change.ts,
            )
            self.outbox.enqueue(topic, payload, self.channels, self.clock())

    def escalation_delays(self) -> dict[str, float]:
        """escalate_after_s of every unit (defaults, then its units from the root down)."""
        return {
            unit.id: merge_layers(
                [self.config.defaults.rules, *(u.rules for u in self.config.unit_chain(unit.id))]
            ).escalate_after_s
            for unit in self.config.units
        }

    def escalate(self, now: datetime | None = None) -> list[Alert]:
        """Mark escalated the alerts nobody acknowledged in time and notify each one's parent unit."""
        now = now or self.clock()
        default = merge_layers([self.config.defaults.rules]).escalate_after_s
        escalated = self.alerts.escalate_due(now, self.escalation_delays(), default)
        if self.channels:
            parents = {u.id: u.parent for u in self.config.units}
            for alert in escalated:
                target = parents.get(alert.unit_id) or alert.unit_id
                topic = alert_topic(target, alert.camera_id, self.settings.mqtt_topic_prefix)
                payload = alert_payload(
                    "alert.escalated",
                    alert.id,
                    alert.rule,
                    alert.unit_id,
                    alert.camera_id,
                    alert.zone_id,
                    alert.peak_value,
                    alert.opened_at,
                    now,
                    escalated_to=target,
                )
                self.outbox.enqueue(topic, payload, self.channels, now)
        return escalated
