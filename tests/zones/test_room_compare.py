"""The room comparison on real frames of the shared footage (bench/room_scenes.py), with exact outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from bench.room_scenes import REGIONS, frames, make_case, reference
from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import create_detector
from cvmon.types import Frame
from cvmon.types.room import RegionStatus, RoomCondition
from cvmon.zones.room_compare import compare_room
from tests.conftest import MODEL_DIR, ONE_BY_ONE

pytestmark = pytest.mark.skipif(not ONE_BY_ONE.is_file(), reason="needs the shared footage")

LATER_EMPTY = 880  # the room empty again, after four people came and went
PERSON_AT_TABLE = 300  # a person standing at the table


def statuses(found: object) -> dict[str, RegionStatus]:
    return {r.region_id: r.status for r in found.regions}  # type: ignore[attr-defined]


def as_reference() -> dict[str, RegionStatus]:
    return {r.id: RegionStatus.AS_REFERENCE for r in REGIONS}


def test_a_later_empty_frame_is_as_its_reference() -> None:
    found = compare_room(reference(), frames((LATER_EMPTY,))[LATER_EMPTY], [], REGIONS)
    assert found.condition is RoomCondition.OK
    assert statuses(found) == as_reference()
    assert found.ready


@pytest.mark.parametrize(("gain", "noise"), [(0.6, 0.0), (1.25, 0.0), (1.0, 8.0), (0.75, 5.0)])
def test_other_lighting_and_noise_are_no_change(gain: float, noise: float) -> None:
    image = frames((LATER_EMPTY,))[LATER_EMPTY].astype(np.float32) * gain
    image += np.random.default_rng(7).normal(0, noise, image.shape) if noise else 0
    found = compare_room(reference(), np.clip(image, 0, 255).astype(np.uint8), [], REGIONS)
    assert found.condition is RoomCondition.OK
    assert statuses(found) == as_reference()


def test_a_box_put_on_the_floor_is_a_change_in_that_region_only_with_its_outline() -> None:
    image = frames((LATER_EMPTY,))[LATER_EMPTY].copy()
    box = frames((LATER_EMPTY,))[LATER_EMPTY][40:100, 20:90]  # the dark window's corner: a dark box
    x, y = 620, 320  # on the floor right of the table (lantai-kanan)
    image[y : y + 60, x : x + 70] = box
    found = compare_room(reference(), image, [], REGIONS)
    assert statuses(found) == {**as_reference(), "lantai-kanan": RegionStatus.CHANGED}
    outlines = found.region("lantai-kanan").outlines
    assert outlines
    xs = [px * 768 for outline in outlines for px, _ in outline]
    ys = [py * 432 for outline in outlines for _, py in outline]
    # The outline lies on the pasted box (within the comparison's pixel at 320 px across).
    assert x - 6 <= min(xs) and max(xs) <= x + 70 + 6 and y - 6 <= min(ys) and max(ys) <= y + 60 + 6


def test_the_table_moved_is_a_change_where_it_stood() -> None:
    case = make_case(2)
    assert case.kind == "moved_table"
    found = compare_room(reference(), case.image, [], REGIONS)
    assert found.condition is RoomCondition.OK
    got = statuses(found)
    assert got["meja-informasi"] is RegionStatus.CHANGED
    for region_id in {r.id for r in REGIONS} - case.changed - case.unsure:
        assert got[region_id] is RegionStatus.AS_REFERENCE


def test_a_person_in_the_room_is_never_a_change() -> None:
    image = frames((PERSON_AT_TABLE,))[PERSON_AT_TABLE]
    detector = create_detector(DetectorConfig(confidence=0.1), MODEL_DIR)
    people = detector.detect(Frame("c", datetime.now(UTC), PERSON_AT_TABLE, image)).xyxy
    assert len(people) >= 1
    unmasked = compare_room(reference(), image, [], REGIONS)
    assert RegionStatus.CHANGED in statuses(unmasked).values()  # the person, had the detector not boxed them
    found = compare_room(reference(), image, people, REGIONS)
    assert RegionStatus.CHANGED not in statuses(found).values()
    assert statuses(found)["meja-informasi"] is RegionStatus.NOT_VISIBLE  # the person stands in front of it


def test_lights_off_camera_moved_and_covered_are_their_own_findings() -> None:
    empty = frames((LATER_EMPTY,))[LATER_EMPTY]
    dark = (empty.astype(np.float32) * 0.08).astype(np.uint8)
    shifted = cv2.warpAffine(empty, np.float32([[1, 0, 60], [0, 1, 10]]), (768, 432), borderMode=cv2.BORDER_REFLECT)
    covered = np.full_like(empty, 90)
    for image, condition in (
        (dark, RoomCondition.LIGHTS_OFF),
        (shifted, RoomCondition.CAMERA_MOVED),
        (covered, RoomCondition.COVERED),
    ):
        found = compare_room(reference(), image, [], REGIONS)
        assert found.condition is condition
        assert not found.ready
        assert set(statuses(found).values()) == {RegionStatus.NOT_VISIBLE}


def test_without_regions_the_whole_picture_is_one_region() -> None:
    image = frames((LATER_EMPTY,))[LATER_EMPTY].copy()
    image[320:380, 620:690] = 30
    found = compare_room(reference(), image, [])
    assert [(r.region_id, r.status) for r in found.regions] == [("room", RegionStatus.CHANGED)]
