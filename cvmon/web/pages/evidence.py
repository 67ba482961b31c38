"""The evidence gallery: anonymised snapshots listed a page at a time, filtered by unit, camera, alert, rule
and day, each opened through the audited endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.params import MAX_ID
from cvmon.api.permissions import READ_EVIDENCE
from cvmon.read import lists, queries
from cvmon.storage.alerts import AlertNotFound
from cvmon.types import Rule
from cvmon.web import data, listing
from cvmon.web.render import render
from cvmon.web.session import PageDenied, page_role

router = APIRouter(include_in_schema=False)
EvidenceUser = Annotated[Principal, Depends(page_role(*READ_EVIDENCE))]
KINDS = ("open", "peak", "periodic", "room_reference", "room_opening", "room_check", "greeting_missed")


@router.get("/evidence", response_class=HTMLResponse)
def gallery(
    request: Request,
    principal: EvidenceUser,
    context: ContextDep,
    session: SessionDep,
    unit: str | None = None,
    camera: str | None = None,
    alert: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    rule: str = "",
    kind: str = "",
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=listing.LAST_PAGE)] = 1,
) -> HTMLResponse:
    """Snapshots of the caller's units, newest first, a page at a time, filtered by unit (with the units
    below it), camera, alert, rule, kind and the days they were taken (auditor, pic, manager, admin).
    Listing shows no image; opening one is a view, audited."""
    choice = data.choose_unit(session, principal.scope, unit)
    if choice is None:
        raise PageDenied(404, "error.404")
    cameras = queries.camera_statuses(session, choice.units)
    ids = [c.id for c in cameras]
    if camera:
        if camera not in ids:
            raise PageDenied(404, "error.404")
        ids = [camera]
    if alert is not None:
        try:
            context.alerts.get(alert, principal.scope)
        except AlertNotFound:
            raise PageDenied(404, "error.404") from None
    if kind and kind not in KINDS:
        raise PageDenied(422, "list.bad_choice", name="kind", value=kind[:40])
    chosen_rule = listing.choice_of(Rule, rule, "rule")
    timezone = data.filter_timezone(choice)
    since, until = listing.day_range(start, end, timezone)
    found = lists.find_evidence(
        session,
        ids,
        alert=alert,
        rule=chosen_rule,
        kind=kind or None,
        since=since,
        until=until,
        limit=listing.PAGE_SIZE,
        offset=listing.offset_of(page),
    )
    units = data.units_by_id(session, principal.scope)
    filters = {
        "unit": unit or "",
        "camera": camera or "",
        "alert": str(alert or ""),
        "rule": rule,
        "kind": kind,
        "from": start,
        "to": end,
    }
    return render(
        request,
        "evidence.html",
        principal,
        shots=found.items,
        pager=listing.pager(found, page, filters),
        f=filters,
        choice=choice,
        camera_choices=[(c.id, c.name or c.id) for c in cameras],
        camera=camera or "",
        alert=alert,
        rules=list(Rule),
        kinds=KINDS,
        timezone=timezone,
        tz_of={c.id: units[c.unit_id].timezone for c in cameras},
        names=data.display_names(session, principal.scope),
    )


@router.get("/evidence/{evidence_id}", response_class=HTMLResponse)
def evidence_page(
    evidence_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    request: Request,
    principal: EvidenceUser,
    context: ContextDep,
    session: SessionDep,
) -> HTMLResponse:
    """One snapshot with its facts; the image comes from GET /api/evidence/{id}/image, which audits the view."""
    cameras = queries.camera_statuses(session, principal.scope)
    shot = next(iter(context.evidence.find([c.id for c in cameras], None, 1, evidence_id=evidence_id)), None)
    if shot is None:
        raise PageDenied(404, "error.404")
    units = data.units_by_id(session, principal.scope)
    unit_id = next(c.unit_id for c in cameras if c.id == shot.camera_id)
    names = data.display_names(session, principal.scope)
    return render(request, "evidence_one.html", principal, shot=shot, timezone=units[unit_id].timezone, names=names)
