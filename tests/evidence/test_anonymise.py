"""anonymise() on synthetic images: what is hidden, what is drawn, what is left alone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from cvmon.config.models import PrivacyMask, ZoneConfig
from cvmon.errors import EvidenceError
from cvmon.evidence import anonymise, boxes_for_evidence
from cvmon.evidence.anonymise import MASK_FILL, ZONE_COLOURS, caption_bar_height, caption_text
from cvmon.pipeline.camera import MASK_FILL as PIPELINE_MASK_FILL
from cvmon.types import AnonymisedJpeg, Detections, ZoneKind
from cvmon.zones.geometry import Zone
from tests.conftest import make_detections
from tests.evidence.helpers import decode, local_std, near_colour

W, H = 320, 240
BOX = [100.0, 60.0, 200.0, 180.0]  # 100 x 120; with margin 0.15: x 85..215, y 42..198


@pytest.fixture
def noise() -> np.ndarray:
    """High-frequency texture everywhere: any smoothing shows as a collapse of local variance."""
    return np.random.default_rng(7).integers(0, 256, (H, W, 3), dtype=np.uint8)


def test_pixelation_covers_the_box_and_its_margin(noise: np.ndarray) -> None:
    out = decode(anonymise(noise, [BOX], jpeg_quality=95))
    std = local_std(out)
    assert out.shape == noise.shape
    assert std[70:170, 110:190].mean() < 8  # the box itself
    assert std[70:170, 88:97].mean() < 8  # left margin band (outside the box, inside the margin)
    assert std[70:170, 203:212].mean() < 8  # right margin band
    assert std[45:55, 110:190].mean() < 8  # top margin band (where a head sticks out of a tight box)
    assert std[70:170, 222:310].mean() > 40  # beyond the margin the texture stays
    assert std[70:170, 5:78].mean() > 40
    assert std[205:235, 110:190].mean() > 40


def test_without_margin_the_band_keeps_its_texture(noise: np.ndarray) -> None:
    std = local_std(decode(anonymise(noise, [BOX], margin=0.0, jpeg_quality=95)))
    assert std[70:170, 110:190].mean() < 8
    assert std[70:170, 88:96].mean() > 40


def test_pixelated_person_keeps_coarse_colour_only() -> None:
    """A face-sized detail inside a box is gone: cells are an eighth of the box wide, then blurred."""
    image = np.full((H, W, 3), 200, np.uint8)
    image[70:90, 140:160] = 0  # a 20 px dark "face" in a 100 px wide box
    out = decode(anonymise(image, [BOX], jpeg_quality=95))
    patch = out[70:90, 140:160].astype(np.int32)
    assert patch.min() > 60  # no longer a black square
    assert out[140:170, 110:190].std() < 4


@pytest.mark.parametrize(
    "boxes",
    [
        [[-50.0, -40.0, 60.0, 70.0]],  # partly outside the image
        [[200.0, 180.0, 100.0, 60.0]],  # corners swapped
        [[np.nan, 0.0, 10.0, 10.0], BOX],  # a non-finite box is skipped
        [[400.0, 300.0, 500.0, 400.0]],  # wholly outside
        np.zeros((0, 4), np.float32),
    ],
)
def test_odd_boxes_are_clipped_or_skipped(noise: np.ndarray, boxes: object) -> None:
    jpeg = anonymise(noise, boxes)  # type: ignore[arg-type]
    assert decode(jpeg).shape == noise.shape


def test_input_image_is_not_modified(noise: np.ndarray) -> None:
    before = noise.copy()
    zone = ZoneConfig(id="queue", kind=ZoneKind.QUEUE, points=[(0.1, 0.6), (0.9, 0.6), (0.9, 0.95), (0.1, 0.95)])
    mask = PrivacyMask(points=[(0.0, 0.0), (0.2, 0.0), (0.2, 0.2)])
    anonymise(noise, [BOX], masks=[mask], zones=[zone], counts={"queue": 2}, ts=datetime.now(UTC), camera_id="c")
    assert np.array_equal(noise, before)


def test_privacy_masks_are_filled_solid(noise: np.ndarray) -> None:
    masks: list[PrivacyMask | list[tuple[float, float]]] = [
        PrivacyMask(points=[(0.7, 0.1), (0.95, 0.1), (0.95, 0.4), (0.7, 0.4)]),
        [(0.0, 0.7), (0.25, 0.7), (0.25, 1.0), (0.0, 1.0)],  # bare relative points work too
    ]
    out = decode(anonymise(noise, [], masks=masks, jpeg_quality=95))
    for region in (out[40:80, 240:290], out[184:236, 0:64]):
        assert np.abs(region.astype(np.int32) - np.asarray(MASK_FILL)).max() <= 6
    assert local_std(out)[100:160, 100:200].mean() > 40  # the rest untouched
    assert MASK_FILL == PIPELINE_MASK_FILL


def test_zone_outlines_labels_and_caption_are_drawn() -> None:
    image = np.full((H, W, 3), 128, np.uint8)
    queue = ZoneConfig(id="queue", kind=ZoneKind.QUEUE, points=[(0.1, 0.6), (0.9, 0.6), (0.9, 0.95), (0.1, 0.95)])
    staff = Zone.from_config(
        ZoneConfig(id="loket-1", kind=ZoneKind.COUNTER_STAFF, points=[(0.6, 0.2), (0.9, 0.2), (0.9, 0.45), (0.6, 0.45)])
    )
    ts = datetime(2026, 11, 23, 1, 0, 5, tzinfo=UTC)
    out = decode(
        anonymise(
            image,
            [],
            zones=[queue, staff],
            counts={"queue": 3, "loket-1": 1},
            ts=ts,
            tz=ZoneInfo("Asia/Makassar"),
            camera_id="cam-hall",
        )
    )
    # outlines: the queue's bottom edge (y = 0.95 * 240 = 228) and the staff zone's right edge (x = 288)
    assert near_colour(out[224:232, 60:260], ZONE_COLOURS[ZoneKind.QUEUE]).sum() > 150
    assert near_colour(out[70:100, 284:292], ZONE_COLOURS[ZoneKind.COUNTER_STAFF]).sum() > 40
    # caption bar: dark with light text, across the top
    bar = out[: caption_bar_height(H)]
    assert np.median(bar) < 20
    assert (bar > 200).all(axis=2).sum() > 50
    assert np.median(out[caption_bar_height(H) + 5 :]) == pytest.approx(128, abs=3)


def test_caption_shows_local_time_and_counts() -> None:
    ts = datetime(2026, 11, 23, 1, 0, 5, tzinfo=UTC)
    text = caption_text("cam-hall", ts, ZoneInfo("Asia/Makassar"), {"queue": 3, "loket-1": 0})
    assert text == "cam-hall  |  2026-11-23 09:00:05 WITA  |  queue 3  loket-1 0"
    assert caption_text("", None, None, {}) == ""


def test_no_caption_without_text() -> None:
    image = np.full((H, W, 3), 128, np.uint8)
    out = decode(anonymise(image, []))
    assert np.abs(out.astype(np.int32) - 128).max() <= 3


def test_long_caption_fits_the_width() -> None:
    image = np.full((60, 120, 3), 128, np.uint8)
    counts = {f"zone-{i}": i for i in range(20)}
    out = decode(anonymise(image, [], counts=counts, camera_id="a-rather-long-camera-id"))
    assert out.shape == image.shape


def test_only_anonymise_makes_anonymised_jpegs() -> None:
    with pytest.raises(EvidenceError, match="only by"):
        AnonymisedJpeg(b"\xff\xd8raw", 1, 1)
    jpeg = anonymise(np.zeros((8, 8, 3), np.uint8), [])
    assert jpeg.data[:2] == b"\xff\xd8"
    assert (jpeg.width, jpeg.height) == (8, 8)


@pytest.mark.parametrize(
    ("image", "kwargs", "message"),
    [
        (np.zeros((8, 8), np.uint8), {}, "BGR uint8"),
        (np.zeros((8, 8, 3), np.float32), {}, "BGR uint8"),
        (np.zeros((0, 8, 3), np.uint8), {}, "empty"),
        (np.zeros((8, 8, 3), np.uint8), {"jpeg_quality": 0}, "jpeg_quality"),
        (np.zeros((8, 8, 3), np.uint8), {"margin": -0.1}, "margin"),
        (np.zeros((8, 8, 3), np.uint8), {"ts": datetime(2026, 1, 1)}, "timezone-aware"),
        (np.zeros((8, 8, 3), np.uint8), {"masks": [[(0.0, 0.0), (1.0, 1.0)]]}, "3 points"),
    ],
)
def test_invalid_input_raises(image: np.ndarray, kwargs: dict, message: str) -> None:
    with pytest.raises(EvidenceError, match=message):
        anonymise(image, [], **kwargs)


def test_boxes_for_evidence_is_the_union_without_exact_duplicates() -> None:
    low = make_detections([[0, 0, 10, 10, 0.2], [20, 20, 30, 30, 0.9]])
    tracked = make_detections([[20, 20, 30, 30, 0.9], [40, 40, 50, 50]], tracker_ids=[1, 2])
    boxes = boxes_for_evidence(low, tracked)
    assert boxes.dtype == np.float32
    assert boxes.tolist() == [[0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]]
    assert boxes_for_evidence(Detections.empty(), Detections.empty()).shape == (0, 4)
