"""The flow through the touchpoints per unit and day: the funnel (arrivals, met at the door, guided, queued,
served) and the hours when it leaks (abandonment, skipped steps)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import READ_FIGURES
from cvmon.read import queries
from cvmon.read.flow import flow_hours
from cvmon.web import data
from cvmon.web.render import render
from cvmon.web.session import PageDenied, page_day, page_role

router = APIRouter(include_in_schema=False)
FlowUser = Annotated[Principal, Depends(page_role(*READ_FIGURES))]
FUNNEL = ("arrivals", "met_at_door", "guided_before_queue", "queued", "reached_counter")


@router.get("/flow", response_class=HTMLResponse)
def flow(
    request: Request,
    principal: FlowUser,
    context: ContextDep,
    session: SessionDep,
    unit: str | None = None,
    day: str = "",
) -> HTMLResponse:
    """The chosen unit's (and below) journeys on a local day, as a funnel and by hour (every role; own units)."""
    choice = data.choose_unit(session, principal.scope, unit)
    if choice is None:
        raise PageDenied(404, "error.404")
    timezone = data.filter_timezone(choice)
    tz = ZoneInfo(timezone)
    try:
        chosen = page_day(date.fromisoformat(day), day) if day else context.clock().astimezone(tz).date()
    except ValueError:
        raise PageDenied(422, "cam.bad_day", day=day[:40]) from None
    start = datetime.combine(chosen, time(), tzinfo=tz)
    cameras = [c.id for c in queries.camera_statuses(session, choice.units)]
    hours = flow_hours(session, cameras, start, start + timedelta(days=1), tz)
    day_total = hours[-1] if hours else None
    top = max((getattr(day_total.figures, n) for n in FUNNEL), default=0) if day_total else 0
    return render(
        request,
        "flow.html",
        principal,
        choice=choice,
        hours=hours[:-1],
        total=day_total,
        funnel=[(n, getattr(day_total.figures, n), top) for n in FUNNEL] if day_total else [],
        day=chosen,
        prev_day=chosen - timedelta(days=1),
        next_day=chosen + timedelta(days=1),
        timezone=timezone,
    )
