"""Room readiness: a picture of the room compared with its tidy, empty reference (arrays in, findings out).

Both pictures are shrunk to ``width`` pixels, turned grey and divided by their own smooth
illumination (a heavy blur), so a room lit more brightly, more dimly or unevenly than its
reference still matches. Structural similarity (SSIM, Wang et al. 2004, Gaussian window) is
computed on them with OpenCV; what people occupy (their boxes, widened) is left out. A region's
pixels whose similarity falls below ``ssim_below`` (and whose normalised brightness differs) form
the changed areas; areas smaller than ``min_area`` of the image are noise. Before any region is
judged the picture itself is judged: lights off (much darker than the reference), covered (no
structure left) or camera moved (a global shift found by phase correlation, or a low match overall).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from cvmon.types import Image
from cvmon.types.room import WHOLE_ROOM, Point, RegionFinding, RegionStatus, RoomCondition, RoomFindings

Grey = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]
WHOLE_IMAGE: tuple[Point, ...] = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


@dataclass(frozen=True, slots=True)
class CompareSettings:
    """Thresholds of the comparison (``cameras[].room`` in cameras.yaml carries them)."""

    width: int = 320  # pixels across the compared pictures
    ssim_below: float = 0.45  # a pixel whose similarity is below this may have changed
    diff_above: float = 0.18  # ... and whose normalised brightness differs by more than this (share)
    min_area: float = 0.002  # least share of the image a changed area covers
    people_margin: float = 0.25  # share of a person box's size left out around it as well
    min_visible: float = 0.5  # least share of a region people may leave visible for it to be judged
    dark_below: float = 35.0  # mean grey level below which, with the reference much brighter, lights are off
    covered_std_below: float = 6.0  # grey standard deviation below which the view is covered
    moved_shift: float = 0.03  # global shift (share of the width) beyond which the camera moved
    moved_match_below: float = 0.3  # mean similarity below which the camera moved or the view changed entirely


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    points: tuple[Point, ...]


def compare_room(
    reference: Image,
    current: Image,
    people_xyxy: npt.ArrayLike,
    regions: Sequence[Region] = (),
    settings: CompareSettings = CompareSettings(),
) -> RoomFindings:
    """Compare a picture of the room with its reference.

    Args:
        reference: BGR uint8 picture of the tidy, empty room (any size; the aspect of ``current``).
        current: BGR uint8 picture now.
        people_xyxy: boxes (N, 4) of people in ``current``'s pixels; what they occupy is never a change.
        regions: named regions (relative polygons); none judges the whole picture as one region ``room``.
        settings: thresholds.

    Returns:
        The room's condition, the match and every region's status with the outlines of its changes.
    """
    regions = list(regions) or [Region(WHOLE_ROOM, WHOLE_IMAGE)]
    cur_h, cur_w = current.shape[:2]
    size = (settings.width, max(8, round(settings.width * cur_h / cur_w)))
    ref_g = _grey(reference, size)
    cur_g = _grey(current, size)
    people = _people_mask(people_xyxy, (cur_w, cur_h), size, settings.people_margin)
    seen = ~people

    condition = _condition(ref_g, cur_g, settings)
    if condition is not RoomCondition.OK:
        return RoomFindings(condition, 0.0, 0.0, _all(regions, RegionStatus.NOT_VISIBLE))
    ref_n, cur_n = _normalised(ref_g), _normalised(cur_g)
    similarity = _ssim(ref_n, cur_n)
    match = float(similarity[seen].mean()) if seen.any() else 1.0
    dx, dy = _shift(ref_n, cur_n)
    shift = float(np.hypot(dx, dy))
    if match < settings.moved_match_below or (
        shift > settings.moved_shift * size[0] and _aligned_match(ref_n, cur_n, dx, dy) > match + 0.05
    ):
        return RoomFindings(RoomCondition.CAMERA_MOVED, match, shift, _all(regions, RegionStatus.NOT_VISIBLE))

    differs = np.abs(cur_n - ref_n) > settings.diff_above
    changed = (similarity < settings.ssim_below) & differs & seen
    changed = _clean(changed, settings.min_area)
    findings = tuple(_judge(r, changed, seen, settings) for r in regions)
    return RoomFindings(RoomCondition.OK, match, shift, findings)


def _grey(image: Image, size: tuple[int, int]) -> Grey:
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    return grey.astype(np.float32)


def _normalised(grey: Grey) -> Grey:
    """The picture divided by its smooth illumination (0..~2, 1 where it is as bright as around it),
    slightly blurred against sensor noise."""
    sigma = grey.shape[1] / 12
    illumination = cv2.GaussianBlur(grey, (0, 0), sigma) + 1.0
    return np.asarray(cv2.GaussianBlur(grey / illumination, (0, 0), 1.0), dtype=np.float32)


def _condition(ref: Grey, cur: Grey, s: CompareSettings) -> RoomCondition:
    mean = float(cur.mean())
    if mean < s.dark_below and float(ref.mean()) > 1.5 * mean:
        return RoomCondition.LIGHTS_OFF
    if float(cur.std()) < s.covered_std_below and float(ref.std()) >= s.covered_std_below:
        return RoomCondition.COVERED
    return RoomCondition.OK


def _shift(ref: Grey, cur: Grey) -> tuple[float, float]:
    """The global translation from the reference to the picture, by phase correlation."""
    window = cv2.createHanningWindow((ref.shape[1], ref.shape[0]), cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(ref, cur, window)
    return float(dx), float(dy)


def _aligned_match(ref: Grey, cur: Grey, dx: float, dy: float) -> float:
    """Mean similarity once the reference is shifted by (dx, dy), over the part both pictures show.

    A camera that moved matches much better aligned; a large object that moved (which phase
    correlation may lock onto) matches worse, because the rest of the room no longer lines up."""
    h, w = ref.shape
    moved = np.asarray(cv2.warpAffine(ref, np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32), (w, h)), np.float32)
    x1, x2 = int(max(0, np.ceil(dx))), int(min(w, w + np.floor(dx)))
    y1, y2 = int(max(0, np.ceil(dy))), int(min(h, h + np.floor(dy)))
    if x2 - x1 < 16 or y2 - y1 < 16:
        return -1.0
    return float(_ssim(moved[y1:y2, x1:x2], cur[y1:y2, x1:x2]).mean())


def _ssim(a: Grey, b: Grey) -> Grey:
    """Per-pixel structural similarity with an 11x11 Gaussian window (sigma 1.5), data range 2."""
    c1, c2 = (0.01 * 2) ** 2, (0.03 * 2) ** 2

    def blur(x: Grey) -> Grey:
        return np.asarray(cv2.GaussianBlur(x, (11, 11), 1.5), dtype=np.float32)

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a * mu_a
    var_b = blur(b * b) - mu_b * mu_b
    cov = blur(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2)
    return np.asarray(num / den, dtype=np.float32)


def _people_mask(boxes_xyxy: npt.ArrayLike, frame: tuple[int, int], size: tuple[int, int], margin: float) -> Mask:
    mask = np.zeros((size[1], size[0]), dtype=np.uint8)
    sx, sy = size[0] / frame[0], size[1] / frame[1]
    for x1, y1, x2, y2 in np.asarray(boxes_xyxy, dtype=np.float32).reshape(-1, 4):
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        p1 = (int((x1 - mx) * sx), int((y1 - my) * sy))
        p2 = (int(np.ceil((x2 + mx) * sx)), int(np.ceil((y2 + my) * sy)))
        cv2.rectangle(mask, p1, p2, 1, thickness=-1)
    return mask.astype(bool)


def _clean(changed: Mask, min_area: float) -> Mask:
    """Changed pixels closed into areas; areas under ``min_area`` of the picture dropped."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    closed = cv2.morphologyEx(changed.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    opened = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    least = min_area * changed.size
    keep = np.zeros(count, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= least
    return keep[labels]


def _region_mask(points: Sequence[Point], shape: tuple[int, ...]) -> Mask:
    h, w = shape[:2]
    mask = np.zeros((h, w), dtype=np.uint8)
    polygon = np.round(np.asarray(points, dtype=np.float64) * [w, h]).astype(np.int32)
    cv2.fillPoly(mask, [polygon], 1)
    return mask.astype(bool)


def _judge(region: Region, changed: Mask, seen: Mask, s: CompareSettings) -> RegionFinding:
    inside = _region_mask(region.points, changed.shape)
    area = int(inside.sum())
    visible = int((inside & seen).sum())
    if area == 0 or visible < s.min_visible * area:
        return RegionFinding(region.id, RegionStatus.NOT_VISIBLE)
    hit = changed & inside
    share = float(hit.sum()) / visible
    if share == 0.0:
        return RegionFinding(region.id, RegionStatus.AS_REFERENCE)
    return RegionFinding(region.id, RegionStatus.CHANGED, round(share, 4), _outlines(hit))


def _outlines(mask: Mask) -> tuple[tuple[Point, ...], ...]:
    """The changed areas as relative polygons (simplified to a pixel)."""
    h, w = mask.shape
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for contour in contours:
        approx = cv2.approxPolyDP(contour, 1.0, True).reshape(-1, 2)
        if len(approx) >= 3:
            out.append(tuple((round(float(x) / w, 4), round(float(y) / h, 4)) for x, y in approx))
    return tuple(out)


def _all(regions: Sequence[Region], status: RegionStatus) -> tuple[RegionFinding, ...]:
    return tuple(RegionFinding(r.id, status) for r in regions)
