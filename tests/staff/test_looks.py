"""The look the staff model uses: a torso histogram, none for a person cut by the picture's edge."""

from __future__ import annotations

import numpy as np
import pytest

from cvmon import appearance
from cvmon.staff import torso_look


def picture() -> np.ndarray:
    image = np.full((270, 480, 3), 200, np.uint8)
    image[60:260, 100:160] = (30, 80, 220)  # an orange-ish person, whole
    return image


@pytest.mark.parametrize(
    ("box", "whole"),
    [
        ((100, 60, 160, 260), True),
        ((100, 60, 160, 266), True),  # 4 px above the bottom edge
        ((100, 60, 160, 267), False),  # cut by the bottom edge
        ((3, 60, 60, 260), False),  # cut by the left edge
        ((420, 60, 477, 260), False),  # cut by the right edge
        ((100, 0, 160, 200), False),  # cut by the top edge
    ],
)
def test_only_a_person_seen_whole_has_a_look(box: tuple[int, int, int, int], whole: bool) -> None:
    image, xyxy = picture(), np.asarray(box, np.float32)
    look = torso_look(image, xyxy)
    if whole:
        expected = appearance.torso_histogram(image, xyxy)
        assert look is not None and expected is not None
        assert np.array_equal(look, expected)
    else:
        assert look is None
