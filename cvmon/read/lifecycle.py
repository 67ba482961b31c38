"""What the dashboard shows now: the cameras and zones configured now, of those the scoped reads found.

A camera or zone taken out of ``cameras.yaml`` keeps its rows and data (its history, series and alerts
stay readable through the API), but it has no open configuration period
(``cvmon.storage.config_history``), so the tiles and the summary per unit leave it out.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from cvmon.read import queries
from cvmon.storage.config_history import ZoneKey, current_camera_ids, current_zone_keys


def configured_now(
    session: Session, cameras: Sequence[queries.CameraStatus]
) -> tuple[list[queries.CameraStatus], set[ZoneKey]]:
    """The cameras of ``cameras`` configured now (in their order), and the zones of those configured now."""
    ids = [c.id for c in cameras]
    current = current_camera_ids(session, ids)
    return [c for c in cameras if c.id in current], current_zone_keys(session, sorted(current))
