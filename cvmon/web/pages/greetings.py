"""The PS4 greeting per unit and day: each counter's and post's arrivals by hour, greeted, missed, not
visible and seated (the hours where it leaks)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER, READ_FIGURES
from cvmon.errors import CvmonError
from cvmon.read import queries
from cvmon.read.greetings import greeting_rows
from cvmon.web.day_view import day_view
from cvmon.web.render import render
from cvmon.web.session import FormCsrf, PageDenied, page_role

router = APIRouter(include_in_schema=False)
GreetingUser = Annotated[Principal, Depends(page_role(*READ_FIGURES))]
GreetingAdmin = Annotated[Principal, Depends(page_role(*ADMINISTER))]
MAX_CLIP_BYTES = 200 * 1024 * 1024  # a few minutes of a sub-stream is far less


@router.get("/greetings", response_class=HTMLResponse)
def greetings(
    request: Request,
    principal: GreetingUser,
    context: ContextDep,
    session: SessionDep,
    unit: str | None = None,
    day: str = "",
    done: str = "",
) -> HTMLResponse:
    """Greetings of the chosen unit (and below) on a local day, per staff zone and hour (every role; own units)."""
    view = day_view(session, principal.scope, unit, day, context.clock())
    cameras = queries.camera_statuses(session, view.choice.units)
    names = {c.id: c.name or c.id for c in cameras}
    rows = greeting_rows(session, list(names), view.start, view.end, view.tz)
    return render(
        request,
        "greetings.html",
        principal,
        rows=rows,
        camera_names=names,
        done=done,
        **view.page_values(),
        reference_zones=_reference_zones(context, set(names)) if principal.user.role in ADMINISTER else [],
    )


def _reference_zones(context: ContextDep, cameras: set[str]) -> list[tuple[str, str]]:
    """(camera, staff zone) pairs of the cameras in view that measure greetings: where a reference can go."""
    config = context.config
    if config is None:
        return []
    return [
        (c.id, z.id)
        for c in config.cameras
        if c.id in cameras and c.behaviour is not None and c.behaviour.enabled
        for z in c.zones
        if z.kind.measures_staffing
    ]


@router.post("/greetings/reference", dependencies=[FormCsrf])
def record_reference(
    principal: GreetingAdmin,
    context: ContextDep,
    session: SessionDep,
    target: Annotated[str, Form(max_length=200)],
    marks: Annotated[str, Form(max_length=500)],
    clip: Annotated[UploadFile, File()],
) -> Response:
    """Learn a staff zone's reference greeting from an uploaded clip with the greetings marked in seconds
    (admin; CSRF; audited). The clip is read from a temporary file and deleted; only keypoints are kept."""
    from cvmon.behaviour.reference import learn_reference
    from cvmon.pipeline.greeting_reference import clip_poses, parse_mark
    from cvmon.settings import get_settings
    from cvmon.storage.greetings import save_reference

    camera_id, _, zone_id = target.partition("/")
    if queries.camera_in_scope(session, camera_id, principal.scope) is None:
        raise PageDenied(404, "error.404")
    config = context.config
    camera = next((c for c in config.cameras if c.id == camera_id), None) if config is not None else None
    if camera is None or camera.behaviour is None or not camera.behaviour.enabled or config is None:
        raise PageDenied(409, "greet.not_enabled")
    try:
        spans = [parse_mark(m.strip()) for m in marks.replace(";", ",").split(",") if m.strip()]
    except CvmonError as err:
        raise PageDenied(422, "greet.bad_marks", error=str(err)[:200]) from None
    if not spans:
        raise PageDenied(422, "greet.bad_marks", error=marks[:200])
    with tempfile.TemporaryDirectory(prefix="cvmon-reference-") as folder:
        path = Path(folder) / "clip"
        with path.open("wb") as out:
            shutil.copyfileobj(clip.file, out, length=1024 * 1024)
        if path.stat().st_size > MAX_CLIP_BYTES:
            raise PageDenied(413, "greet.clip_too_big")
        try:
            samples = clip_poses(config, camera, zone_id, path, get_settings().resolved_model_dir)
            reference = learn_reference(samples, spans, camera.behaviour.greeting, camera.behaviour.reference)
        except (CvmonError, ValueError) as err:
            raise PageDenied(422, "greet.not_learned", error=str(err)[:300]) from None
    save_reference(
        context.db, camera_id, zone_id, reference.to_json(), len(reference.greeting), context.clock(), principal.actor
    )
    return RedirectResponse("/greetings?done=reference", status_code=303)
