"""Acknowledging and resolving an alert on behalf of a signed-in user, with its audit row.

The JSON API and the web viewer both act through these, so the two write the same audit rows. The
alert's change and its audit row are one transaction: when the audit row cannot be written, the
alert stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

from cvmon.api.context import ApiContext
from cvmon.storage.alerts import Alert, BulkAck, FollowUp
from cvmon.storage.audit import AuditActor


def acknowledge_alert(context: ApiContext, actor: AuditActor, alert_id: int, units: Sequence[str]) -> Alert:
    """Acknowledge an alert of the units (AlertNotFound outside them) and audit it."""
    return context.alerts.acknowledge(alert_id, actor.name or "", context.clock(), units=units, audit=actor)


def acknowledge_alerts(
    context: ApiContext, actor: AuditActor, alert_ids: Sequence[int], units: Sequence[str]
) -> BulkAck:
    """Acknowledge the alerts of the units among ``alert_ids`` in one transaction, an audit row each."""
    return context.alerts.acknowledge_many(alert_ids, actor.name or "", context.clock(), units, audit=actor)


def resolve_alert(
    context: ApiContext, actor: AuditActor, alert_id: int, category: FollowUp, note: str, units: Sequence[str]
) -> Alert:
    """Resolve an alert of the units with its follow-up category and note, and audit it."""
    now = context.clock()
    return context.alerts.resolve(alert_id, actor.name or "", now, category, note, units=units, audit=actor)
