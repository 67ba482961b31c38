"""What a tracked person looks like: a colour histogram of the torso, kept in memory only.

Used to tell whether two track ids are the same person (an id switch across an occlusion) or two
people (a passer-by crossing someone who stands still). The descriptor is deliberately coarse: hue
and saturation for coloured pixels, brightness for grey ones, over the middle of the box (the torso,
away from the background at the box's sides and from the head and legs). It is never stored and
never leaves the worker; it identifies nobody, it only compares two boxes of the same camera.
"""

from __future__ import annotations

import cv2
import numpy as np

HUE_BINS = 12
SAT_BINS = 2
GREY_BINS = 4
GREY_MAX_SATURATION = 50  # below this saturation (0-255) a pixel's hue means nothing: binned by brightness
DARK_MAX_VALUE = 40  # so is the hue of a pixel this dark
TORSO_ROWS = (0.2, 0.55)  # share of the box height: below the head, above the hips
TORSO_COLS = (0.25, 0.75)  # share of the box width: away from the background at the sides
MIN_TORSO_PX = 24
BINS = HUE_BINS * SAT_BINS + GREY_BINS
SAME_LOOK = 0.35  # at most this far apart (``distance``), two looks may be one person
DIFFERENT_LOOK = 0.55  # at least this far apart, two looks are two people


def torso_histogram(image: np.ndarray, box: np.ndarray) -> np.ndarray | None:
    """Normalised colour histogram (``BINS`` values summing to 1) of the torso in ``box`` (x1, y1, x2, y2,
    pixels) of a BGR image; None when the box is too small or outside the picture."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = (float(v) for v in box)
    bw, bh = x2 - x1, y2 - y1
    r1, r2 = round(y1 + TORSO_ROWS[0] * bh), round(y1 + TORSO_ROWS[1] * bh)
    c1, c2 = round(x1 + TORSO_COLS[0] * bw), round(x1 + TORSO_COLS[1] * bw)
    r1, r2, c1, c2 = max(r1, 0), min(r2, h), max(c1, 0), min(c2, w)
    if (r2 - r1) * (c2 - c1) < MIN_TORSO_PX:
        return None
    hsv = cv2.cvtColor(image[r1:r2, c1:c2], cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    hue, sat, val = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    grey = (sat < GREY_MAX_SATURATION) | (val < DARK_MAX_VALUE)
    colour_bin = (hue * HUE_BINS // 180) * SAT_BINS + np.minimum(
        (sat - GREY_MAX_SATURATION) * SAT_BINS // (256 - GREY_MAX_SATURATION), SAT_BINS - 1
    )
    grey_bin = HUE_BINS * SAT_BINS + np.minimum(val * GREY_BINS // 256, GREY_BINS - 1)
    bins = np.where(grey, grey_bin, colour_bin)
    hist = np.bincount(bins, minlength=BINS).astype(np.float32)
    return hist / hist.sum()


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Hellinger distance of two histograms: 0 for the same colours, 1 for no colour in common."""
    return float(np.sqrt(max(0.0, 1.0 - float(np.sum(np.sqrt(a * b))))))


def blend(old: np.ndarray | None, new: np.ndarray, weight: float) -> np.ndarray:
    """A running appearance: ``new`` folded into ``old`` with ``weight`` (the first sighting as it is)."""
    return new if old is None else (1.0 - weight) * old + weight * new
