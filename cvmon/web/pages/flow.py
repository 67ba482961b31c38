"""The flow through the touchpoints per unit and day: the funnel (arrivals, met at the door, guided, queued,
served) and the hours when it leaks (abandonment, skipped steps)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import READ_FIGURES
from cvmon.read import queries
from cvmon.read.flow import flow_hours
from cvmon.web.day_view import day_view
from cvmon.web.render import render
from cvmon.web.session import page_role

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
    view = day_view(session, principal.scope, unit, day, context.clock())
    cameras = [c.id for c in queries.camera_statuses(session, view.choice.units)]
    hours = flow_hours(session, cameras, view.start, view.end, view.tz)
    day_total = hours[-1] if hours else None
    top = max((getattr(day_total.figures, n) for n in FUNNEL), default=0) if day_total else 0
    return render(
        request,
        "flow.html",
        principal,
        hours=hours[:-1],
        total=day_total,
        funnel=[(n, getattr(day_total.figures, n), top) for n in FUNNEL] if day_total else [],
        **view.page_values(),
    )
