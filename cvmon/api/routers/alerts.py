"""Alerts of the caller's units: list, acknowledge, resolve with follow-up (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from sqlalchemy.orm import Session

from cvmon.api import queries
from cvmon.api.alert_actions import acknowledge_alert, resolve_alert
from cvmon.api.deps import AllowedUnits, ContextDep, CsrfChecked, SessionDep, require_role
from cvmon.api.params import MAX_ID, checked_time
from cvmon.api.permissions import FOLLOW_UP_ALERTS, READ_FIGURES
from cvmon.api.schemas import AlertOut, ResolveIn
from cvmon.api.scope import subtree_of
from cvmon.storage.alerts import Alert

router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[Depends(require_role(*READ_FIGURES))])
FollowUpRole = Depends(require_role(*FOLLOW_UP_ALERTS))
AlertId = Annotated[int, Path(ge=1, le=MAX_ID)]


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(status=alert.status, **{f: getattr(alert, f) for f in Alert.__dataclass_fields__})


def _subtree(session: Session, unit: str, units: list[str]) -> list[str]:
    """The unit and every unit below it, within the caller's units (404 when the unit is not among them)."""
    found = subtree_of(queries.units_in_scope(session, units), unit)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no unit '{unit}'")
    return found


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
    checked_time(since, "since")
    return [alert_out(a) for a in context.alerts.find(scope, open_only=open_only, since=since, limit=limit)]


@router.post("/{alert_id}/ack", response_model=AlertOut, dependencies=[FollowUpRole])
def acknowledge(alert_id: AlertId, principal: CsrfChecked, context: ContextDep, units: AllowedUnits) -> AlertOut:
    """Acknowledge an alert: someone is on it (pic, manager, admin; CSRF; audited; 404 outside the units)."""
    return alert_out(acknowledge_alert(context, principal.actor, alert_id, units))


@router.post("/{alert_id}/resolve", response_model=AlertOut, dependencies=[FollowUpRole])
def resolve(
    alert_id: AlertId, body: ResolveIn, principal: CsrfChecked, context: ContextDep, units: AllowedUnits
) -> AlertOut:
    """Resolve an alert with its follow-up category and note (pic, manager, admin; CSRF; audited)."""
    return alert_out(resolve_alert(context, principal.actor, alert_id, body.category, body.note, units))
