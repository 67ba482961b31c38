"""Alerts of the caller's units: list, acknowledge, resolve with follow-up (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy.orm import Session

from cvmon.api import queries
from cvmon.api.deps import AllowedUnits, ContextDep, CsrfChecked, SessionDep, require_role
from cvmon.api.permissions import FOLLOW_UP_ALERTS, READ_FIGURES
from cvmon.api.schemas import AlertOut, ResolveIn
from cvmon.storage.alerts import Alert
from cvmon.storage.audit import AuditAction

router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[Depends(require_role(*READ_FIGURES))])
FollowUpRole = Depends(require_role(*FOLLOW_UP_ALERTS))


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(status=alert.status, **{f: getattr(alert, f) for f in Alert.__dataclass_fields__})


def _subtree(session: Session, unit: str, units: list[str]) -> list[str]:
    """The unit and every unit below it, within the caller's units (404 when the unit is not among them)."""
    rows = queries.units_in_scope(session, units)
    if unit not in {r.id for r in rows}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no unit '{unit}'")
    children: dict[str, list[str]] = {}
    for r in rows:
        if r.parent_id is not None:
            children.setdefault(r.parent_id, []).append(r.id)
    out, todo = [], [unit]
    while todo:
        uid = todo.pop()
        out.append(uid)
        todo.extend(children.get(uid, []))
    return sorted(out)


@router.get("", response_model=list[AlertOut])
def alerts(
    context: ContextDep,
    units: AllowedUnits,
    session: SessionDep,
    unit: Annotated[str | None, Query(description="Only this unit and the units below it.")] = None,
    open_only: Annotated[bool, Query(alias="open", description="Only alerts not resolved yet.")] = False,
    since: Annotated[datetime | None, Query(description="Opened at or after (ISO with offset).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlertOut]:
    """Alerts of the caller's units, newest first (any role)."""
    scope = _subtree(session, unit, units) if unit is not None else units
    if since is not None and since.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "'since' needs a UTC offset, e.g. +08:00 or Z")
    return [alert_out(a) for a in context.alerts.find(scope, open_only=open_only, since=since, limit=limit)]


@router.post("/{alert_id}/ack", response_model=AlertOut, dependencies=[FollowUpRole])
def acknowledge(alert_id: int, principal: CsrfChecked, context: ContextDep, units: AllowedUnits) -> AlertOut:
    """Acknowledge an alert: someone is on it (pic, manager, admin; CSRF; audited; 404 outside the units)."""
    now = context.clock()
    alert = context.alerts.acknowledge(alert_id, principal.user.username, now, units=units)
    details = {"unit": alert.unit_id, "camera": alert.camera_id, "rule": alert.rule}
    context.audit.record(now, principal.actor, AuditAction.ALERT_ACK, f"alert:{alert_id}", details)
    return alert_out(alert)


@router.post("/{alert_id}/resolve", response_model=AlertOut, dependencies=[FollowUpRole])
def resolve(
    alert_id: int, body: ResolveIn, principal: CsrfChecked, context: ContextDep, units: AllowedUnits
) -> AlertOut:
    """Resolve an alert with its follow-up category and note (pic, manager, admin; CSRF; audited)."""
    now = context.clock()
    alert = context.alerts.resolve(alert_id, principal.user.username, now, body.category, body.note, units=units)
    details = {
        "unit": alert.unit_id,
        "camera": alert.camera_id,
        "rule": alert.rule,
        "category": body.category.value,
        "note": body.note[:500],
    }
    context.audit.record(now, principal.actor, AuditAction.ALERT_RESOLVE, f"alert:{alert_id}", details)
    return alert_out(alert)
