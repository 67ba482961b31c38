"""The empty room and the sprite bank, cut out of ``intel_one-by-one-person-detection.mp4``.

The clip opens on an empty room (frames 0-59) into which six people walk one at a time. The room
is the per-pixel median of those empty frames. A sprite is one person in one frame where the
detector (cvmon's own YOLOX-Nano through ``cvmon.detectors``) finds exactly one person whose box
touches no edge of the picture; its mask is the difference against the empty room inside the box,
cleaned with morphology and reduced to its largest connected part, then feathered at the edge.
Each sprite is marked walking or standing from how fast its box moved.

The clip's people who pass these checks all wear dark clothes, so each is also offered in a few
shirt colours (``CLOTHING_TINTS``): the same cut-out, with the dark pixels of the mask between the
head and the waist recoloured, their brightness kept as shading (trousers stay dark: a recoloured
whole body looks too flat to the detector to be found as a person). These variants are made here, not filmed; they
give the scenes people who differ in appearance, as the customers of a real counter do, so that an
appearance check can be measured at all. A variant is kept only if the detector finds it as surely
as the original (``_visible_alone``).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from bench.scenes.journey import FRONT_POST, GUARD_POST, PANDU_POST, TOUR_Y
from bench.scenes.script import COUNTER, QUEUE_Y, STAFF_POST, person_height
from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import Detector, create_detector

CLIP = "intel_one-by-one-person-detection.mp4"
EMPTY_FRAMES = range(0, 60)
# The six people of the clip, by frame range (see fixtures/annotations/one_by_one_visits.yaml).
PEOPLE: tuple[tuple[int, int], ...] = ((60, 203), (226, 453), (501, 702), (744, 874), (920, 1206), (1233, 1366))
BANK_VERSION = 3
# Clothing colours (BGR) of each person's variants; the person as filmed is variant 0.
CLOTHING_TINTS: tuple[tuple[int, int, int], ...] = ((40, 45, 185), (185, 115, 40), (175, 180, 185), (60, 150, 70))
SHIRT_ROWS = (0.14, 0.5)  # share of a sprite's height from the top: below the head, down to the waist
CLOTHING_MAX_V = 70  # grey levels: a masked pixel this dark is clothing (the clip's people wear dark clothes)
LOOKS_PER_PERSON = 1 + len(CLOTHING_TINTS)
DIFF_THRESHOLD = 28  # grey levels (largest channel difference) that separate a person from the room
EDGE_MARGIN = 3  # pixels: a box this close to an edge of the picture is cut off, not a whole person
WALKING_PX_PER_FRAME = 4.0
MIN_HEIGHT_PX = 300  # a whole person standing in the room; close-ups of someone entering are taller than wide
MIN_ASPECT = 1.7
MIN_STANDING = 4  # a person with fewer standing sprites than this is left out of the bank
VISIBLE_SCORE = 0.5  # a sprite pasted alone on the room must be found at least this surely
# The staff uniform of the journey scenes: a hi-vis yellow shirt (BGR), as the worker of the shared
# worker-zone clip wears a hi-vis vest; no customer's shirt is this colour. A uniformed sprite is
# variant UNIFORM_VARIANT of its person (look person * LOOKS_PER_PERSON + UNIFORM_VARIANT: 105, 115).
UNIFORM_TINT = (40, 215, 235)
UNIFORM_VARIANT = 100
UNIFORM_VERSION = 3


@dataclass(frozen=True, slots=True)
class Sprite:
    """One person cut out of one frame: colour, alpha (0..1) and its identity in the clip."""

    person: int
    frame: int
    image: np.ndarray  # HxWx3 uint8, the tight box around the mask
    alpha: np.ndarray  # HxW float32
    walking: bool
    variant: int = 0  # 0: as filmed; k: recoloured with CLOTHING_TINTS[k - 1]

    @property
    def look(self) -> int:
        """Which distinct-looking person this sprite shows (a person of the clip in one clothing colour)."""
        return self.person * LOOKS_PER_PERSON + self.variant


@dataclass(frozen=True, slots=True)
class SpriteBank:
    background: np.ndarray  # the empty room, HxWx3 uint8
    sprites: tuple[Sprite, ...]

    def of(self, look: int, walking: bool) -> list[Sprite]:
        """The sprites of one look in one gait; standing ones when there are no walking ones."""
        mine = [s for s in self.sprites if s.look == look]
        wanted = [s for s in mine if s.walking == walking]
        return wanted or mine

    @property
    def people(self) -> list[int]:
        """The distinct-looking people (looks) of the bank."""
        return sorted({s.look for s in self.sprites})


def _read_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


def _shadow(crop: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Pixels that are the room's own colour, only darker: a person's shadow on the floor."""
    f = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV).astype(np.float32)
    b = cv2.cvtColor(room, cv2.COLOR_BGR2HSV).astype(np.float32)
    ratio = (f[..., 2] + 1) / (b[..., 2] + 1)
    hue = np.abs(f[..., 0] - b[..., 0])
    hue = np.minimum(hue, 180 - hue)
    return (ratio > 0.35) & (ratio < 0.97) & (hue < 12) & (np.abs(f[..., 1] - b[..., 1]) < 50) & (b[..., 1] > 60)


def person_mask(frame: np.ndarray, background: np.ndarray, box: np.ndarray) -> np.ndarray | None:
    """The person's mask (uint8 0/255, frame-sized) inside ``box``, or None when it is not clean."""
    h, w = frame.shape[:2]
    x1, y1, x2, y2 = (round(float(v)) for v in box)
    x1, y1, x2, y2 = max(x1 - 4, 0), max(y1 - 4, 0), min(x2 + 4, w), min(y2 + 4, h)
    diff = cv2.absdiff(frame[y1:y2, x1:x2], background[y1:y2, x1:x2]).max(axis=2)
    raw = ((diff > DIFF_THRESHOLD) & ~_shadow(frame[y1:y2, x1:x2], background[y1:y2, x1:x2])).astype(np.uint8) * 255
    raw = cv2.morphologyEx(raw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    raw = cv2.morphologyEx(raw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(raw)
    if n < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    part = np.where(labels == biggest, 255, 0).astype(np.uint8)
    box_area = (x2 - x1) * (y2 - y1)
    if not 0.25 <= float((part > 0).sum()) / box_area <= 0.9:
        return None
    mask = np.zeros((h, w), np.uint8)
    mask[y1:y2, x1:x2] = part
    return mask


def build_bank(footage_dir: Path, model_dir: Path, every: int = 2) -> SpriteBank:
    """Cut the sprite bank out of the clip (about half a minute of detector time)."""
    frames = _read_frames(footage_dir / CLIP)
    background = np.median(np.stack([frames[i] for i in EMPTY_FRAMES]), axis=0).astype(np.uint8)
    detector = create_detector(DetectorConfig(model="yolox_nano_416", confidence=0.5), model_dir)
    h, w = background.shape[:2]
    sprites: list[Sprite] = []
    for person, (first, last) in enumerate(PEOPLE):
        centres: dict[int, float] = {}
        found: dict[int, np.ndarray] = {}
        for i in range(first, last, every):
            dets = detector.detect_image(frames[i])
            if len(dets) != 1:
                continue
            box = dets.xyxy[0]
            centres[i] = float(box[0] + box[2]) / 2
            tall = box[3] - box[1] >= MIN_HEIGHT_PX and (box[3] - box[1]) >= MIN_ASPECT * (box[2] - box[0])
            if (
                tall
                and box[0] > EDGE_MARGIN
                and box[1] > EDGE_MARGIN
                and box[2] < w - EDGE_MARGIN
                and box[3] < h - EDGE_MARGIN
            ):
                found[i] = box
        for i, box in found.items():
            mask = person_mask(frames[i], background, box)
            if mask is None:
                continue
            ys, xs = np.nonzero(mask)
            y1, y2, x1, x2 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            alpha = cv2.GaussianBlur(mask[y1:y2, x1:x2].astype(np.float32) / 255.0, (5, 5), 0)
            before, after = centres.get(i - every), centres.get(i + every)
            speed = (
                max(abs(centres[i] - c) for c in (before, after) if c is not None) / every
                if (before is not None or after is not None)
                else 0.0
            )
            sprites.append(
                Sprite(person, i, frames[i][y1:y2, x1:x2].copy(), alpha, walking=speed > WALKING_PX_PER_FRAME)
            )
    seen = [s for s in sprites if _visible_alone(s, background, detector)]
    standing = {p: sum(not s.walking for s in seen if s.person == p) for p in range(len(PEOPLE))}
    kept = [s for s in seen if standing[s.person] >= MIN_STANDING]
    variants = [recoloured(s, k) for s in kept for k in range(1, LOOKS_PER_PERSON)]
    visible = [v for v in variants if _visible_alone(v, background, detector)]
    counts = {v.look: 0 for v in visible}
    for v in visible:
        counts[v.look] += not v.walking
    return SpriteBank(background, tuple(kept + [v for v in visible if counts[v.look] >= MIN_STANDING]))


def recoloured(sprite: Sprite, variant: int) -> Sprite:
    """The sprite with its shirt in ``CLOTHING_TINTS[variant - 1]``: dark masked pixels between head
    and waist take the tint, scaled by their own brightness so folds and shading stay."""
    return tinted(sprite, CLOTHING_TINTS[variant - 1], variant)


def tinted(sprite: Sprite, colour: tuple[int, int, int], variant: int) -> Sprite:
    """The sprite with its shirt in ``colour`` (BGR), as variant ``variant`` (see ``recoloured``)."""
    tint = np.asarray(colour, np.float32)
    h = sprite.image.shape[0]
    value = sprite.image.max(axis=2).astype(np.float32)
    clothing = (sprite.alpha > 0.5) & (value <= CLOTHING_MAX_V)
    clothing[: round(SHIRT_ROWS[0] * h)] = False
    clothing[round(SHIRT_ROWS[1] * h) :] = False
    weight = cv2.GaussianBlur(clothing.astype(np.float32), (5, 5), 0)[..., None]
    shade = (0.3 + 0.9 * value / CLOTHING_MAX_V).clip(0.3, 1.2)[..., None]
    tinted = (tint * shade).clip(0, 255)
    image = (tinted * weight + sprite.image.astype(np.float32) * (1 - weight)).astype(np.uint8)
    return Sprite(sprite.person, sprite.frame, image, sprite.alpha, sprite.walking, variant)


def paste(canvas: np.ndarray, sprite: Sprite, x: float, y: float, height: float, flip: bool) -> None:
    """Blend a sprite onto the canvas, scaled to ``height``, its bottom centre at (x, y)."""
    scale = height / sprite.image.shape[0]
    w = max(1, round(sprite.image.shape[1] * scale))
    h = max(1, round(sprite.image.shape[0] * scale))
    img = cv2.resize(sprite.image, (w, h), interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(sprite.alpha, (w, h), interpolation=cv2.INTER_AREA)
    if flip:
        img, alpha = img[:, ::-1], alpha[:, ::-1]
    x1, y1 = round(x - w / 2), round(y - h)
    cx1, cy1 = max(x1, 0), max(y1, 0)
    cx2, cy2 = min(x1 + w, canvas.shape[1]), min(y1 + h, canvas.shape[0])
    if cx2 <= cx1 or cy2 <= cy1:
        return
    a = alpha[cy1 - y1 : cy2 - y1, cx1 - x1 : cx2 - x1, None]
    src = img[cy1 - y1 : cy2 - y1, cx1 - x1 : cx2 - x1].astype(np.float32)
    dst = canvas[cy1:cy2, cx1:cx2].astype(np.float32)
    canvas[cy1:cy2, cx1:cx2] = (src * a + dst * (1 - a)).astype(np.uint8)


def _visible_alone(
    sprite: Sprite,
    background: np.ndarray,
    detector: Detector,
    places: tuple[tuple[float, float], ...] = ((230.0, QUEUE_Y), (400.0, QUEUE_Y), COUNTER, STAFF_POST),
) -> bool:
    """Whether the detector finds the sprite pasted alone on the room where scenes put people
    (queue, counter, staff post), so that a person the detector misses in a scene is missed
    because of the scene (overlap, a board), not because of a poor cut-out."""
    for x, y in places:
        canvas = background.copy()
        paste(canvas, sprite, x, y, person_height(y), False)
        dets = detector.detect_image(canvas)
        if len(dets) == 0 or float(dets.confidence.max()) < VISIBLE_SCORE:
            return False
    return True


def load_bank(footage_dir: Path, model_dir: Path, cache_dir: Path) -> SpriteBank:
    """The sprite bank, built once and cached (never in git: it is cut out of outside footage)."""
    path = cache_dir / f"sprites-v{BANK_VERSION}.pkl"
    if path.exists():
        with path.open("rb") as f:
            bank = pickle.load(f)
        if isinstance(bank, SpriteBank):
            return bank
    bank = build_bank(footage_dir, model_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(bank, f)
    tmp.replace(path)
    return bank


def build_uniforms(bank: SpriteBank, model_dir: Path) -> tuple[Sprite, ...]:
    """The bank's people as filmed, in the staff uniform (``UNIFORM_TINT``, variant ``UNIFORM_VARIANT``),
    kept where the detector finds them alone at the staff's places of the journey scenes too."""
    detector = create_detector(DetectorConfig(model="yolox_nano_416", confidence=0.5), model_dir)
    places = ((400.0, TOUR_Y), FRONT_POST, GUARD_POST, PANDU_POST)
    dressed = [tinted(s, UNIFORM_TINT, UNIFORM_VARIANT) for s in bank.sprites if s.variant == 0]
    visible = [u for u in dressed if _visible_alone(u, bank.background, detector, places)]
    standing = {u.person: 0 for u in visible}
    for u in visible:
        standing[u.person] += not u.walking
    return tuple(u for u in visible if standing[u.person] >= MIN_STANDING)


def load_uniforms(bank: SpriteBank, model_dir: Path, cache_dir: Path) -> tuple[Sprite, ...]:
    """The uniformed sprites (built once and cached beside the bank, never in git)."""
    path = cache_dir / f"uniforms-v{BANK_VERSION}.{UNIFORM_VERSION}.pkl"
    if path.exists():
        with path.open("rb") as f:
            sprites = pickle.load(f)
        if isinstance(sprites, tuple):
            return sprites
    sprites = build_uniforms(bank, model_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(sprites, f)
    tmp.replace(path)
    return sprites
