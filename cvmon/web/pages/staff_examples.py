"""An admin confirms a staff member on the camera's latest anonymised frame: the box's torso colour is
folded into the camera's aggregate staff model as a confirmed example (the box itself is not kept)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER
from cvmon.evidence.room_picture import decode_picture
from cvmon.pipeline.roles import StoredStaffModel
from cvmon.read import queries
from cvmon.staff import StaffModel, torso_look
from cvmon.storage.audit import AuditAction
from cvmon.web.session import FormCsrf, PageDenied, page_role

router = APIRouter(include_in_schema=False)
StaffAdmin = Annotated[Principal, Depends(page_role(*ADMINISTER))]
Fraction = Annotated[float, Form(ge=0.0, le=1.0)]


@router.post("/cameras/{camera_id}/staff-example", dependencies=[FormCsrf])
def confirm_staff(
    camera_id: str,
    principal: StaffAdmin,
    context: ContextDep,
    session: SessionDep,
    x1: Fraction,
    y1: Fraction,
    x2: Fraction,
    y2: Fraction,
) -> Response:
    """Fold the torso of the box (x1, y1)-(x2, y2), relative to the latest anonymised frame, into the camera's
    staff model as an admin-confirmed example (admin; CSRF; audited). The running camera takes it up."""
    if queries.camera_in_scope(session, camera_id, principal.scope) is None:
        raise PageDenied(404, "error.404")
    config = context.config
    camera = next((c for c in config.cameras if c.id == camera_id), None) if config is not None else None
    if camera is None or camera.staff is None or not camera.staff.enabled:
        raise PageDenied(409, "staff.not_enabled")
    if x2 <= x1 or y2 <= y1:
        raise PageDenied(422, "staff.bad_box")
    try:
        image = decode_picture(context.evidence.store.latest_path(camera_id).read_bytes())
    except OSError:
        image = None
    if image is None:
        raise PageDenied(409, "cam.no_frame")
    h, w = image.shape[:2]
    look = torso_look(image, np.array([x1 * w, y1 * h, x2 * w, y2 * h], np.float32))
    if look is None:
        raise PageDenied(422, "staff.bad_box")
    file = StoredStaffModel(context.evidence.store, camera_id)
    found = file.read()
    try:
        model = StaffModel.from_json(found[1], camera.staff) if found is not None else StaffModel(camera.staff)
    except ValueError:
        model = StaffModel(camera.staff)
    now = context.clock()
    model.add_staff(look, now.timestamp(), confirmed=True)
    file.write(model.to_json())
    context.audit.record(now, principal.actor, AuditAction.STAFF_EXAMPLE, f"camera:{camera_id}")
    return RedirectResponse(f"/cameras/{camera_id}?done=staff", status_code=303)
