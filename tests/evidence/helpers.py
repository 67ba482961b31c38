"""Helpers shared by the evidence tests."""

from __future__ import annotations

import cv2
import numpy as np

from cvmon.types import AnonymisedJpeg


def decode(jpeg: AnonymisedJpeg | bytes) -> np.ndarray:
    """BGR image of a JPEG."""
    data = jpeg.data if isinstance(jpeg, AnonymisedJpeg) else jpeg
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not a decodable JPEG"
    return image


def local_std(image: np.ndarray, k: int = 5) -> np.ndarray:
    """Standard deviation of the grey level in a k x k window around each pixel."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float64)
    mean = cv2.blur(grey, (k, k))
    mean_sq = cv2.blur(grey * grey, (k, k))
    return np.sqrt(np.clip(mean_sq - mean * mean, 0, None))


def near_colour(image: np.ndarray, colour: tuple[int, int, int], tolerance: int = 60) -> np.ndarray:
    """Mask of pixels within ``tolerance`` (sum of absolute channel differences) of a BGR colour."""
    diff = np.abs(image.astype(np.int32) - np.asarray(colour, np.int32)).sum(axis=2)
    return diff <= tolerance
