"""The ``onnx`` backend: YOLOX, Ultralytics and NanoDet exports on onnxruntime (CPU by default)."""

from __future__ import annotations

import os
from pathlib import Path

import onnxruntime as ort

from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import clip_to_image, nms_persons
from cvmon.detectors.layouts import LAYOUTS, describe_io
from cvmon.detectors.model_registry import resolve_model
from cvmon.errors import ModelError
from cvmon.types import Detections, Frame, Image

ort.set_default_logger_severity(3)


class OnnxDetector:
    """Person detector running an ONNX model with onnxruntime (safe to call from several threads)."""

    thread_safe = True

    def __init__(self, config: DetectorConfig, model_dir: Path) -> None:
        resolved = resolve_model(config.model, model_dir, config.layout, config.input_size)
        self.name = f"onnx:{resolved.name}"
        self.path = resolved.path
        self.layout = LAYOUTS[resolved.layout]()
        self.confidence = config.confidence
        self.nms_iou = config.nms_iou
        expected = describe_io(resolved.layout, resolved.input_size) if resolved.input_size else ""
        self.session = open_session(self.path, config.threads, expected)
        self.input_name, self.size = self._check_input(config.input_size, resolved.input_size)
        self._check_outputs()

    def _check_input(self, wanted: int | None, registry_size: int) -> tuple[str, int]:
        """Input name and size: the model's own fixed size wins over the registry's; a size the
        configuration asks for must match it."""
        inputs = self.session.get_inputs()
        shape = list(inputs[0].shape) if inputs else []
        dims = [d if isinstance(d, int) else None for d in shape]
        if len(inputs) != 1 or len(dims) != 4 or dims[1] not in (3, None):
            raise ModelError(
                f"{self.path}: input shape {shape} is not an image batch; a {self.layout.name} model takes [1, 3, S, S]"
            )
        fixed = dims[2] if dims[2] == dims[3] and dims[2] else None
        size = fixed or wanted or registry_size
        if not size:
            raise ModelError(f"{self.path}: the model has a dynamic input size; set detector.input_size")
        if fixed and wanted and fixed != wanted:
            raise ModelError(f"{self.path}: the model takes {fixed}x{fixed} input, not {wanted}x{wanted}")
        return inputs[0].name, size

    def _check_outputs(self) -> None:
        got = [_without_batch(tuple(o.shape)) for o in self.session.get_outputs()]
        expected = self.layout.expected_outputs(self.size)
        if not _shapes_match(self.layout.name, got, expected):
            raise ModelError(
                f"{self.path}: outputs {[list(s) for s in got]} do not fit the {self.layout.name} layout at "
                f"{self.size}x{self.size}, which expects input [1, 3, {self.size}, {self.size}] and outputs "
                f"{[[1, *s] for s in expected]}"
            )

    def detect(self, frame: Frame) -> Detections:
        return self.detect_image(frame.image)

    def detect_image(self, image: Image) -> Detections:
        tensor, letterbox = self.layout.preprocess(image, self.size)
        outputs = self.session.run(None, {self.input_name: tensor})
        xyxy, scores = self.layout.decode(outputs, self.size, self.confidence)
        dets = nms_persons(xyxy, scores, self.confidence, self.nms_iou)
        if len(dets) == 0:
            return dets
        boxes = clip_to_image(letterbox.to_image(dets.xyxy), image.shape[1], image.shape[0])
        # A box lying wholly in the letterbox padding clips to nothing: no person there.
        visible = (boxes[:, 2] > boxes[:, 0] + 1) & (boxes[:, 3] > boxes[:, 1] + 1)
        return Detections(boxes, dets.confidence, dets.class_id)[visible]


def open_session(path: Path, threads: int, expected: str) -> ort.InferenceSession:
    """An onnxruntime session on ``threads`` threads (one operator at a time) with the providers of
    ``CVMON_ONNX_PROVIDERS``; a file it cannot load is a one-line ``ModelError`` saying what was ``expected``."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = [p for p in _providers() if p in ort.get_available_providers()]
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as err:  # onnxruntime raises its own untyped errors for unreadable models
        reason = str(err).splitlines()[0][:160]
        raise ModelError(f"{path}: not a loadable ONNX model ({reason}); {expected}".rstrip("; ")) from None


def _providers() -> list[str]:
    wanted = os.environ.get("CVMON_ONNX_PROVIDERS", "CPUExecutionProvider")
    return [p.strip() for p in wanted.split(",") if p.strip()]


def _without_batch(shape: tuple[object, ...]) -> tuple[object, ...]:
    """Drop a leading batch axis (1 or dynamic) from shapes that have one."""
    if len(shape) == 3 and (shape[0] == 1 or not isinstance(shape[0], int)):
        return shape[1:]
    return shape


def _shapes_match(layout: str, got: list[tuple[object, ...]], expected: list[tuple[int, ...]]) -> bool:
    if len(got) != len(expected):
        return False
    for g, e in zip(got, expected, strict=True):
        if len(g) != len(e):
            return False
        for i, (gd, ed) in enumerate(zip(g, e, strict=True)):
            if not isinstance(gd, int):
                continue  # dynamic dimension
            if layout == "ultralytics" and i == 0:
                if gd < 5:  # 4 box rows plus at least one class
                    return False
            elif gd != ed:
                return False
    return True
