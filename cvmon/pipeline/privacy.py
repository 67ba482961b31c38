"""Privacy masks: the configured regions of a camera blanked before anything looks at a frame."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from cvmon.config.models import PrivacyMask

MASK_FILL = (114, 114, 114)


class PrivacyMasks:
    """A camera's masks, in pixels of the frame size last seen (recomputed when the size changes)."""

    def __init__(self, masks: Sequence[PrivacyMask]) -> None:
        self.masks = list(masks)
        self._polygons: list[np.ndarray] = []
        self._size: tuple[int, int] | None = None

    def apply(self, image: np.ndarray) -> np.ndarray:
        """Blank the masked regions of ``image`` in place; returns it."""
        if not self.masks:
            return image
        h, w = image.shape[:2]
        if self._size != (w, h):
            scale = np.array([w, h], dtype=np.float64)
            self._polygons = [np.round(np.asarray(m.points) * scale).astype(np.int32) for m in self.masks]
            self._size = (w, h)
        cv2.fillPoly(image, self._polygons, MASK_FILL)
        return image
