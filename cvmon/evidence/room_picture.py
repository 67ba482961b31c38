"""Pictures of room readiness: the reference (anonymised, no caption) and a check's picture with the
regions and what changed in them outlined."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import cv2
import numpy as np
import numpy.typing as npt

from cvmon.config.models import PrivacyMask
from cvmon.config.room import RoomRegionConfig
from cvmon.evidence.anonymise import anonymise
from cvmon.types import AnonymisedJpeg, Image
from cvmon.types.room import RegionStatus, RoomFindings

REGION_COLOUR = (0, 200, 0)  # BGR: a region as its reference
CHANGED_COLOUR = (0, 0, 255)  # a region that changed, and the outline of the change
HIDDEN_COLOUR = (160, 160, 160)  # a region people hide


def reference_picture(image: Image, people_xyxy: npt.ArrayLike, masks: Sequence[PrivacyMask]) -> AnonymisedJpeg:
    """The room's reference as evidence: people (if any) pixelated, privacy masks filled, nothing drawn."""
    return anonymise(image, people_xyxy, masks=masks, caption=False, jpeg_quality=92)


def check_picture(
    image: Image,
    people_xyxy: npt.ArrayLike,
    masks: Sequence[PrivacyMask],
    regions: Sequence[RoomRegionConfig],
    found: RoomFindings,
    *,
    ts: datetime,
    tz: tzinfo,
    camera_id: str,
    margin: float = 0.15,
) -> AnonymisedJpeg:
    """A check's picture: each region outlined in the colour of its status, each change outlined in red,
    with region ids, then anonymised (people pixelated over the drawing) with the caption."""
    out = image.copy()
    h, w = out.shape[:2]
    thickness = max(1, round(h / 240))
    statuses = {r.region_id: r for r in found.regions}
    for region in regions:
        finding = statuses.get(region.id)
        status = finding.status if finding is not None else RegionStatus.NOT_VISIBLE
        colour = {RegionStatus.CHANGED: CHANGED_COLOUR, RegionStatus.NOT_VISIBLE: HIDDEN_COLOUR}.get(
            status, REGION_COLOUR
        )
        polygon = _pixels(region.points, w, h)
        cv2.polylines(out, [polygon], True, colour, thickness, cv2.LINE_AA)
        x, y = polygon.reshape(-1, 2).min(axis=0)
        cv2.putText(out, region.id, (int(x) + 3, int(y) + 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv2.LINE_AA)
    for finding in found.regions:
        for outline in finding.outlines:
            cv2.polylines(out, [_pixels(outline, w, h)], True, CHANGED_COLOUR, thickness + 1, cv2.LINE_AA)
    return anonymise(out, people_xyxy, masks=masks, ts=ts, tz=tz, camera_id=camera_id, margin=margin)


def decode_picture(data: bytes) -> Image | None:
    """A stored picture as a BGR array (None when it is not a readable image)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return None if image is None else np.ascontiguousarray(image)


def _pixels(points: Sequence[tuple[float, float]], w: int, h: int) -> npt.NDArray[np.int32]:
    return np.round(np.asarray(points, dtype=np.float64) * [w, h]).astype(np.int32).reshape(-1, 1, 2)
