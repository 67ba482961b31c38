"""The evidence gallery: anonymised snapshots listed by camera and alert, each opened through the audited endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from cvmon.api import queries
from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.params import MAX_ID
from cvmon.api.permissions import READ_EVIDENCE
from cvmon.storage.alerts import AlertNotFound
from cvmon.web import data
from cvmon.web.render import render
from cvmon.web.session import PageDenied, page_role

router = APIRouter(include_in_schema=False)
EvidenceUser = Annotated[Principal, Depends(page_role(*READ_EVIDENCE))]
LIMIT = 200


@router.get("/evidence", response_class=HTMLResponse)
def gallery(
    request: Request,
    principal: EvidenceUser,
    context: ContextDep,
    session: SessionDep,
    camera: str | None = None,
    alert: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """Snapshots of the caller's units, newest first (auditor, pic, manager, admin). Listing shows no image;
    opening one is a view, audited."""
    cameras = queries.camera_statuses(session, principal.scope)
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
    shots = context.evidence.find(ids, alert, LIMIT)
    tz_of = {c.id: data.units_by_id(session, principal.scope)[c.unit_id].timezone for c in cameras}
    return render(
        request,
        "evidence.html",
        principal,
        shots=shots,
        cameras=cameras,
        camera=camera or "",
        alert=alert,
        tz_of=tz_of,
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
