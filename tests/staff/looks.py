"""Scripted torso looks (histograms of ``cvmon.appearance.BINS`` values) for the staff tests."""

from __future__ import annotations

import numpy as np

from cvmon import appearance


def hist(masses: dict[int, float]) -> np.ndarray:
    """A look with the given mass per bin, normalised."""
    out = np.zeros(appearance.BINS)
    for index, mass in masses.items():
        out[index] = mass
    return out / out.sum()


def jittered(base: np.ndarray, k: int, share: float = 0.01) -> np.ndarray:
    """``base`` with ``share`` of its mass moved to bin 7k mod BINS: sighting k of one look (0.07 apart)."""
    stray = np.zeros(appearance.BINS)
    stray[(7 * k) % appearance.BINS] = 1.0
    return (1.0 - share) * base + share * stray


NAVY = hist({15: 0.7, 24: 0.3})  # frontliner: blue shirt, dark trousers in view
WHITE = hist({27: 0.8, 26: 0.2})  # guard: white shirt
RED = hist({1: 0.6, 25: 0.4})  # a customer in red
LIGHT_BLUE = hist({15: 0.65, 13: 0.05, 24: 0.3})  # a customer dressed almost like the frontliners (0.16 off)
