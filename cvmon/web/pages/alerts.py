"""The alerts page: filter and page through them, acknowledge one or many, resolve with follow-up."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from cvmon.api.alert_actions import acknowledge_alert, acknowledge_alerts, resolve_alert
from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.params import MAX_ID
from cvmon.api.permissions import FOLLOW_UP_ALERTS
from cvmon.api.schemas import MAX_BULK
from cvmon.read import lists, queries
from cvmon.read.lists import AlertState
from cvmon.storage.alerts import AlertNotFound, AlertStateError, FollowUp
from cvmon.types import Rule
from cvmon.web import data, listing
from cvmon.web.render import render
from cvmon.web.session import FormCsrf, PageDenied, PageUser, page_role, reject_nul, safe_next

router = APIRouter(include_in_schema=False)
AlertId = Annotated[int, Path(ge=1, le=MAX_ID)]
AlertIdField = Annotated[int, Field(ge=1, le=MAX_ID)]
FollowUpUser = Annotated[Principal, Depends(page_role(*FOLLOW_UP_ALERTS))]


NOTICE_KEYS = ("done", "alert", "acked", "skipped", "refused")
Count = Annotated[int, Query(ge=0, le=MAX_BULK)]


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    principal: PageUser,
    context: ContextDep,
    session: SessionDep,
    state: str = "open",
    unit: str | None = None,
    camera: str | None = None,
    rule: str = "",
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=listing.LAST_PAGE)] = 1,
    done: str | None = None,
    alert: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    acked: Count = 0,
    skipped: Count = 0,
    refused: Count = 0,
) -> HTMLResponse:
    """Alerts of the caller's units, newest first, a page at a time; not yet resolved by default, filtered
    by unit (with the units below it), camera, rule, state and the days they opened (any role)."""
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
    chosen_state = listing.choice_of(AlertState, state, "state") or AlertState.OPEN
    chosen_rule = listing.choice_of(Rule, rule, "rule")
    timezone = data.filter_timezone(choice)
    since, until = listing.day_range(start, end, timezone)
    found = lists.find_alerts(
        session,
        choice.units,
        camera=camera or None,
        rule=chosen_rule,
        state=chosen_state,
        since=since,
        until=until,
        limit=listing.PAGE_SIZE,
        offset=listing.offset_of(page),
    )
    filters = {
        "unit": unit or "",
        "camera": camera or "",
        "rule": rule,
        "state": chosen_state.value,
        "from": start,
        "to": end,
    }
    names = data.display_names(session, choice.units)
    return render(
        request,
        "alerts.html",
        principal,
        alerts=found.items,
        pager=listing.pager(found, page, filters),
        f=filters,
        units=data.units_by_id(session, principal.scope),
        choice=choice,
        cameras=sorted(names.cameras.items(), key=lambda item: item[1]),
        rules=list(Rule),
        states=list(AlertState),
        timezone=timezone,
        camera=camera or "",
        done=done if done in ("ack", "resolve", "bulk") else None,
        done_alert=alert,
        bulk={"acked": acked, "skipped": skipped, "refused": refused},
        categories=list(FollowUp),
        show_unit=True,
        bulk_form=True,
        names=names,
    )


def _back(next_path: str, **notice: str) -> Response:
    """Back to the page the form was on, saying what was done (an earlier notice replaced)."""
    parts = urlsplit(safe_next(next_path))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in NOTICE_KEYS]
    query += list(notice.items())
    return RedirectResponse(f"{parts.path}?{urlencode(query)}", status_code=303)


def _act_errors(err: Exception) -> PageDenied:
    if isinstance(err, AlertNotFound):
        return PageDenied(404, "error.404")
    return PageDenied(409, str(err))


@router.post("/alerts/ack", dependencies=[FormCsrf])
def acknowledge_many(
    principal: FollowUpUser,
    context: ContextDep,
    ids: Annotated[list[AlertIdField], Form(max_length=MAX_BULK)] = [],  # noqa: B006 (FastAPI copies it)
    next: Annotated[str, Form()] = "/alerts",
) -> Response:
    """Acknowledge the ticked alerts at once, each with its own audit row, in one transaction (pic,
    manager, admin; CSRF); those already acknowledged are skipped, those outside the caller's units refused."""
    if not ids:
        return _back(next, done="bulk")
    result = acknowledge_alerts(context, principal.actor, ids, principal.scope)
    counts = {"acked": result.acknowledged, "skipped": result.skipped, "refused": result.refused}
    return _back(next, done="bulk", **{k: str(len(v)) for k, v in counts.items()})


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
    return _back(next, done="ack", alert=str(alert_id))


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
    return _back(next, done="resolve", alert=str(alert_id))
