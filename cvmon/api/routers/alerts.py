"""Alerts of the caller's units: a paged, filtered list; acknowledge one or many, resolve with follow-up (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from cvmon.api.alert_actions import acknowledge_alert, acknowledge_alerts, resolve_alert
from cvmon.api.deps import AllowedUnits, ContextDep, CsrfChecked, SessionDep, require_role
from cvmon.api.narrow import cameras_of, checked_range, unit_subtree
from cvmon.api.paging import PAGED, Limit, Offset, page_headers
from cvmon.api.params import MAX_ID, checked_time
from cvmon.api.permissions import FOLLOW_UP_ALERTS, READ_FIGURES
from cvmon.api.schemas import AckManyIn, AckManyOut, AlertOut, ResolveIn
from cvmon.read import lists
from cvmon.read.lists import AlertState
from cvmon.storage.alerts import Alert
from cvmon.types import Rule

router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[Depends(require_role(*READ_FIGURES))])
FollowUpRole = Depends(require_role(*FOLLOW_UP_ALERTS))
AlertId = Annotated[int, Path(ge=1, le=MAX_ID)]


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        status=alert.status, condition=alert.condition, **{f: getattr(alert, f) for f in Alert.__dataclass_fields__}
    )


@router.get("", response_model=list[AlertOut], responses=PAGED)
def alerts(
    request: Request,
    response: Response,
    units: AllowedUnits,
    session: SessionDep,
    unit: Annotated[str | None, Query(description="Only this unit and the units below it.")] = None,
    camera: Annotated[str | None, Query(description="Only this camera.")] = None,
    rule: Annotated[Rule | None, Query(description="Only this rule's alerts.")] = None,
    state: Annotated[
        AlertState,
        Query(
            description="open: not resolved; ongoing: not resolved, condition still on; waiting: not resolved, "
            "condition over (waiting for acknowledgement or follow-up); unacknowledged; acknowledged (not "
            "resolved); resolved; all."
        ),
    ] = AlertState.ALL,
    open_only: Annotated[bool, Query(alias="open", description="Only alerts not resolved yet (state=open).")] = False,
    since: Annotated[datetime | None, Query(description="Opened at or after (ISO with offset).")] = None,
    until: Annotated[datetime | None, Query(description="Opened before (ISO with offset).")] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> list[AlertOut]:
    """Alerts of the caller's units matching every filter, newest first, ``limit`` from ``offset``; the
    X-Total-Count header says how many match (any role; 404 for a unit or camera outside the caller's units)."""
    scope = unit_subtree(session, unit, units)
    if camera is not None:
        cameras_of(session, camera, scope)
    checked_range(checked_time(since, "since"), checked_time(until, "until"))
    page = lists.find_alerts(
        session,
        scope,
        camera=camera,
        rule=rule,
        state=AlertState.OPEN if open_only else state,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    page_headers(response, request, page)
    return [alert_out(a) for a in page.items]


@router.post("/ack", response_model=AckManyOut, dependencies=[FollowUpRole])
def acknowledge_many(body: AckManyIn, principal: CsrfChecked, context: ContextDep, units: AllowedUnits) -> AckManyOut:
    """Acknowledge several alerts in one transaction, each with its own audit row (pic, manager, admin;
    CSRF). Alerts already acknowledged or resolved are skipped; ids outside the caller's units are refused."""
    done = acknowledge_alerts(context, principal.actor, body.ids, units)
    return AckManyOut(acknowledged=done.acknowledged, skipped=done.skipped, refused=done.refused)


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
