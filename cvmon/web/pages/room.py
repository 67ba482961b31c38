"""The morning checklist: per unit, each camera's room against its reference on a local day, with the
opening verdict, each region's status and the pictures (changes outlined); an admin marks a camera's
latest empty-room picture as its reference here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER, READ_EVIDENCE
from cvmon.config.room import RoomRegionConfig
from cvmon.pipeline.room import reference_from_candidate
from cvmon.read import queries
from cvmon.read.room import room_days
from cvmon.storage.audit import AuditAction
from cvmon.storage.room import mark_reference
from cvmon.web.day_view import day_view
from cvmon.web.render import render
from cvmon.web.session import FormCsrf, PageDenied, page_role

router = APIRouter(include_in_schema=False)
RoomUser = Annotated[Principal, Depends(page_role(*READ_EVIDENCE))]
RoomAdmin = Annotated[Principal, Depends(page_role(*ADMINISTER))]


@router.get("/room", response_class=HTMLResponse)
def checklist(
    request: Request,
    principal: RoomUser,
    context: ContextDep,
    session: SessionDep,
    unit: str | None = None,
    day: str = "",
    done: str = "",
) -> HTMLResponse:
    """Each camera with a room of the chosen unit (and below) on a local day: reference, opening verdict,
    regions, latest picture (auditor, pic, manager, admin; own units). Each picture is opened through the
    audited evidence endpoint."""
    view = day_view(session, principal.scope, unit, day, context.clock())
    cameras = queries.camera_statuses(session, view.choice.units)
    regions = _regions(context)
    days = room_days(session, [c.id for c in cameras], view.start, view.end)
    rooms = [
        (cam, day_, regions.get(cam.id, []))
        for cam, day_ in zip(cameras, days, strict=True)
        if cam.id in regions or day_.reference is not None
    ]
    return render(
        request,
        "room.html",
        principal,
        rooms=rooms,
        done=done,
        **view.page_values(),
        has_candidate={cam.id: context.evidence.store.candidate_path(cam.id).is_file() for cam, _, _ in rooms},
    )


@router.get("/room/{camera_id}/candidate.jpg")
def candidate(camera_id: str, principal: RoomAdmin, context: ContextDep, session: SessionDep) -> Response:
    """The camera's latest picture of its room with nobody in view, to mark as its reference (admin; audited)."""
    if queries.camera_in_scope(session, camera_id, principal.scope) is None:
        raise PageDenied(404, "error.404")
    try:
        jpeg = context.evidence.store.candidate_path(camera_id).read_bytes()
    except OSError:
        raise PageDenied(404, "room.no_candidate") from None
    context.audit.record(
        context.clock(), principal.actor, AuditAction.FRAME_VIEW, f"camera:{camera_id}", {"picture": "room"}
    )
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/room/{camera_id}/reference", dependencies=[FormCsrf])
def mark(
    camera_id: str,
    principal: RoomAdmin,
    context: ContextDep,
    session: SessionDep,
    unit: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Mark the camera's latest empty-room picture as its reference (admin; CSRF; audited with the change)."""
    cam = queries.camera_in_scope(session, camera_id, principal.scope)
    if cam is None:
        raise PageDenied(404, "error.404")
    config = context.config
    camera = next((c for c in config.cameras if c.id == camera_id), None) if config is not None else None
    if camera is None or camera.room is None:
        raise PageDenied(409, "room.not_configured")
    try:
        found = context.evidence.store.candidate_path(camera_id).read_bytes()
    except OSError:
        raise PageDenied(409, "room.no_candidate") from None
    jpeg = reference_from_candidate(camera, found)
    if jpeg is None:
        raise PageDenied(409, "room.no_candidate")
    mark_reference(context.db, context.evidence.store, camera_id, context.clock(), jpeg, principal.actor, "frame")
    query = f"?unit={unit}&done=reference" if unit else "?done=reference"
    return RedirectResponse(f"/room{query}", status_code=303)


def _regions(context: ContextDep) -> dict[str, list[RoomRegionConfig]]:
    """The regions of every camera with a room in the configuration the server runs with."""
    if context.config is None:
        return {}
    return {c.id: list(c.room.regions) for c in context.config.cameras if c.room is not None}
