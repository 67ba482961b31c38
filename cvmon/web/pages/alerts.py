"""The alerts page: filter, acknowledge, resolve with follow-up category and note."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cvmon.api import queries
from cvmon.api.alert_actions import acknowledge_alert, resolve_alert
from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.params import MAX_ID
from cvmon.api.permissions import FOLLOW_UP_ALERTS
from cvmon.storage.alerts import AlertNotFound, AlertStateError, FollowUp
from cvmon.web import data
from cvmon.web.render import render
from cvmon.web.session import FormCsrf, PageDenied, PageUser, page_role, reject_nul, safe_next

router = APIRouter(include_in_schema=False)
AlertId = Annotated[int, Path(ge=1, le=MAX_ID)]
FollowUpUser = Annotated[Principal, Depends(page_role(*FOLLOW_UP_ALERTS))]
LIMIT = 300


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    principal: PageUser,
    context: ContextDep,
    session: SessionDep,
    state: str = "open",
    unit: str | None = None,
    camera: str | None = None,
    done: str | None = None,
    alert: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """Alerts of the caller's units, newest first; not yet resolved by default (any role)."""
    choice = data.choose_unit(session, principal.scope, unit)
    if choice is None:
        raise PageDenied(404, "error.404")
    if camera and queries.camera_in_scope(session, camera, choice.units) is None:
        raise PageDenied(404, "error.404")
    if alert is not None:
        try:
            context.alerts.get(alert, principal.scope)
        except AlertNotFound:
            raise PageDenied(404, "error.404") from None
    found = context.alerts.find(choice.units, open_only=state != "all", limit=LIMIT)
    if camera:
        found = [a for a in found if a.camera_id == camera]
    return render(
        request,
        "alerts.html",
        principal,
        alerts=found,
        units=data.units_by_id(session, principal.scope),
        choice=choice,
        state="all" if state == "all" else "open",
        camera=camera or "",
        done=done if done in ("ack", "resolve") else None,
        done_alert=alert,
        categories=list(FollowUp),
        show_unit=True,
        names=data.display_names(session, choice.units),
    )


def _back(next_path: str, action: str, alert_id: int) -> Response:
    """Back to the page the form was on, saying what was done (an earlier notice replaced)."""
    parts = urlsplit(safe_next(next_path))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("done", "alert")]
    query += [("done", action), ("alert", str(alert_id))]
    return RedirectResponse(f"{parts.path}?{urlencode(query)}", status_code=303)


def _act_errors(err: Exception) -> PageDenied:
    if isinstance(err, AlertNotFound):
        return PageDenied(404, "error.404")
    return PageDenied(409, str(err))


@router.post("/alerts/{alert_id}/ack", dependencies=[FormCsrf])
def acknowledge(
    alert_id: AlertId,
    principal: FollowUpUser,
    context: ContextDep,
    next: Annotated[str, Form()] = "/alerts",
) -> Response:
    """Acknowledge from the page (pic, manager, admin; CSRF; audited)."""
    try:
        acknowledge_alert(context, principal.actor, alert_id, principal.scope)
    except (AlertNotFound, AlertStateError) as err:
        raise _act_errors(err) from None
    return _back(next, "ack", alert_id)


@router.post("/alerts/{alert_id}/resolve", dependencies=[FormCsrf])
def resolve(
    alert_id: AlertId,
    principal: FollowUpUser,
    context: ContextDep,
    category: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form()] = "/alerts",
) -> Response:
    """Resolve with follow-up category and note (pic, manager, admin; CSRF; audited)."""
    reject_nul(note, category)
    try:
        chosen = FollowUp(category)
    except ValueError:
        raise PageDenied(422, f"unknown follow-up category '{category[:40]}'") from None
    try:
        resolve_alert(context, principal.actor, alert_id, chosen, note, principal.scope)
    except (AlertNotFound, AlertStateError) as err:
        raise _act_errors(err) from None
    return _back(next, "resolve", alert_id)
