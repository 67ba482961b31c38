"""Anonymised snapshots: listed, and served only through this authorised, audited endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from cvmon.api.deps import AllowedUnits, ContextDep, CurrentUser, SessionDep, require_role
from cvmon.api.narrow import cameras_of, checked_range, unit_subtree
from cvmon.api.paging import PAGED, Limit, Offset, page_headers
from cvmon.api.params import MAX_ID, checked_time
from cvmon.api.permissions import READ_EVIDENCE
from cvmon.api.schemas import EvidenceOut
from cvmon.errors import EvidenceTampered
from cvmon.read import lists, queries
from cvmon.storage.audit import AuditAction
from cvmon.types import Rule

router = APIRouter(prefix="/api/evidence", tags=["evidence"], dependencies=[Depends(require_role(*READ_EVIDENCE))])


@router.get("", response_model=list[EvidenceOut], responses=PAGED)
def evidence(
    request: Request,
    response: Response,
    context: ContextDep,
    units: AllowedUnits,
    session: SessionDep,
    unit: Annotated[str | None, Query(description="Only the cameras of this unit and the units below it.")] = None,
    camera: Annotated[str | None, Query(description="Only this camera.")] = None,
    alert: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only the snapshots of this alert.")] = None,
    rule: Annotated[Rule | None, Query(description="Only the snapshots of this rule's alerts.")] = None,
    kind: Annotated[
        Literal["open", "peak", "periodic", "room_reference", "room_opening", "room_check", "greeting_missed"] | None,
        Query(description="Only this kind."),
    ] = None,
    since: Annotated[datetime | None, Query(description="Taken at or after (ISO with offset).")] = None,
    until: Annotated[datetime | None, Query(description="Taken before (ISO with offset).")] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> list[EvidenceOut]:
    """Snapshots of the caller's units matching every filter, newest first, ``limit`` from ``offset``; the
    X-Total-Count header says how many match (auditor, pic, manager, admin; not viewer; 404 for a unit,
    camera or alert outside the caller's units)."""
    cameras = cameras_of(session, camera, unit_subtree(session, unit, units))
    if alert is not None:
        context.alerts.get(alert, units)  # AlertNotFound (404) outside the units
    checked_range(checked_time(since, "since"), checked_time(until, "until"))
    page = lists.find_evidence(
        session, cameras, alert=alert, rule=rule, kind=kind, since=since, until=until, limit=limit, offset=offset
    )
    page_headers(response, request, page)
    return [
        EvidenceOut(
            id=e.id,
            alert_id=e.alert_id,
            camera_id=e.camera_id,
            ts=e.ts,
            kind=e.kind,
            sha256=e.sha256,
            size=e.size,
            counts=e.counts,
            image_url=f"/api/evidence/{e.id}/image",
        )
        for e in page.items
    ]


@router.get(
    "/{evidence_id}/image",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The anonymised JPEG, its sha256 checked."},
        409: {"description": "The file is missing or no longer matches its recorded sha256."},
    },
)
def evidence_image(
    evidence_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    principal: CurrentUser,
    context: ContextDep,
    units: AllowedUnits,
    session: SessionDep,
    download: Annotated[bool, Query(description="Serve as an attachment (audited as a download).")] = False,
) -> Response:
    """One snapshot's JPEG after checking its sha256; every view and download is audited
    (auditor, pic, manager, admin; 404 outside the caller's units; 409 when tampered with)."""
    cameras = queries.camera_ids_in_scope(session, units)
    action = AuditAction.EVIDENCE_DOWNLOAD if download else AuditAction.EVIDENCE_VIEW
    target = f"evidence:{evidence_id}"
    now = context.clock()
    try:
        shot, data = context.evidence.read(evidence_id, cameras)
    except EvidenceTampered as err:
        context.audit.record(now, principal.actor, action, target, {"result": "tampered", "reason": err.reason})
        raise
    details = {"result": "ok", "camera": shot.camera_id, "alert": shot.alert_id, "sha256": shot.sha256}
    context.audit.record(now, principal.actor, action, target, details)
    disposition = "attachment" if download else "inline"
    return Response(
        data,
        media_type="image/jpeg",
        headers={
            "Content-Disposition": f'{disposition}; filename="evidence-{evidence_id}.jpg"',
            "Cache-Control": "no-store",
        },
    )
