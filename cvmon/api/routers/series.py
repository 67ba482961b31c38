"""Time series of each zone of a camera: per minute, hour or local day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, status

from cvmon.api.deps import AllowedUnits, ContextDep, SessionDep, require_role
from cvmon.api.params import checked_time
from cvmon.api.permissions import READ_FIGURES
from cvmon.api.schemas import SeriesOut, SeriesPoint, ZoneSeries
from cvmon.read import queries
from cvmon.read.timeseries import MINUTE_ONLY, Resolution, zone_series

router = APIRouter(prefix="/api", tags=["series"], dependencies=[Depends(require_role(*READ_FIGURES))])

# The longest period one request may ask for, and the default one, per resolution.
MAX_SPAN = {
    "minute": timedelta(days=3),
    "quarter": timedelta(days=31),
    "hour": timedelta(days=93),
    "day": timedelta(days=732),
}
DEFAULT_SPAN = {
    "minute": timedelta(hours=6),
    "quarter": timedelta(days=1),
    "hour": timedelta(days=1),
    "day": timedelta(days=30),
}


@router.get("/series", response_model=SeriesOut, response_model_by_alias=True)
def series(
    context: ContextDep,
    units: AllowedUnits,
    session: SessionDep,
    camera: Annotated[str, Query(description="Camera id.")],
    zone: Annotated[str | None, Query(description="One zone; default every zone of the camera.")] = None,
    start: Annotated[datetime | None, Query(alias="from", description="Start (ISO with offset), inclusive.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="End (ISO with offset), exclusive; now.")] = None,
    resolution: Annotated[
        Resolution, Query(description="minute, quarter (15 minutes), hour or day (the unit's local days).")
    ] = "hour",
) -> SeriesOut:
    """Queue length (people in the zone) mean and max, wait p50/p90, staffed ratio and occupancy per
    bucket (any role; 404 outside the caller's units)."""
    end = checked_time(end, "to") or context.clock()
    start = checked_time(start, "from") or end - DEFAULT_SPAN[resolution]
    if start >= end:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "'from' must be before 'to'")
    if end - start > MAX_SPAN[resolution]:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"at most {MAX_SPAN[resolution].days} days at {resolution} resolution",
        )
    cam = queries.camera_in_scope(session, camera, units)
    if cam is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no camera '{camera}'")
    zones = queries.zones_of_camera(session, camera, units, zone)
    if zone is not None and not zones:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no zone '{zone}' on camera '{camera}'")
    minute_rows = queries.minute_rows(session, camera, zone, start, end, units)
    hourly_rows = queries.hourly_rows(session, camera, zone, start, end, units) if resolution not in MINUTE_ONLY else []
    points = zone_series(zones, minute_rows, hourly_rows, resolution, ZoneInfo(cam.timezone))
    return SeriesOut(
        camera_id=cam.id,
        unit_id=cam.unit_id,
        timezone=cam.timezone,
        resolution=resolution,
        start=start,
        end=end,
        zones=[
            ZoneSeries(
                zone_id=z.zone_id,
                name=z.name,
                kind=z.kind,
                capacity=z.capacity,
                points=[SeriesPoint.model_validate(p, from_attributes=True) for p in points[z.zone_id]],
            )
            for z in zones
        ],
    )
