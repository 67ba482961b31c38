"""Acknowledging and resolving an alert on behalf of a signed-in user, with its audit row.

The JSON API and the web viewer both act through these, so the two write the same audit rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from cvmon.api.context import ApiContext
from cvmon.storage.alerts import Alert, FollowUp
from cvmon.storage.audit import AuditAction, AuditActor


def acknowledge_alert(context: ApiContext, actor: AuditActor, alert_id: int, units: Sequence[str]) -> Alert:
    """Acknowledge an alert of the units (AlertNotFound outside them) and audit it."""
    now = context.clock()
    alert = context.alerts.acknowledge(alert_id, actor.name or "", now, units=units)
    details = {"unit": alert.unit_id, "camera": alert.camera_id, "rule": alert.rule}
    context.audit.record(now, actor, AuditAction.ALERT_ACK, f"alert:{alert_id}", details)
    return alert


def resolve_alert(
    context: ApiContext, actor: AuditActor, alert_id: int, category: FollowUp, note: str, units: Sequence[str]
) -> Alert:
    """Resolve an alert of the units with its follow-up category and note, and audit it."""
    now = context.clock()
    alert = context.alerts.resolve(alert_id, actor.name or "", now, category, note, units=units)
    details = {
        "unit": alert.unit_id,
        "camera": alert.camera_id,
        "rule": alert.rule,
        "category": category.value,
        "note": note[:500],
    }
    context.audit.record(now, actor, AuditAction.ALERT_RESOLVE, f"alert:{alert_id}", details)
    return alert
