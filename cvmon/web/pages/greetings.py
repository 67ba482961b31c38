"""The PS4 greeting per unit and day: each counter's and post's arrivals by hour, greeted, missed, not
visible and seated (the hours where it leaks)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import READ_FIGURES
from cvmon.read import queries
from cvmon.read.greetings import greeting_rows
from cvmon.web import data
from cvmon.web.render import render
from cvmon.web.session import PageDenied, page_day, page_role

router = APIRouter(include_in_schema=False)
GreetingUser = Annotated[Principal, Depends(page_role(*READ_FIGURES))]


@router.get("/greetings", response_class=HTMLResponse)
def greetings(
    request: Request,
    principal: GreetingUser,
    context: ContextDep,
    session: SessionDep,
    unit: str | None = None,
    day: str = "",
) -> HTMLResponse:
    """Greetings of the chosen unit (and below) on a local day, per staff zone and hour (every role; own units)."""
    choice = data.choose_unit(session, principal.scope, unit)
    if choice is None:
        raise PageDenied(404, "error.404")
    timezone = data.filter_timezone(choice)
    tz = ZoneInfo(timezone)
    today = context.clock().astimezone(tz).date()
    try:
        chosen = page_day(date.fromisoformat(day), day) if day else today
    except ValueError:
        raise PageDenied(422, "cam.bad_day", day=day[:40]) from None
    start = datetime.combine(chosen, time(), tzinfo=tz)
    cameras = queries.camera_statuses(session, choice.units)
    names = {c.id: c.name or c.id for c in cameras}
    rows = greeting_rows(session, list(names), start, start + timedelta(days=1), tz)
    return render(
        request,
        "greetings.html",
        principal,
        choice=choice,
        rows=rows,
        camera_names=names,
        day=chosen,
        prev_day=chosen - timedelta(days=1),
        next_day=chosen + timedelta(days=1),
        timezone=timezone,
    )
