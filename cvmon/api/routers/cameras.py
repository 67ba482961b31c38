"""Cameras with their live status, and the current figures of each zone of a camera."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from cvmon.api.deps import AllowedUnits, SessionDep, require_role
from cvmon.api.permissions import READ_FIGURES
from cvmon.api.schemas import CameraOut, CameraZonesNow
from cvmon.read import queries
from cvmon.read.current import zone_now

router = APIRouter(prefix="/api/cameras", tags=["cameras"], dependencies=[Depends(require_role(*READ_FIGURES))])


@router.get("", response_model=list[CameraOut])
def cameras(units: AllowedUnits, session: SessionDep) -> list[CameraOut]:
    """Cameras of the caller's units: online/offline from the latest event, the last analysed frame, and
    the frames analysed, the detector's mean time per frame it ran on and the share of frames it ran on in
    the latest minute with frames (any role)."""
    out = []
    for cam in queries.camera_statuses(session, units):
        seconds = cam.seconds_online_last_minute
        fps = cam.frames_last_minute / seconds if cam.frames_last_minute is not None and seconds else None
        inference = cam.inference_ms_last_minute
        out.append(
            CameraOut(
                id=cam.id,
                unit_id=cam.unit_id,
                name=cam.name,
                source_kind=cam.source_kind,
                analysis_fps=cam.analysis_fps,
                status=cam.status,  # type: ignore[arg-type]
                status_since=cam.status_since,
                last_frame_at=cam.last_frame_at,
                last_minute=cam.last_minute,
                frames_last_minute=cam.frames_last_minute,
                analysed_fps=None if fps is None else round(fps, 2),
                inference_ms=None if inference is None else round(inference, 2),
                detector_share=_share(cam.frames_detected_last_minute, cam.frames_last_minute, inference),
            )
        )
    return out


@router.get("/{camera_id}/zones/current", response_model=CameraZonesNow)
def zones_now(camera_id: str, units: AllowedUnits, session: SessionDep) -> CameraZonesNow:
    """Each zone of a camera with its latest stored minute (any role; 404 outside the caller's units)."""
    rows = queries.zones_with_latest_minute(session, camera_id, units)
    if not rows:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no camera '{camera_id}'")
    zones = [zone_now(zone, minute) for _cam, zone, minute in rows if zone is not None]
    cam = rows[0][0]
    return CameraZonesNow(camera_id=cam.id, unit_id=cam.unit_id, zones=zones)


def _share(detected: int | None, analysed: int | None, inference: float | None) -> float | None:
    if inference is None or not detected or not analysed:
        return None
    return round(detected / analysed, 3)
