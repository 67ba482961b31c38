"""Anonymised evidence snapshots: people pixelated and blurred, privacy masks filled, zones and counts drawn.

``anonymise`` is the only way to make an ``AnonymisedJpeg``, and the evidence store only accepts
that type, so a raw frame cannot reach the disk through the store.

The person boxes passed in should be generous: the union of the detections at a confidence below
the counting threshold and the boxes the tracker still predicts for people it has just lost
(``boxes_for_evidence``). A person missed by every box is not hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo

import cv2
import numpy as np
import numpy.typing as npt

from cvmon.config.models import PrivacyMask, ZoneConfig
from cvmon.errors import EvidenceError
from cvmon.types import AnonymisedJpeg, Detections, FloatArray, Image, ZoneKind
from cvmon.types.evidence import ANONYMISED
from cvmon.zones.geometry import Zone

Point = tuple[float, float]
BGR = tuple[int, int, int]

# Same grey as CameraPipeline's MASK_FILL (kept here so this module does not import the pipeline).
MASK_FILL: BGR = (114, 114, 114)
# Saturated colours rarely seen in an office, one per zone kind (BGR).
ZONE_COLOURS: dict[ZoneKind, BGR] = {
    ZoneKind.QUEUE: (0, 255, 255),
    ZoneKind.WAITING: (255, 255, 0),
    ZoneKind.COUNTER_STAFF: (0, 255, 0),
    ZoneKind.COUNTER_CUSTOMER: (255, 0, 255),
    ZoneKind.POST: (0, 128, 255),
    ZoneKind.ENTRANCE: (255, 128, 0),
}
CAPTION_BG: BGR = (0, 0, 0)
CAPTION_FG: BGR = (255, 255, 255)
PIXEL_CELLS = 8  # a person box is reduced to this many cells across
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def boxes_for_evidence(detections_low_conf: Detections, tracked: Detections) -> FloatArray:
    """Union of low-confidence detections and tracked boxes, exact duplicates removed.

    Args:
        detections_low_conf: detections at a confidence below the counting threshold.
        tracked: boxes the tracker holds, including ones it only predicts.

    Returns:
        float32 array (N, 4) of x1, y1, x2, y2 in pixels, in input order.
    """
    return unique_boxes(np.concatenate([detections_low_conf.xyxy, tracked.xyxy]))


def unique_boxes(boxes_xyxy: npt.ArrayLike) -> FloatArray:
    """Boxes as float32 (N, 4) with exact duplicates removed, in first-seen order."""
    boxes = np.asarray(boxes_xyxy, dtype=np.float32).reshape(-1, 4)
    if len(boxes) == 0:
        return boxes
    _, first = np.unique(boxes, axis=0, return_index=True)
    return boxes[np.sort(first)]


def caption_bar_height(image_height: int) -> int:
    """Height in pixels of the caption bar drawn across the top of a snapshot."""
    scale = _font_scale(image_height)
    (_, text_h), baseline = cv2.getTextSize("Ag", _FONT, scale, _thickness(scale))
    return int(text_h + baseline + 2 * _pad(image_height))


def caption_text(camera_id: str, ts: datetime | None, tz: tzinfo | None, counts: Mapping[str, int]) -> str:
    """The caption of a snapshot: camera, local time with its zone abbreviation, count per zone."""
    parts = [camera_id] if camera_id else []
    if ts is not None:
        local = ts.astimezone(tz) if tz is not None else ts
        parts.append(local.strftime("%Y-%m-%d %H:%M:%S %Z").strip())
    if counts:
        parts.append("  ".join(f"{zone_id} {n}" for zone_id, n in counts.items()))
    return "  |  ".join(parts)


def anonymise(
    image: Image,
    boxes_xyxy: npt.ArrayLike,
    *,
    masks: Sequence[PrivacyMask | Sequence[Point]] = (),
    zones: Sequence[ZoneConfig | Zone] = (),
    counts: Mapping[str, int] | None = None,
    ts: datetime | None = None,
    tz: tzinfo | None = None,
    camera_id: str = "",
    margin: float = 0.15,
    jpeg_quality: int = 85,
    caption: bool = True,
    overlay: Callable[[Image], None] | None = None,
) -> AnonymisedJpeg:
    """Render an anonymised JPEG snapshot of a frame; the input image is left unchanged.

    Every person box, grown by ``margin`` of its width and height on each side and clipped to the
    image, is pixelated to ``PIXEL_CELLS`` cells across and blurred. Privacy masks are filled solid,
    zone outlines are drawn with their ids and counts, and a caption bar at the top shows the
    camera, the time and the counts. The image keeps its size.

    Args:
        image: BGR uint8 frame, height x width x 3 (normally already privacy-masked).
        boxes_xyxy: person boxes (N, 4) in pixels; see ``boxes_for_evidence``.
        masks: privacy masks, or polygons in relative 0..1 coordinates.
        zones: zones to outline (config or geometry zones), relative coordinates.
        counts: people per zone id, shown on the zones and in the caption.
        ts: time of the frame (timezone-aware); none leaves it out of the caption.
        tz: time zone the caption shows ``ts`` in; default ``ts``'s own.
        camera_id: camera shown in the caption.
        margin: fraction of a box's width/height added on each side before pixelating.
        jpeg_quality: JPEG quality, 1..100.
        caption: draw the caption bar (a room's reference picture, compared pixel by pixel, has none).
        overlay: draws on the picture after the pixelation, before the caption (a missed greeting's
            staff skeleton: posture without the person).

    Returns:
        The snapshot as an ``AnonymisedJpeg``.

    Raises:
        EvidenceError: the image or the arguments are not valid, or encoding fails.
    """
    _check_image(image)
    if not 1 <= jpeg_quality <= 100:
        raise EvidenceError(f"jpeg_quality must lie in 1..100, not {jpeg_quality}")
    if margin < 0:
        raise EvidenceError(f"margin must not be negative, not {margin}")
    if ts is not None and ts.tzinfo is None:
        raise EvidenceError("ts must be timezone-aware")
    counts = dict(counts or {})
    out = image.copy()
    height, width = out.shape[:2]
    for x1, y1, x2, y2 in _expanded_boxes(boxes_xyxy, width, height, margin):
        _pixelate(out, x1, y1, x2, y2)
    polygons = [_to_pixels(_mask_points(m), width, height) for m in masks]
    if polygons:
        cv2.fillPoly(out, polygons, MASK_FILL)
    for zone in zones:
        _draw_zone(out, zone, counts.get(zone.id))
    if overlay is not None:
        overlay(out)
    if caption:
        _draw_caption(out, caption_text(camera_id, ts, tz, counts))
    ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
    if not ok:
        raise EvidenceError("JPEG encoding of the snapshot failed")
    return AnonymisedJpeg(encoded.tobytes(), width, height, ANONYMISED)


def _check_image(image: Image) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise EvidenceError(f"expected a BGR uint8 image of shape (H, W, 3), got {shape} {dtype}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise EvidenceError("the image is empty")


def _expanded_boxes(boxes_xyxy: npt.ArrayLike, width: int, height: int, margin: float) -> list[tuple[int, ...]]:
    """Boxes grown by ``margin`` on each side, rounded outwards, clipped; empty ones dropped."""
    boxes = np.asarray(boxes_xyxy, dtype=np.float64).reshape(-1, 4)
    boxes = boxes[np.all(np.isfinite(boxes), axis=1)]
    x1 = np.minimum(boxes[:, 0], boxes[:, 2])
    x2 = np.maximum(boxes[:, 0], boxes[:, 2])
    y1 = np.minimum(boxes[:, 1], boxes[:, 3])
    y2 = np.maximum(boxes[:, 1], boxes[:, 3])
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    grown = np.stack(
        [
            np.floor(x1 - dx).clip(0, width),
            np.floor(y1 - dy).clip(0, height),
            np.ceil(x2 + dx).clip(0, width),
            np.ceil(y2 + dy).clip(0, height),
        ],
        axis=1,
    ).astype(np.int64)
    keep = (grown[:, 2] > grown[:, 0]) & (grown[:, 3] > grown[:, 1])
    return [tuple(int(v) for v in row) for row in grown[keep]]


def _pixelate(image: Image, x1: int, y1: int, x2: int, y2: int) -> None:
    """Pixelate a region to PIXEL_CELLS cells across, then blur away the cell edges (in place)."""
    region = image[y1:y2, x1:x2]
    h, w = region.shape[:2]
    cell = max(w / PIXEL_CELLS, 1.0)
    small_w = max(1, min(w, round(w / cell)))
    small_h = max(1, min(h, round(h / cell)))
    small = cv2.resize(region, (small_w, small_h), interpolation=cv2.INTER_AREA)
    blocks = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    k = max(3, int(cell) | 1)
    image[y1:y2, x1:x2] = cv2.GaussianBlur(blocks, (k, k), 0)


def _mask_points(mask: PrivacyMask | Sequence[Point]) -> Sequence[Point]:
    return mask.points if isinstance(mask, PrivacyMask) else mask


def _to_pixels(points: Sequence[Point], width: int, height: int) -> npt.NDArray[np.int32]:
    rel = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(rel) < 3:
        raise EvidenceError("a polygon needs at least 3 points")
    return np.round(rel * np.array([width, height])).astype(np.int32)


def _zone_outline(zone: ZoneConfig | Zone) -> tuple[Sequence[Point], int | None]:
    if isinstance(zone, ZoneConfig):
        return zone.points, zone.capacity
    return [(float(x), float(y)) for x, y in zone.polygon.exterior.coords], zone.capacity


def _draw_zone(image: Image, zone: ZoneConfig | Zone, count: int | None) -> None:
    height, width = image.shape[:2]
    points, capacity = _zone_outline(zone)
    polygon = _to_pixels(points, width, height)
    colour = ZONE_COLOURS[ZoneKind(zone.kind)]
    thickness = max(3, round(height / 180))
    cv2.polylines(image, [polygon], isClosed=True, color=colour, thickness=thickness, lineType=cv2.LINE_AA)
    label = zone.id
    if count is not None:
        label += f": {count}" if capacity is None else f": {count}/{capacity}"
    scale = _font_scale(height) * 0.9
    text_thickness = _thickness(scale)
    (text_w, text_h), baseline = cv2.getTextSize(_ascii(label), _FONT, scale, text_thickness)
    pad = _pad(height)
    top = polygon[np.argmin(polygon[:, 1])]
    x = int(np.clip(top[0], 0, max(0, width - text_w - 2 * pad)))
    y = int(np.clip(top[1] - text_h - baseline - 2 * pad, 0, max(0, height - text_h - baseline - 2 * pad)))
    cv2.rectangle(image, (x, y), (x + text_w + 2 * pad, y + text_h + baseline + 2 * pad), colour, cv2.FILLED)
    cv2.putText(image, _ascii(label), (x + pad, y + pad + text_h), _FONT, scale, (0, 0, 0), text_thickness, cv2.LINE_AA)


def _draw_caption(image: Image, text: str) -> None:
    """A solid bar across the top with the caption, shrunk or cut to fit the width."""
    if not text:
        return
    height, width = image.shape[:2]
    bar = caption_bar_height(height)
    pad = _pad(height)
    cv2.rectangle(image, (0, 0), (width - 1, bar - 1), CAPTION_BG, cv2.FILLED)
    text = _ascii(text)
    scale = _font_scale(height)
    while scale > 0.3 and cv2.getTextSize(text, _FONT, scale, _thickness(scale))[0][0] > width - 2 * pad:
        scale -= 0.05
    while len(text) > 4 and cv2.getTextSize(text, _FONT, scale, _thickness(scale))[0][0] > width - 2 * pad:
        text = text[:-4] + "..."
    (_, text_h), baseline = cv2.getTextSize(text, _FONT, scale, _thickness(scale))
    y = (bar + text_h - baseline) // 2
    cv2.putText(image, text, (pad, y), _FONT, scale, CAPTION_FG, _thickness(scale), cv2.LINE_AA)


def _font_scale(image_height: int) -> float:
    return max(0.35, image_height / 720 * 0.7)


def _thickness(scale: float) -> int:
    return max(1, round(scale * 1.5))


def _pad(image_height: int) -> int:
    return max(2, round(image_height / 180))


def _ascii(text: str) -> str:
    """OpenCV's Hershey fonts draw ASCII only."""
    return text.encode("ascii", "replace").decode("ascii")
