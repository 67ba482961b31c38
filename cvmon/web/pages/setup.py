"""Camera set-up for admins: list, add, edit and remove cameras, test a source, edit zones on a snapshot.

Every page here edits the cameras.yaml the viewer was started with (``--config``); see
``cvmon.web.setup_actions`` for how a change is validated, backed up, saved and audited. An admin
bound to units sees and changes only the cameras of those units (another camera is answered like
one that does not exist, 404), and a save that would touch anything else is refused.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER
from cvmon.config.editing import CAMERA_FIELDS, OutOfScope
from cvmon.config.models import CameraConfig
from cvmon.errors import ConfigError
from cvmon.read import queries
from cvmon.types import ZoneKind
from cvmon.web import setup_actions as actions
from cvmon.web.render import render
from cvmon.web.session import FormCsrf, JsonCsrf, PageDenied, page_role, reject_nul

router = APIRouter(include_in_schema=False)
AdminUser = Annotated[Principal, Depends(page_role(*ADMINISTER))]
CameraId = Annotated[str, Path(max_length=64)]
FIELD = Annotated[str, Form(max_length=2000)]


def _editor(context: ContextDep) -> actions.ConfigFile:
    try:
        return actions.open_config_file(context)
    except actions.SetupUnavailable as err:
        raise PageDenied(409, str(err)) from None
    except ConfigError as err:
        raise PageDenied(409, str(err)) from None


def _camera_config(context: ContextDep, camera_id: str) -> CameraConfig | None:
    config = context.config
    return next((c for c in config.cameras if c.id == camera_id), None) if config else None


def _allowed(principal: Principal) -> tuple[str, ...] | None:
    """The units whose cameras the admin may change; None for an admin at the root."""
    return None if principal.whole_organisation else principal.scope


def _own_camera(editor: actions.ConfigFile, camera_id: str, principal: Principal) -> Any:
    """The camera's entry when it belongs to one of the admin's units; KeyError otherwise."""
    cam = editor.camera(camera_id)
    if cam.get("unit") not in principal.scope:
        raise KeyError(camera_id)
    return cam


@router.get("/admin/cameras", response_class=HTMLResponse)
def cameras_page(request: Request, principal: AdminUser, context: ContextDep, session: SessionDep) -> HTMLResponse:
    """The cameras of cameras.yaml in the admin's units, with their live status (admin)."""
    editor = _editor(context)
    status = {c.id: c for c in queries.camera_statuses(session, principal.scope)}
    cams = [
        {**dict.fromkeys(CAMERA_FIELDS), **c}
        for c in editor.cameras()
        if isinstance(c, dict) and c.get("unit") in principal.scope
    ]
    for cam in cams:
        cam["source_shown"] = actions.shown_source(str(cam.get("source", "")))
        cam["zone_count"] = len(cam.get("zones") or [])
    return render(request, "setup_cameras.html", principal, cameras=cams, status=status, path=str(editor.path))


def _form_page(
    request: Request,
    principal: Principal,
    context: ContextDep,
    session: SessionDep,
    values: dict[str, Any],
    camera_id: str | None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    units = queries.units_in_scope(session, principal.scope)
    values = {key: values.get(key) for key in CAMERA_FIELDS}
    return render(
        request,
        "setup_camera.html",
        principal,
        status_code,
        values=values,
        camera_id=camera_id,
        units=units,
        problems=problems or [],
    )


@router.get("/admin/cameras/new", response_class=HTMLResponse)
def new_camera_page(request: Request, principal: AdminUser, context: ContextDep, session: SessionDep) -> HTMLResponse:
    """The form for a new camera (admin)."""
    _editor(context)
    return _form_page(request, principal, context, session, {"enabled": True, "analysis_fps": ""}, None)


@router.get("/admin/cameras/{camera_id}", response_class=HTMLResponse)
def camera_form_page(
    camera_id: CameraId, request: Request, principal: AdminUser, context: ContextDep, session: SessionDep
) -> HTMLResponse:
    """The form of an existing camera of the admin's units, its source's credentials masked (admin)."""
    try:
        cam = dict(_own_camera(_editor(context), camera_id, principal))
    except KeyError:
        raise PageDenied(404, "error.404") from None
    cam["source"] = actions.shown_source(str(cam.get("source", "")))
    return _form_page(request, principal, context, session, cam, camera_id)


def _form_values(camera_id: str, name: str, unit: str, source: str, analysis_fps: str, enabled: str) -> dict[str, Any]:
    reject_nul(camera_id, name, unit, source, analysis_fps, enabled)
    fps: Any = None
    if analysis_fps.strip():
        try:
            fps = float(analysis_fps)
        except ValueError:
            fps = analysis_fps  # the models say what is wrong with it
    return {
        "id": camera_id.strip(),
        "name": name.strip() or None,
        "unit": unit.strip(),
        "source": source.strip(),
        "analysis_fps": fps,
        "enabled": None if enabled == "on" else False,
    }


def _save_camera(
    request: Request,
    principal: Principal,
    context: ContextDep,
    session: SessionDep,
    camera_id: str | None,
    values: dict[str, Any],
) -> Response:
    editor = _editor(context)
    try:
        stored = str(_own_camera(editor, camera_id, principal).get("source", "")) if camera_id else None
        values = {**values, "source": actions.restore_secrets(values["source"], stored)}
        editor.set_camera(camera_id, values)
        change = "add" if camera_id is None else "edit"
        actions.save(context, principal.actor, editor, change, values["id"], _allowed(principal))
    except (KeyError, OutOfScope):
        raise PageDenied(404, "error.404") from None
    except ConfigError as err:
        shown = {**values, "enabled": values["enabled"] is not False, "source": actions.shown_source(values["source"])}
        problems = [re.sub(r"^cameras\[\d+\]\.", "", p) for p in actions.problems_of(err)]
        return _form_page(request, principal, context, session, shown, camera_id, problems, 422)
    return RedirectResponse(f"/admin/cameras?saved={values['id']}", status_code=303)


@router.post("/admin/cameras/new", response_class=HTMLResponse, dependencies=[FormCsrf])
def add_camera(
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    session: SessionDep,
    camera_id: Annotated[str, Form(alias="id", max_length=64)] = "",
    name: FIELD = "",
    unit: FIELD = "",
    source: FIELD = "",
    analysis_fps: FIELD = "",
    enabled: FIELD = "",
) -> Response:
    """Add a camera to cameras.yaml (admin; CSRF; validated, backed up, audited)."""
    values = _form_values(camera_id, name, unit, source, analysis_fps, enabled)
    return _save_camera(request, principal, context, session, None, values)


@router.post("/admin/cameras/{camera_id}", response_class=HTMLResponse, dependencies=[FormCsrf])
def change_camera(
    camera_id: CameraId,
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    session: SessionDep,
    name: FIELD = "",
    unit: FIELD = "",
    source: FIELD = "",
    analysis_fps: FIELD = "",
    enabled: FIELD = "",
) -> Response:
    """Change a camera's name, unit, source, analysis fps or state (admin; CSRF; validated, backed up, audited)."""
    values = _form_values(camera_id, name, unit, source, analysis_fps, enabled)
    return _save_camera(request, principal, context, session, camera_id, values)


@router.post("/admin/cameras/{camera_id}/delete", dependencies=[FormCsrf])
def remove_camera(camera_id: CameraId, principal: AdminUser, context: ContextDep) -> Response:
    """Remove a camera from cameras.yaml; its stored figures stay (admin; CSRF; backed up, audited)."""
    editor = _editor(context)
    try:
        _own_camera(editor, camera_id, principal)
        editor.remove_camera(camera_id)
        actions.save(context, principal.actor, editor, "remove", camera_id, _allowed(principal))
    except (KeyError, OutOfScope):
        raise PageDenied(404, "error.404") from None
    except ConfigError as err:
        raise PageDenied(422, "; ".join(actions.problems_of(err))) from None
    return RedirectResponse(f"/admin/cameras?removed={camera_id}", status_code=303)


@router.post("/admin/cameras-test", response_class=HTMLResponse, dependencies=[FormCsrf])
def test_connection(
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    source: FIELD = "",
    camera: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    """Open a source with bounded timeouts and show its properties and an anonymised snapshot (admin;
    CSRF; audited). ``camera``, when given, must be one of the admin's (404 otherwise): its masked
    credentials are filled in from the stored source. Answers an HTML fragment for the camera form's script."""
    reject_nul(source, camera)
    if not source.strip():
        raise PageDenied(422, "setup.no_source")
    stored = None
    if camera:
        try:
            stored = str(_own_camera(_editor(context), camera, principal).get("source", ""))
        except KeyError:
            if context.config is not None and any(c.id == camera for c in context.config.cameras):
                raise PageDenied(404, "error.404") from None
    try:
        full = actions.restore_secrets(source.strip(), stored)
    except actions.MaskedSecret as err:
        raise PageDenied(422, str(err)) from None
    config = _camera_config(context, camera) if stored is not None else None
    result, error = actions.test_source(context, principal.actor, full, config)
    return render(request, "_probe_result.html", principal, 200 if result else 422, result=result, error=error)


@router.get("/admin/cameras/{camera_id}/zones", response_class=HTMLResponse)
def zone_editor(camera_id: CameraId, request: Request, principal: AdminUser, context: ContextDep) -> HTMLResponse:
    """The zone editor over an anonymised snapshot of a camera of the admin's units (admin)."""
    try:
        cam = _own_camera(_editor(context), camera_id, principal)
    except KeyError:
        raise PageDenied(404, "error.404") from None
    zones = [
        {
            "id": z.get("id"),
            "name": z.get("name") or "",
            "kind": z.get("kind"),
            "capacity": z.get("capacity"),
            "queue": z.get("queue") or "",
            "counter": z.get("counter") or "",
            "points": [[float(x), float(y)] for x, y in z.get("points") or []],
        }
        for z in cam.get("zones") or []
    ]
    masks = [
        {"name": m.get("name") or "", "points": [[float(x), float(y)] for x, y in m.get("points") or []]}
        for m in cam.get("privacy_masks") or []
    ]
    return render(
        request,
        "zone_editor.html",
        principal,
        camera_id=camera_id,
        camera_name=cam.get("name") or camera_id,
        source=actions.shown_source(str(cam.get("source", ""))),
        shapes={"zones": zones, "privacy_masks": masks},
        kinds=[k.value for k in ZoneKind],
    )


@router.post("/admin/cameras/{camera_id}/snapshot", dependencies=[JsonCsrf])
def camera_snapshot(camera_id: CameraId, principal: AdminUser, context: ContextDep) -> JSONResponse:
    """A fresh anonymised snapshot of a camera of the admin's units for the zone editor (admin;
    X-CSRF-Token; audited)."""
    try:
        cam = _own_camera(_editor(context), camera_id, principal)
    except KeyError:
        return JSONResponse({"error": f"no camera '{camera_id}'"}, 404)
    result, error = actions.test_source(
        context, principal.actor, str(cam.get("source", "")), _camera_config(context, camera_id)
    )
    if result is None:
        return JSONResponse({"error": str(error), "kind": error.kind if error else "other"}, 422)
    return JSONResponse({"image": result.image_uri, "width": result.width, "height": result.height})


@router.post("/admin/cameras/{camera_id}/zones", dependencies=[JsonCsrf])
def save_zones(
    camera_id: CameraId,
    principal: AdminUser,
    context: ContextDep,
    body: Annotated[dict[str, Any], Body()],
) -> JSONResponse:
    """Save a camera's zones and privacy masks (JSON; admin; X-CSRF-Token; validated, backed up, audited).
    422 lists each problem with its path, e.g. ``zones[1].points: ...``."""
    zones, masks = body.get("zones"), body.get("privacy_masks", [])
    if not (isinstance(zones, list) and isinstance(masks, list) and all(isinstance(z, dict) for z in zones + masks)):
        return JSONResponse({"problems": ["send {zones: [...], privacy_masks: [...]}"]}, 422)
    editor = _editor(context)
    try:
        _own_camera(editor, camera_id, principal)
        index = editor.camera_index(camera_id)
        editor.set_zones(camera_id, zones, masks)
        backup = actions.save(context, principal.actor, editor, "zones", camera_id, _allowed(principal))
    except (KeyError, OutOfScope):
        return JSONResponse({"problems": [f"no camera '{camera_id}'"]}, 404)
    except (ConfigError, TypeError, ValueError) as err:
        problems = actions.problems_of(err) if isinstance(err, ConfigError) else [str(err)]
        prefix = f"cameras[{index}]."
        shown = [p[len(prefix) :] if p.startswith(prefix) else p for p in problems]
        return JSONResponse({"problems": shown}, 422)
    saved = {"saved": True, "zones": len(zones), "privacy_masks": len(masks), "backup": backup.name if backup else None}
    return JSONResponse(saved)
