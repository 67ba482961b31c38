"""The dashboard: the caller's unit tree, a summary per unit (what needs action first on top) and a live
tile per camera, refreshed by the page itself."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep, SessionDep
from cvmon.web import data
from cvmon.web.render import render
from cvmon.web.session import PageDenied, PageUser

router = APIRouter(include_in_schema=False)


def _choice(session: SessionDep, principal: PageUser, unit: str | None) -> data.UnitChoice:
    choice = data.choose_unit(session, principal.scope, unit)
    if choice is None:
        raise PageDenied(404, "error.404")
    return choice


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request, principal: PageUser, context: ContextDep, session: SessionDep, unit: str | None = None
) -> HTMLResponse:
    """Unit tree, and each camera's queue, occupancy, staffing and open alerts (any role, own units)."""
    choice = _choice(session, principal, unit)
    now = context.clock()
    tiles = data.tiles(session, choice.units, now)
    return render(
        request,
        "dashboard.html",
        principal,
        choice=choice,
        tiles=tiles,
        summaries=data.summaries(session, choice, tiles, now),
        now=now,
        refresh_s=context.settings.tile_refresh_s,
    )


@router.get("/ui/tiles", response_class=HTMLResponse)
def tiles_fragment(
    request: Request, principal: PageUser, context: ContextDep, session: SessionDep, unit: str | None = None
) -> HTMLResponse:
    """The summary per unit and the tiles, for the dashboard's refresh."""
    choice = _choice(session, principal, unit)
    now = context.clock()
    tiles = data.tiles(session, choice.units, now)
    summaries = data.summaries(session, choice, tiles, now)
    return render(request, "_live.html", principal, choice=choice, tiles=tiles, summaries=summaries, now=now)
