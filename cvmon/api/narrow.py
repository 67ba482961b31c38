"""Narrowing a request to the unit, camera and time range it names: 404 outside the caller's units,
422 for a range that ends before it starts, the same for every list of the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from cvmon.read import queries
from cvmon.read.scope import subtree_of


def unit_subtree(session: Session, unit: str | None, units: Sequence[str]) -> list[str]:
    """The unit and every unit below it within ``units`` (all of them for None); 404 when it is not among them."""
    if unit is None:
        return list(units)
    found = subtree_of(queries.units_in_scope(session, units), unit)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no unit '{unit}'")
    return found


def cameras_of(session: Session, camera: str | None, units: Sequence[str]) -> list[str]:
    """The camera alone when it belongs to ``units``, every camera of them for None; 404 otherwise."""
    cameras = queries.camera_ids_in_scope(session, units)
    if camera is None:
        return cameras
    if camera not in cameras:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no camera '{camera}'")
    return [camera]


def checked_range(since: datetime | None, until: datetime | None) -> None:
    """422 when both ends are given and ``until`` is not after ``since``."""
    if since is not None and until is not None and until <= since:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "'until' must be after 'since'")
