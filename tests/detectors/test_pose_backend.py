"""The pose backend: MoveNet on real frames against hand-annotated keypoints, exact decoding of
synthetic outputs, one-line errors for wrong model files, and no greeting found in clips without one."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import av
import numpy as np
import pytest

from cvmon.behaviour.greeting import PoseSample, recognise_greeting
from cvmon.config.models import DetectorConfig, TrackerConfig
from cvmon.config.pose import GreetingConfig, PoseConfig
from cvmon.detectors.model_registry import load_registry
from cvmon.detectors.onnx_backend import OnnxDetector
from cvmon.detectors.pose_backend import OnnxPoseEstimator
from cvmon.detectors.pose_layouts import MoveNetLayout, SquareCrop, decode_yolo_pose, square_crop
from cvmon.errors import ModelError
from cvmon.tracking import PersonTracker
from cvmon.types import GreetingOutcome
from cvmon.types.pose import KEYPOINT
from tests.detectors.test_onnx_backend import ANCHORS_64, FOOTAGE_DIR, MODEL_DIR, _constant_model, _need

REPO_ROOT = Path(__file__).resolve().parents[2]
ANNOTATIONS = REPO_ROOT / "fixtures" / "annotations" / "pose_keypoints.json"
MOVENET_FILE = "movenet_singlepose_lightning_int8.onnx"
TOLERANCE = 0.10  # of the person's box height
MIN_SCORE = 0.3  # an annotated (visible) keypoint must be seen at least this surely


def _frame(clip: Path, index: int) -> np.ndarray:
    with av.open(str(clip)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                return frame.to_ndarray(format="bgr24")
    raise AssertionError(f"{clip} has no frame {index}")


@pytest.fixture(scope="module")
def movenet() -> OnnxPoseEstimator:
    _need(MODEL_DIR / MOVENET_FILE)
    return OnnxPoseEstimator(PoseConfig(), MODEL_DIR)


# -- MoveNet on real frames -----------------------------------------------------------------------


ANNOTATED = json.loads(ANNOTATIONS.read_text(encoding="utf-8"))["frames"]


@pytest.mark.parametrize("annotated", ANNOTATED, ids=[f"{a['clip'][6:16]}-{a['frame']}" for a in ANNOTATED])
def test_movenet_keypoints_match_the_hand_annotation(movenet: OnnxPoseEstimator, annotated: dict) -> None:
    image = _frame(_need(FOOTAGE_DIR / annotated["clip"]), annotated["frame"])
    box = tuple(float(v) for v in annotated["box"])
    keypoints = movenet.estimate(image, box)  # type: ignore[arg-type]
    assert keypoints is not None
    height = box[3] - box[1]
    for name, (x, y) in annotated["keypoints"].items():
        px, py = keypoints.xy[KEYPOINT[name]]
        error = float(np.hypot(px - x, py - y)) / height
        assert error <= TOLERANCE, f"{name}: model ({px:.0f}, {py:.0f}), annotated ({x}, {y}), {error:.1%} of the box"
        assert keypoints.score[KEYPOINT[name]] >= MIN_SCORE, name


def test_movenet_registry_entry_matches_the_shared_file() -> None:
    entry = load_registry()["movenet_lightning_192"]
    path = _need(MODEL_DIR / entry.file)
    assert (entry.layout, entry.input_size) == ("movenet", 192)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256
    assert entry.licence.startswith("Apache-2.0")


# -- crops and decoding ---------------------------------------------------------------------------


def test_square_crop_is_centred_on_the_box_with_its_margin() -> None:
    assert square_crop((100.0, 50.0, 140.0, 130.0), 0.0) == SquareCrop(80, 50, 80)
    assert square_crop((100.0, 50.0, 140.0, 130.0), 0.25) == SquareCrop(70, 40, 100)


def test_square_crop_pads_with_black_outside_the_image() -> None:
    image = np.full((100, 100, 3), 200, np.uint8)
    cut = SquareCrop(-20, 60, 60).cut(image)
    assert cut.shape == (60, 60, 3)
    assert np.all(cut[:, :20] == 0) and np.all(cut[40:] == 0)  # left of x 0, below y 100
    assert np.all(cut[:40, 20:] == 200)


def test_movenet_decoding_maps_crop_fractions_to_image_pixels() -> None:
    out = np.zeros((1, 1, 17, 3), np.float32)
    out[0, 0, KEYPOINT["nose"]] = (0.5, 0.25, 0.9)  # y, x, score
    out[0, 0, KEYPOINT["right_ankle"]] = (1.0, 1.0, 0.2)
    kp = MoveNetLayout().decode([out], SquareCrop(-10, 20, 200), 192, (0, 0, 1, 1), 0.3)
    assert kp.point("nose") == (40.0, 120.0)
    assert kp.point("right_ankle") == (190.0, 220.0)
    assert kp.score[KEYPOINT["nose"]] == pytest.approx(0.9)


def _yolo_pose_output() -> np.ndarray:
    """[1, 56, 84] on a 64x64 input: anchor 3 is the person of the crop (its box fills the box
    asked for), anchor 7 a small, surer person elsewhere, anchor 9 one below the score threshold."""
    out = np.zeros((1, 56, ANCHORS_64), np.float32)
    out[0, :5, 3] = (32, 32, 32, 64, 0.6)
    out[0, 5:, 3] = np.tile((16.0, 8.0, 0.9), 17)
    out[0, 5 + 3 * KEYPOINT["left_wrist"] : 8 + 3 * KEYPOINT["left_wrist"], 3] = (40.0, 24.0, 0.7)
    out[0, :5, 7] = (8, 8, 8, 8, 0.95)
    out[0, 5:, 7] = np.tile((8.0, 8.0, 0.9), 17)
    out[0, :5, 9] = (32, 32, 32, 64, 0.1)
    return out


def test_yolo_pose_decoding_picks_the_person_in_the_box_and_maps_to_image_pixels() -> None:
    crop = square_crop((100.0, 50.0, 140.0, 130.0), 0.0)  # side 80 -> a 64 input scales by 0.8
    kp = decode_yolo_pose(_yolo_pose_output(), crop, 64, (100.0, 50.0, 140.0, 130.0), 0.25)
    assert kp is not None
    assert kp.point("nose") == (100.0, 60.0)
    assert kp.point("left_wrist") == (130.0, 80.0)
    assert kp.score[KEYPOINT["left_wrist"]] == pytest.approx(0.7)
    assert decode_yolo_pose(_yolo_pose_output(), crop, 64, (100.0, 50.0, 140.0, 130.0), 0.99) is None


def test_a_yolo_pose_onnx_model_runs_end_to_end(tmp_path: Path) -> None:
    path = _constant_model(tmp_path / "pose.onnx", _yolo_pose_output())
    estimator = OnnxPoseEstimator(PoseConfig(model=str(path), layout="yolo_pose", crop_margin=0.0), tmp_path)
    assert estimator.size == 64
    kp = estimator.estimate(np.zeros((200, 300, 3), np.uint8), (100.0, 50.0, 140.0, 130.0))
    assert kp is not None
    assert kp.point("nose") == (100.0, 60.0)


# -- wrong model files ----------------------------------------------------------------------------


def _model_error(config: PoseConfig, model_dir: Path) -> str:
    with pytest.raises(ModelError) as info:
        OnnxPoseEstimator(config, model_dir)
    message = str(info.value)
    assert "\n" not in message, message
    return message


def test_registered_pose_model_missing_from_model_dir(tmp_path: Path) -> None:
    message = _model_error(PoseConfig(), tmp_path)
    assert MOVENET_FILE in message and str(tmp_path) in message
    assert "movenet pose model takes input [1, 192, 192, 3]" in message
    assert "cvmon models pull movenet_lightning_192" in message


def test_corrupt_pose_model_file(tmp_path: Path) -> None:
    bad = tmp_path / "pose.onnx"
    bad.write_bytes(b"\x00garbage, not a model")
    message = _model_error(PoseConfig(model=str(bad), layout="movenet"), tmp_path)
    assert str(bad) in message and "not a loadable ONNX model" in message


def test_pose_model_file_without_layout(tmp_path: Path) -> None:
    bad = tmp_path / "pose.onnx"
    bad.write_bytes(b"x")
    assert "set pose.layout (movenet or yolo_pose)" in _model_error(PoseConfig(model=str(bad)), tmp_path)


def test_a_detector_is_not_a_pose_model_and_the_other_way_round() -> None:
    assert "is a detector model (yolox), not a pose model" in _model_error(
        PoseConfig(model="yolox_nano_416"), MODEL_DIR
    )
    with pytest.raises(ModelError, match="is a pose model \\(movenet\\), not a detector model"):
        OnnxDetector(DetectorConfig(model="movenet_lightning_192"), MODEL_DIR)


def test_a_detector_file_with_the_movenet_layout_is_refused() -> None:
    path = _need(MODEL_DIR / "yolox_nano_416_coco.onnx")
    message = _model_error(PoseConfig(model=str(path), layout="movenet"), MODEL_DIR)
    assert str(path) in message and "input shape [1, 3, 416, 416] is not an image batch" in message
    assert "movenet pose model takes input [1, 192, 192, 3]" in message


# -- no greeting where none happens ---------------------------------------------------------------

# Clips without a greeting: people at a table (one by one, 139 s, seen from behind, every 4th frame:
# 2.5 fps), a classroom, three people walking towards the camera and pausing, a store aisle (3-4 s
# each, every frame: their windows are shortened to fit; the recogniser's thresholds stay default).
# Windows start every step_s along each track.
SHORT = GreetingConfig(before_s=0.5, after_s=1.5, baseline_s=0.5, min_baseline_frames=2)
NO_GREETING = [
    ("intel_one-by-one-person-detection.mp4", 4, GreetingConfig(), 5.0),
    ("intel_classroom.mp4", 1, SHORT, 0.5),
    ("intel_face-demographics-walking-and-pause.mp4", 1, SHORT, 0.5),
    ("intel_store-aisle-detection.mp4", 1, SHORT, 0.5),
]


def _tracked_poses(clip: Path, stride: int, movenet: OnnxPoseEstimator) -> dict[int, list[PoseSample]]:
    """Each confirmed track's keypoints over every ``stride``-th frame of the clip."""
    detector = OnnxDetector(DetectorConfig(), MODEL_DIR)
    samples: dict[int, list[PoseSample]] = defaultdict(list)
    with av.open(str(clip)) as container:
        fps = float(container.streams.video[0].average_rate or 10)
        tracker = PersonTracker(TrackerConfig(), fps / stride)
        for i, frame in enumerate(container.decode(video=0)):
            if i % stride:
                continue
            image, t = frame.to_ndarray(format="bgr24"), i / fps
            tracked = tracker.update(detector.detect_image(image), t, image)
            for box, track_id in zip(tracked.xyxy, tracked.tracker_id, strict=True):  # type: ignore[arg-type]
                keypoints = movenet.estimate(image, tuple(float(v) for v in box))  # type: ignore[arg-type]
                if track_id >= 0 and keypoints is not None:
                    samples[int(track_id)].append(PoseSample(t, keypoints))
    return samples


@pytest.mark.parametrize(("clip", "stride", "config", "step_s"), NO_GREETING, ids=[c[0][6:16] for c in NO_GREETING])
def test_no_greeting_is_found_where_none_happens(
    movenet: OnnxPoseEstimator, clip: str, stride: int, config: GreetingConfig, step_s: float
) -> None:
    outcomes: dict[GreetingOutcome, int] = defaultdict(int)
    for samples in _tracked_poses(_need(FOOTAGE_DIR / clip), stride, movenet).values():
        first = samples[0].t + config.baseline_s + config.before_s
        last = samples[-1].t - config.after_s
        for arrival in np.arange(first, last + 1e-9, step_s):
            outcomes[recognise_greeting(samples, float(arrival), config).outcome] += 1
    print(clip, {o.value: n for o, n in outcomes.items()})
    assert sum(outcomes.values()) > 0  # windows were judged
    assert outcomes[GreetingOutcome.GREETED] == 0
