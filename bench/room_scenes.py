"""Room-readiness cases with exact truth, made from real frames of the shared footage.

The empty room of ``intel_one-by-one-person-detection.mp4`` (frames named empty in
``fixtures/annotations/one_by_one_visits.yaml``) is the reference; later empty frames get objects
pasted in (boxes and bags cut from other clips, the room's own table cut out and put elsewhere),
their brightness varied and noise added. Every case knows which regions changed and which did not,
and which condition (lights off, camera moved, covered) the picture is in. Nothing is written to
disk: the frames are decoded from the footage each time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt

from cvmon.types.room import RoomCondition
from cvmon.zones.room_compare import Region

REPO = Path(__file__).resolve().parent.parent
FOOTAGE = Path(os.environ.get("CVMON_FOOTAGE_DIR", REPO.parent / "shared" / "footage"))
CLIP = "intel_one-by-one-person-detection.mp4"
REFERENCE_FRAME = 30
# Frames in which the room is empty (fixtures/annotations/one_by_one_visits.yaml), after the reference.
EMPTY_FRAMES = (210, 215, 220, 460, 470, 480, 490, 710, 720, 730, 880, 890, 900, 910, 1210, 1220, 1370, 1380, 1390)
# Frames with one person in the room (ibid.: a person is at the table or walking to it).
PERSON_FRAMES = (100, 150, 300, 400, 560, 640, 780, 820, 1000, 1100, 1280, 1320)
# Regions of the scene (relative): the round table, the floor left and right of it, the dark window
# (standing in for an information board).
REGIONS = (
    Region("meja-informasi", ((0.49, 0.10), (0.69, 0.10), (0.69, 0.70), (0.49, 0.70))),
    Region("lantai-kiri", ((0.02, 0.62), (0.44, 0.62), (0.44, 0.98), (0.02, 0.98))),
    Region("lantai-kanan", ((0.74, 0.62), (0.98, 0.62), (0.98, 0.98), (0.74, 0.98))),
    Region("papan-informasi", ((0.0, 0.0), (0.13, 0.0), (0.13, 0.36), (0.0, 0.36))),
)
TABLE_BOX = (0.50, 0.08, 0.68, 0.72)  # the table and its foot (relative x1, y1, x2, y2)
KINDS = ("box", "bag", "moved_table", "lighting", "noise", "person", "lights_off", "camera_moved", "covered")

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class RoomCase:
    """One picture to check, with its truth."""

    seed: int
    kind: str
    image: Image
    people_xyxy: npt.NDArray[np.float32]  # boxes the detector would give (person cases)
    changed: frozenset[str]  # regions where something was added, moved or removed
    unsure: frozenset[str] = frozenset()  # regions a paste only grazes: not scored
    condition: RoomCondition = RoomCondition.OK
    pasted: tuple[tuple[int, int, int, int], ...] = field(default=())  # pixel boxes of what was pasted


def frames(indices: tuple[int, ...]) -> dict[int, Image]:
    """Decoded frames of a clip by 0-based decode index (as the annotations count them)."""
    return _frames(CLIP, indices)


@cache
def _frames(clip: str, indices: tuple[int, ...]) -> dict[int, Image]:
    wanted, out = set(indices), {}
    with av.open(str(FOOTAGE / clip)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i in wanted:
                out[i] = frame.to_ndarray(format="bgr24")
            if len(out) == len(wanted):
                break
    return out


def reference() -> Image:
    return frames((REFERENCE_FRAME,))[REFERENCE_FRAME]


@cache
def _objects() -> tuple[Image, ...]:
    """Objects cut from other clips: boxes on the store shelves, the worker clip's crates, a dark bag-like
    patch of a coat (frames without the wearer's face)."""
    aisle = _frames("intel_store-aisle-detection.mp4", (0,))[0]
    worker = _frames("intel_worker-zone-detection.mp4", (0,))[0]
    return (
        aisle[55:85, 85:120],  # a cardboard box at the shelf's foot
        worker[0:22, 170:215],  # crates against the far wall
        aisle[165:215, 420:470],  # shelf goods
    )


def _paste(image: Image, patch: Image, x: int, y: int, shape: Image | None = None) -> tuple[int, int, int, int]:
    """Put ``patch`` (where ``shape`` is set, if given) into ``image`` at (x, y); returns its pixel box."""
    h, w = patch.shape[:2]
    target = image[y : y + h, x : x + w]
    if shape is None:
        target[:] = patch
    else:
        target[shape > 0] = patch[shape > 0]
    return (x, y, x + w, y + h)


def _point_in(region: Region, rng: np.random.Generator, w: int, h: int, pw: int, ph: int) -> tuple[int, int]:
    xs = [p[0] for p in region.points]
    ys = [p[1] for p in region.points]
    x = int(rng.uniform(min(xs) * w, max(max(xs) * w - pw, min(xs) * w + 1)))
    y = int(rng.uniform(min(ys) * h, max(max(ys) * h - ph, min(ys) * h + 1)))
    return x, y


def _lit(image: Image, gain: float, gamma: float = 1.0) -> Image:
    scaled = 255.0 * (image.astype(np.float32) / 255.0) ** gamma * gain
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _noisy(image: Image, rng: np.random.Generator, sigma: float) -> Image:
    return np.clip(image.astype(np.float32) + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def make_case(seed: int, people: dict[int, npt.NDArray[np.float32]] | None = None) -> RoomCase:
    """The case of a seed: its kind is ``KINDS[seed % len(KINDS)]``, the rest drawn from the seed.

    ``people`` gives the detector's boxes for ``PERSON_FRAMES`` (person cases need them).
    """
    rng = np.random.default_rng(seed)
    kind = KINDS[seed % len(KINDS)]
    index = int(rng.choice(PERSON_FRAMES if kind == "person" else EMPTY_FRAMES))
    image = frames((index,))[index].copy()
    h, w = image.shape[:2]
    boxes = np.zeros((0, 4), np.float32)
    changed: set[str] = set()
    pasted: list[tuple[int, int, int, int]] = []
    unsure: set[str] = set()
    condition = RoomCondition.OK
    if kind in ("box", "bag"):
        objects = _objects()
        patch, shape = (objects[int(rng.integers(len(objects)))], None) if kind == "box" else _bag(rng)
        scale = rng.uniform(0.06, 0.12) * w / patch.shape[1]
        patch = cv2.resize(patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if shape is not None:
            shape = cv2.resize(shape, (patch.shape[1], patch.shape[0]), interpolation=cv2.INTER_NEAREST)
        region = REGIONS[int(rng.integers(len(REGIONS)))]
        x, y = _point_in(region, rng, w, h, patch.shape[1], patch.shape[0])
        pasted.append(_paste(image, patch, x, y, shape))
        changed.add(region.id)
    elif kind == "moved_table":
        x1, y1, x2, y2 = (int(v * s) for v, s in zip(TABLE_BOX, (w, h, w, h), strict=True))
        table = image[y1:y2, x1:x2].copy()
        hole = np.zeros((h, w), np.uint8)
        hole[y1:y2, x1:x2] = 255
        image = cv2.inpaint(image, hole, 5, cv2.INPAINT_TELEA)  # the table gone from its place
        dx = int(rng.choice([-1, 1]) * rng.uniform(0.28, 0.4) * w)  # ... and standing on the floor beside it
        nx = int(np.clip(x1 + dx, 0, w - (x2 - x1)))
        pasted.append(_paste(image, table, nx, y1))
        changed.add("meja-informasi")
        for region in REGIONS:
            share = _inside_share(region, pasted[-1], w, h)
            if share >= 0.25:
                changed.add(region.id)
            elif share > 0:
                unsure.add(region.id)
    elif kind == "lighting":
        image = _lit(image, rng.uniform(0.6, 1.25), rng.uniform(0.8, 1.25))
    elif kind == "noise":
        image = _noisy(_lit(image, rng.uniform(0.8, 1.1)), rng, rng.uniform(3, 10))
    elif kind == "person":
        boxes = (people or {}).get(index, boxes)
    elif kind == "lights_off":
        image = _noisy(_lit(image, rng.uniform(0.04, 0.12)), rng, 2)
        condition = RoomCondition.LIGHTS_OFF
    elif kind == "camera_moved":
        shift = np.float32(
            [[1, 0, rng.choice([-1, 1]) * rng.uniform(0.06, 0.15) * w], [0, 1, rng.uniform(-0.05, 0.05) * h]]
        )
        image = cv2.warpAffine(image, shift, (w, h), borderMode=cv2.BORDER_REFLECT)
        condition = RoomCondition.CAMERA_MOVED
    elif kind == "covered":
        grey = int(rng.integers(45, 200))  # a cloth or tape; a dark cover reads as lights off
        image = _noisy(np.full_like(image, grey), rng, 2)
        condition = RoomCondition.COVERED
    if kind in ("box", "bag", "moved_table"):  # a change seen under another light, through sensor noise
        image = _noisy(_lit(image, rng.uniform(0.8, 1.15)), rng, rng.uniform(0, 4))
    return RoomCase(seed, kind, image, boxes, frozenset(changed), frozenset(unsure), condition, tuple(pasted))


def _bag(rng: np.random.Generator) -> tuple[Image, Image]:
    """A bag and its shape: a rounded body with a handle and a seam, in a random colour."""
    colour = rng.integers(20, 200, size=3).tolist()
    bag = np.zeros((60, 70, 3), np.uint8)
    shape = np.zeros((60, 70), np.uint8)
    for canvas, ink in ((bag, colour), (shape, 255)):
        cv2.ellipse(canvas, (35, 38), (32, 20), 0, 0, 360, ink, -1)
        cv2.ellipse(canvas, (35, 20), (14, 12), 0, 180, 360, ink, 3)
    cv2.line(bag, (15, 38), (55, 38), [min(255, c + 80) for c in colour], 2)
    return bag, shape


def _inside_share(region: Region, box: tuple[int, int, int, int], w: int, h: int) -> float:
    """Share of a pasted box that lies inside a region."""
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(region.points) * [w, h]).astype(np.int32)], 1)
    x1, y1, x2, y2 = box
    return float(mask[y1:y2, x1:x2].sum()) / max(1, (x2 - x1) * (y2 - y1))
