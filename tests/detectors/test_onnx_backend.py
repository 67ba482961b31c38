"""The onnx backend: real models on real frames, exact decoding of synthetic models, errors, registry."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import create_detector
from cvmon.detectors.model_registry import load_registry
from cvmon.detectors.onnx_backend import OnnxDetector
from cvmon.errors import BackendUnavailable, ModelError
from cvmon.types import Detections

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CVMON_SHARED_DIR", REPO_ROOT.parent / "shared"))
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
MIRROR_DIR = Path(os.environ.get("CVMON_MIRROR_DIR", SHARED))
FOOTAGE_DIR = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
ONE_BY_ONE = FOOTAGE_DIR / "intel_one-by-one-person-detection.mp4"
CVMON = Path(sys.executable).parent / "cvmon"

YOLOX_FILE = "yolox_nano_416_coco.onnx"
NANODET_FILE = "nanodet_m_320_coco.onnx"

# Frames of intel_one-by-one-person-detection.mp4 (768x432) checked by eye: frame 0 shows the empty
# room (a table only); frames 100, 300 and 800 show exactly one person, whole, standing at the table
# with their back to the camera. The boxes are the person's outline read off the frames by hand.
EMPTY_FRAME = 0
ONE_PERSON = {
    100: (384.0, 14.0, 512.0, 392.0),  # woman in a grey cardigan
    300: (382.0, 4.0, 542.0, 382.0),  # man in a black jacket
    800: (365.0, 33.0, 500.0, 380.0),  # man in a black T-shirt
}


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"not found: {path} (set CVMON_MODEL_DIR / CVMON_FOOTAGE_DIR)")
    return path


def _iou(a: np.ndarray, b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union)


def _assert_well_formed(dets: Detections, confidence: float) -> None:
    assert np.all(dets.class_id == 0)
    assert np.all(dets.confidence >= confidence - 1e-6)
    assert np.all(dets.confidence <= 1.0 + 1e-6)
    assert np.all(dets.xyxy[:, 2] > dets.xyxy[:, 0])
    assert np.all(dets.xyxy[:, 3] > dets.xyxy[:, 1])


# -- real models on real frames -------------------------------------------------------------------


@pytest.fixture(scope="module")
def frames() -> dict[int, np.ndarray]:
    """The chosen frames as BGR images, decoded once."""
    _need(ONE_BY_ONE)
    wanted = {EMPTY_FRAME, *ONE_PERSON}
    out: dict[int, np.ndarray] = {}
    with av.open(str(ONE_BY_ONE)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i in wanted:
                out[i] = frame.to_ndarray(format="bgr24")
            if i >= max(wanted):
                break
    assert set(out) == wanted
    return out


REAL_MODELS = [
    pytest.param("yolox_nano_416", YOLOX_FILE, 0.3, id="yolox_nano_416"),
    pytest.param("nanodet_m_320", NANODET_FILE, 0.4, id="nanodet_m_320"),
]


@pytest.mark.parametrize(("name", "file", "confidence"), REAL_MODELS)
def test_real_model_finds_the_one_person(
    frames: dict[int, np.ndarray], name: str, file: str, confidence: float
) -> None:
    _need(MODEL_DIR / file)
    detector = OnnxDetector(DetectorConfig(model=name, confidence=confidence), MODEL_DIR)
    assert detector.name == f"onnx:{name}"
    for index, expected in ONE_PERSON.items():
        image = frames[index]
        h, w = image.shape[:2]
        dets = detector.detect_image(image)
        assert len(dets) == 1, f"frame {index}: {len(dets)} people found"
        _assert_well_formed(dets, confidence)
        box = dets.xyxy[0]
        assert 0 <= box[0] < box[2] <= w and 0 <= box[1] < box[3] <= h
        assert box[3] > h / 2, f"frame {index}: the feet ({box[3]:.0f}) should be in the lower half"
        assert _iou(box, expected) >= 0.7, f"frame {index}: box {box.round()} far from {expected}"


@pytest.mark.parametrize(("name", "file", "confidence"), REAL_MODELS)
def test_real_model_finds_nobody_in_the_empty_room(
    frames: dict[int, np.ndarray], name: str, file: str, confidence: float
) -> None:
    _need(MODEL_DIR / file)
    detector = OnnxDetector(DetectorConfig(model=name, confidence=confidence), MODEL_DIR)
    dets = detector.detect_image(frames[EMPTY_FRAME])
    assert len(dets) == 0
    assert dets.xyxy.shape == (0, 4)


# -- synthetic models: exact decoding ---------------------------------------------------------------

ANCHORS_64 = 8 * 8 + 4 * 4 + 2 * 2  # strides 8, 16, 32 on a 64x64 input


def _constant_model(path: Path, output: np.ndarray) -> Path:
    """An ONNX model with input images [1, 3, 64, 64] whose output is ``output`` (+ 0 * mean(input))."""
    value = numpy_helper.from_array(output.astype(np.float32), name="table")
    zero = numpy_helper.from_array(np.array(0.0, np.float32), name="zero_value")
    nodes = [
        helper.make_node("Constant", [], ["table"], value=value),
        helper.make_node("Constant", [], ["zero"], value=zero),
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["table", "nothing"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "constant_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, list(output.shape))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _ultralytics_output() -> np.ndarray:
    """[1, 84, 84]: rows cx, cy, w, h (model pixels), then 80 class scores; one column per anchor."""
    out = np.zeros((1, 84, ANCHORS_64), np.float32)

    def put(anchor: int, cx: float, cy: float, w: float, h: float, cls: int, score: float) -> None:
        out[0, :4, anchor] = (cx, cy, w, h)
        out[0, 4 + cls, anchor] = score

    put(3, 20, 30, 8, 16, 0, 0.9)  # A: model (16, 22, 24, 38)
    put(40, 44, 36, 12, 20, 0, 0.8)  # B: model (38, 26, 50, 46)
    put(4, 21, 30, 8, 16, 0, 0.7)  # duplicate of A, IoU 0.78 -> suppressed by NMS
    put(70, 50, 12, 6, 6, 0, 0.3)  # below confidence 0.5
    put(81, 10, 50, 10, 10, 2, 0.95)  # a confident car: not a person
    return out


# Image -> model for 64x64 input, centred letterbox:
#   128 wide x 64 high: r = min(64/64, 64/128) = 0.5, resized 64x32, pad_x = 0, pad_y = (64-32)//2 = 16
#     image = ((x - 0) / 0.5, (y - 16) / 0.5):  A -> (32, 12, 48, 44), B -> (76, 20, 100, 60)
#   64 wide x 128 high: r = 0.5, resized 32x64, pad_x = 16, pad_y = 0
#     image = ((x - 16) / 0.5, y / 0.5):        A -> (0, 44, 16, 76),  B -> (44, 52, 68, 92), clipped to x <= 64
@pytest.mark.parametrize(
    ("height", "width", "expected"),
    [
        pytest.param(64, 128, [[32, 12, 48, 44], [76, 20, 100, 60]], id="wide"),
        pytest.param(128, 64, [[0, 44, 16, 76], [44, 52, 64, 92]], id="tall"),
    ],
)
def test_ultralytics_layout_decodes_exact_boxes(
    tmp_path: Path, height: int, width: int, expected: list[list[float]]
) -> None:
    path = _constant_model(tmp_path / "tiny_yolo.onnx", _ultralytics_output())
    config = DetectorConfig(model=str(path), layout="ultralytics", input_size=64, confidence=0.5)
    detector = OnnxDetector(config, tmp_path)
    assert detector.size == 64
    dets = detector.detect_image(np.zeros((height, width, 3), np.uint8))
    _assert_well_formed(dets, 0.5)
    np.testing.assert_allclose(dets.confidence, [0.9, 0.8], atol=1e-6)
    np.testing.assert_allclose(dets.xyxy, expected, atol=1e-4)


def _yolox_output() -> np.ndarray:
    """[1, 84, 85]: per anchor (8x8 cells of stride 8, 4x4 of 16, 2x2 of 32; row-major)
    [tx, ty, tw, th, objectness, 80 class scores]."""
    out = np.zeros((1, ANCHORS_64, 85), np.float32)

    def put(level_offset: int, cells: int, gx: int, gy: int, t: tuple[float, ...], obj: float, scores: dict) -> None:
        row = out[0, level_offset + gy * cells + gx]
        row[:4] = t
        row[4] = obj
        for cls, s in scores.items():
            row[5 + cls] = s

    # A, stride 8, cell (2, 2): cx = 2.5*8 = 20, cy = 2.5*8 = 20, w = 8, h = 2*8 = 16 -> model (16, 12, 24, 28)
    put(0, 8, 2, 2, (0.5, 0.5, 0.0, math.log(2.0)), 0.95, {0: 0.95})
    # duplicate of A, stride 8, cell (3, 2): cx = (3 - 0.4)*8 = 20.8 -> model (16.8, 12, 24.8, 28), IoU 0.82
    put(0, 8, 3, 2, (-0.4, 0.5, 0.0, math.log(2.0)), 0.8, {0: 0.8})
    # B, stride 16, cell (2, 0): cx = 2.25*16 = 36, cy = 0.75*16 = 12, w = h = 16 -> model (28, 4, 44, 20)
    put(64, 4, 2, 0, (0.25, 0.75, 0.0, 0.0), 0.9, {0: 0.9})
    # C, stride 32, cell (1, 0): cx = 1.75*32 = 56, cy = 0.5*32 = 16, w = h = 32 -> model (40, 0, 72, 32)
    put(80, 2, 1, 0, (0.75, 0.5, 0.0, 0.0), 0.8, {0: 0.8})
    # confident object, weak person score: 0.9 * 0.3 = 0.27 < 0.5
    put(0, 8, 1, 5, (0.5, 0.5, 0.0, 0.0), 0.9, {0: 0.3})
    # confident car, no person score
    put(0, 8, 6, 6, (0.5, 0.5, 0.0, 0.0), 0.99, {2: 0.99})
    return out


def test_yolox_layout_decodes_exact_boxes(tmp_path: Path) -> None:
    path = _constant_model(tmp_path / "tiny_yolox.onnx", _yolox_output())
    config = DetectorConfig(model=str(path), layout="yolox", input_size=64, confidence=0.5)
    detector = OnnxDetector(config, tmp_path)
    # 128 wide x 64 high, top-left letterbox: r = 0.5, no padding offset; image = model / 0.5, then clipped
    dets = detector.detect_image(np.zeros((64, 128, 3), np.uint8))
    _assert_well_formed(dets, 0.5)
    np.testing.assert_allclose(dets.confidence, [0.95 * 0.95, 0.9 * 0.9, 0.8 * 0.8], atol=1e-6)
    expected = [
        [32, 24, 48, 56],  # A
        [56, 8, 88, 40],  # B
        [80, 0, 128, 64],  # C: model (40, 0, 72, 32) -> (80, 0, 144, 64), clipped to the 128-wide image
    ]
    np.testing.assert_allclose(dets.xyxy, expected, atol=1e-4)


def test_yolox_layout_on_a_tall_image(tmp_path: Path) -> None:
    """64 wide x 128 high: r = 0.5, the image fills the left half of the canvas, no offset either."""
    path = _constant_model(tmp_path / "tiny_yolox.onnx", _yolox_output())
    detector = OnnxDetector(DetectorConfig(model=str(path), layout="yolox", confidence=0.5), tmp_path)
    assert detector.size == 64  # taken from the model's fixed input
    dets = detector.detect_image(np.zeros((128, 64, 3), np.uint8))
    # A fits; B (56, 8, 88, 40) is cut at the right edge; C lies wholly in the padding (x >= 64 in image pixels)
    np.testing.assert_allclose(dets.xyxy[:2], [[32, 24, 48, 56], [56, 8, 64, 40]], atol=1e-4)
    assert np.all(dets.xyxy[:, [0, 2]] <= 64) and np.all(dets.xyxy[:, [1, 3]] <= 128)
    assert np.all(dets.xyxy >= 0)


# -- wrong model files ------------------------------------------------------------------------------


def _model_error(config: DetectorConfig, model_dir: Path) -> str:
    with pytest.raises(ModelError) as info:
        OnnxDetector(config, model_dir)
    message = str(info.value)
    assert "\n" not in message, message
    return message


def test_corrupt_model_file(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_text("this is a text file, not a model\n", encoding="utf-8")
    message = _model_error(DetectorConfig(model=str(bad), layout="yolox"), tmp_path)
    assert str(bad) in message
    assert "not a loadable ONNX model" in message


def test_model_file_without_layout(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_text("this is a text file, not a model\n", encoding="utf-8")
    message = _model_error(DetectorConfig(model=str(bad)), tmp_path)
    assert str(bad) in message
    assert "detector.layout" in message


@pytest.mark.parametrize("model", ["nanodet_m_320", "path"])
def test_nanodet_file_with_yolox_layout(model: str) -> None:
    path = _need(MODEL_DIR / NANODET_FILE)
    config = DetectorConfig(model=str(path) if model == "path" else model, layout="yolox")
    message = _model_error(config, MODEL_DIR)
    assert str(path) in message
    assert "yolox layout" in message
    # 320 / 8, 16, 32 -> 40^2 + 20^2 + 10^2 = 2100 anchors
    assert "expects input [1, 3, 320, 320] and outputs [[1, 2100, 85]]" in message
    assert "[1600, 80]" in message  # what the file really has


def test_wrong_input_size() -> None:
    path = _need(MODEL_DIR / YOLOX_FILE)
    message = _model_error(DetectorConfig(model="yolox_nano_416", input_size=320), MODEL_DIR)
    assert str(path) in message
    assert "416x416" in message


def test_registered_model_missing_from_model_dir(tmp_path: Path) -> None:
    message = _model_error(DetectorConfig(model="yolox_nano_416"), tmp_path)
    assert YOLOX_FILE in message
    assert str(tmp_path) in message
    assert "cvmon models pull yolox_nano_416" in message


def test_unknown_model_name(tmp_path: Path) -> None:
    message = _model_error(DetectorConfig(model="yolo_nonexistent"), tmp_path)
    assert "yolo_nonexistent" in message
    assert "yolox_nano_416" in message  # lists the known names


# -- backends ---------------------------------------------------------------------------------------


def _ultralytics_installed() -> bool:
    try:
        import ultralytics  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(_ultralytics_installed(), reason="ultralytics is installed here")
def test_ultralytics_backend_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ultralytics", None)  # `import ultralytics` now fails
    monkeypatch.delitem(sys.modules, "cvmon.detectors.ultralytics_backend", raising=False)
    # the backend module sets these with setdefault on import; set them here so they are undone after
    for var in ("YOLO_OFFLINE", "YOLO_AUTOINSTALL", "YOLO_VERBOSE"):
        monkeypatch.setenv(var, os.environ.get(var, "0"))
    monkeypatch.setenv("YOLO_CONFIG_DIR", str(tmp_path / "ultralytics"))
    with pytest.raises(BackendUnavailable) as info:
        create_detector(DetectorConfig(type="ultralytics", model="yolo11n.pt"), tmp_path)
    message = str(info.value)
    assert "ultralytics" in message
    assert "pip install 'cvmon[ultralytics]'" in message


def test_replay_backend_missing_fixture(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-fixture.yaml"
    with pytest.raises(ModelError, match="replay fixture not found"):
        create_detector(DetectorConfig(type="replay", model=str(missing)), tmp_path)


def test_create_detector_builds_onnx(tmp_path: Path) -> None:
    path = _constant_model(tmp_path / "tiny_yolo.onnx", _ultralytics_output())
    detector = create_detector(DetectorConfig(model=str(path), layout="ultralytics", confidence=0.5), tmp_path)
    assert isinstance(detector, OnnxDetector)
    assert detector.name == "onnx:tiny_yolo"


# -- models registry through the command line -------------------------------------------------------


def _cvmon(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CVMON_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run([str(CVMON), *args], capture_output=True, text=True, env=full_env, timeout=120, check=False)


def test_models_list_shows_the_shared_models(tmp_path: Path) -> None:
    _need(MODEL_DIR / YOLOX_FILE)
    result = _cvmon(["models", "list"], tmp_path, CVMON_MODEL_DIR=str(MODEL_DIR))
    assert result.returncode == 0, result.stderr
    rows = {}
    for line in result.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) >= 6 and cells[0] in load_registry():
            rows[cells[0]] = cells
    assert set(rows) == set(load_registry())
    assert rows["yolox_nano_416"][1:5] == ["yolox", "416", "yes", "ok"]
    assert rows["nanodet_m_320"][1:5] == ["nanodet", "320", "yes", "ok"]
    assert rows["yolox_tiny_416"][3] == "no"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_models_pull_copies_from_the_mirror(tmp_path: Path) -> None:
    source = _need(MIRROR_DIR / "models" / YOLOX_FILE)
    model_dir = tmp_path / "models"
    result = _cvmon(
        ["models", "pull", "yolox_nano_416", "--offline"],
        tmp_path,
        CVMON_MODEL_DIR=str(model_dir),
        CVMON_MIRROR_DIR=str(MIRROR_DIR),
    )
    assert result.returncode == 0, result.stderr
    pulled = model_dir / YOLOX_FILE
    assert sorted(p.name for p in model_dir.iterdir()) == [YOLOX_FILE]
    assert _sha256(pulled) == load_registry()["yolox_nano_416"].sha256 == _sha256(source)


def test_models_pull_refuses_a_tampered_mirror_file(tmp_path: Path) -> None:
    source = _need(MIRROR_DIR / "models" / YOLOX_FILE)
    mirror = tmp_path / "mirror"
    (mirror / "models").mkdir(parents=True)
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (mirror / "models" / YOLOX_FILE).write_bytes(bytes(data))
    model_dir = tmp_path / "models"
    result = _cvmon(
        ["models", "pull", "yolox_nano_416", "--offline"],
        tmp_path,
        CVMON_MODEL_DIR=str(model_dir),
        CVMON_MIRROR_DIR=str(mirror),
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cvmon: error:")
    assert "sha256" in lines[0]
    assert YOLOX_FILE in lines[0]
    assert not (model_dir.exists() and any(model_dir.iterdir())), "a refused pull left a file behind"


def test_models_pull_offline_without_mirror_file(tmp_path: Path) -> None:
    (tmp_path / "empty-mirror").mkdir()
    result = _cvmon(
        ["models", "pull", "yolox_nano_416", "--offline"],
        tmp_path,
        CVMON_MODEL_DIR=str(tmp_path / "models"),
        CVMON_MIRROR_DIR=str(tmp_path / "empty-mirror"),
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cvmon: error:"), result.stderr
    assert "not found in mirror" in lines[0]
    assert not any((tmp_path / "models").iterdir())
