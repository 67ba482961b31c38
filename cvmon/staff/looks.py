"""The look a staff model learns from and scores: a torso histogram of a person seen whole."""

from __future__ import annotations

import numpy as np

from cvmon import appearance

EDGE_PX = 4  # a box this close to the picture's edge is cut by it: its torso rows miss the torso


def torso_look(image: np.ndarray, box: np.ndarray, edge_px: float = EDGE_PX) -> np.ndarray | None:
    """The torso histogram (``cvmon.appearance``) of ``box`` (x1, y1, x2, y2, pixels) in a BGR image; None
    when the box touches the picture's edge (a person cut by it: the middle of the box is not their torso)
    or is too small."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = (float(v) for v in box)
    if x1 < edge_px or y1 < edge_px or x2 > w - edge_px or y2 > h - edge_px:
        return None
    return appearance.torso_histogram(image, box)
