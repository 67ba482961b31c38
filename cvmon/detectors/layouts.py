"""Pre-processing and output decoding of the ONNX model families cvmon knows.

Each layout turns a BGR image into the model's input tensor plus a ``Letterbox`` that maps model
pixels back to image pixels, and decodes raw outputs into person boxes and scores (before NMS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from cvmon.types import Image

PERSON = 0
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Letterbox:
    """Image -> model mapping: model = image * scale + pad."""

    scale: float
    pad_x: float
    pad_y: float

    def to_image(self, xyxy: F32) -> F32:
        out = xyxy.copy()
        out[:, [0, 2]] = (out[:, [0, 2]] - self.pad_x) / self.scale
        out[:, [1, 3]] = (out[:, [1, 3]] - self.pad_y) / self.scale
        return out


class OutputLayout(Protocol):
    """How one model family wants its input and shapes its output."""

    name: str

    def preprocess(self, image: Image, size: int) -> tuple[F32, Letterbox]: ...

    def decode(self, outputs: list[F32], size: int, min_score: float) -> tuple[F32, F32]:
        """Person boxes (N, 4) xyxy in model pixels with scores (N,) of at least ``min_score``."""
        ...

    def expected_outputs(self, size: int) -> list[tuple[int, ...]]:
        """Output shapes (without batch) the model must have, for error messages and checks."""
        ...


def _letterbox(image: Image, size: int, pad_value: float, centre: bool) -> tuple[Image, Letterbox]:
    h, w = image.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(w * r), int(h * r)
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR) if (nw, nh) != (w, h) else image
    canvas = np.full((size, size, 3), pad_value, dtype=np.uint8)
    px = (size - nw) // 2 if centre else 0
    py = (size - nh) // 2 if centre else 0
    canvas[py : py + nh, px : px + nw] = resized
    return canvas, Letterbox(r, float(px), float(py))


def _grid(size: int, strides: tuple[int, ...]) -> tuple[F32, F32]:
    """Cell coordinates (gx, gy) and stride of every anchor point, level by level, row-major."""
    cells, stride_col = [], []
    for s in strides:
        n = size // s
        gy, gx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        cells.append(np.stack([gx.ravel(), gy.ravel()], axis=1))
        stride_col.append(np.full(n * n, s))
    return np.concatenate(cells).astype(np.float32), np.concatenate(stride_col).astype(np.float32)


class YoloxLayout:
    """YOLOX: top-left letterbox padded with 114, raw BGR 0..255; output (A, 85) grid offsets."""

    name = "yolox"
    strides = (8, 16, 32)

    def __init__(self) -> None:
        self._grids: dict[int, tuple[F32, F32]] = {}

    def preprocess(self, image: Image, size: int) -> tuple[F32, Letterbox]:
        canvas, lb = _letterbox(image, size, 114, centre=False)
        tensor = canvas.transpose(2, 0, 1)[None].astype(np.float32)
        return tensor, lb

    def expected_outputs(self, size: int) -> list[tuple[int, ...]]:
        anchors = sum((size // s) ** 2 for s in self.strides)
        return [(anchors, 85)]

    def decode(self, outputs: list[F32], size: int, min_score: float) -> tuple[F32, F32]:
        out = outputs[0].reshape(-1, outputs[0].shape[-1])
        if size not in self._grids:
            self._grids[size] = _grid(size, self.strides)
        cells, strides = self._grids[size]
        scores = out[:, 4] * out[:, 5 + PERSON]
        keep = scores >= min_score
        out, cells, strides, scores = out[keep], cells[keep], strides[keep], scores[keep]
        cxy = (out[:, 0:2] + cells) * strides[:, None]
        wh = np.exp(np.clip(out[:, 2:4], -10, 10)) * strides[:, None]
        xyxy = np.concatenate([cxy - wh / 2, cxy + wh / 2], axis=1)
        return xyxy.astype(np.float32), scores.astype(np.float32)


class UltralyticsLayout:
    """Ultralytics YOLOv8/YOLO11 ONNX export: centred letterbox padded with 114, RGB / 255;
    output (4 + classes, N) with rows cx, cy, w, h, class scores; no objectness."""

    name = "ultralytics"

    def preprocess(self, image: Image, size: int) -> tuple[F32, Letterbox]:
        canvas, lb = _letterbox(image, size, 114, centre=True)
        tensor = canvas[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) * (1.0 / 255.0)
        return np.ascontiguousarray(tensor), lb

    def expected_outputs(self, size: int) -> list[tuple[int, ...]]:
        anchors = sum((size // s) ** 2 for s in (8, 16, 32))
        return [(84, anchors)]

    def decode(self, outputs: list[F32], size: int, min_score: float) -> tuple[F32, F32]:
        out = outputs[0].reshape(outputs[0].shape[-2], outputs[0].shape[-1])
        scores = out[4 + PERSON]
        keep = scores >= min_score
        boxes = out[:4, keep].T
        scores = scores[keep]
        xyxy = np.concatenate([boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, :2] + boxes[:, 2:] / 2], axis=1)
        return xyxy.astype(np.float32), scores.astype(np.float32)


class NanodetLayout:
    """NanoDet-m (GFL head): centred letterbox padded with 0, BGR normalised; six outputs:
    class scores per stride 8/16/32, then box-distribution logits (4 sides x 8 bins) per stride."""

    name = "nanodet"
    strides = (8, 16, 32)
    mean = np.array([103.53, 116.28, 123.675], np.float32)
    std = np.array([57.375, 57.12, 58.395], np.float32)
    bins = 8

    def preprocess(self, image: Image, size: int) -> tuple[F32, Letterbox]:
        canvas, lb = _letterbox(image, size, 0, centre=True)
        norm = (canvas.astype(np.float32) - self.mean) / self.std
        return np.ascontiguousarray(norm.transpose(2, 0, 1)[None]), lb

    def expected_outputs(self, size: int) -> list[tuple[int, ...]]:
        n = [(size // s) ** 2 for s in self.strides]
        shapes: list[tuple[int, ...]] = [(k, 80) for k in n]
        return shapes + [(k, 4 * self.bins) for k in n]

    def decode(self, outputs: list[F32], size: int, min_score: float) -> tuple[F32, F32]:
        all_boxes, all_scores = [], []
        proj = np.arange(self.bins, dtype=np.float32)
        for level, s in enumerate(self.strides):
            scores = outputs[level].reshape(-1, 80)[:, PERSON]
            keep = np.nonzero(scores >= min_score)[0]
            if not len(keep):
                continue
            dist = outputs[3 + level].reshape(-1, 4, self.bins)[keep]
            e = np.exp(dist - dist.max(axis=2, keepdims=True))
            ltrb = (e / e.sum(axis=2, keepdims=True) @ proj) * s
            n = size // s
            cx = (keep % n + 0.5) * s
            cy = (keep // n + 0.5) * s
            all_boxes.append(np.stack([cx - ltrb[:, 0], cy - ltrb[:, 1], cx + ltrb[:, 2], cy + ltrb[:, 3]], axis=1))
            all_scores.append(scores[keep])
        if not all_boxes:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        return np.concatenate(all_boxes).astype(np.float32), np.concatenate(all_scores).astype(np.float32)


LAYOUTS: dict[str, type[YoloxLayout] | type[UltralyticsLayout] | type[NanodetLayout]] = {
    "yolox": YoloxLayout,
    "ultralytics": UltralyticsLayout,
    "nanodet": NanodetLayout,
}


def describe_io(layout: str, size: int) -> str:
    """The input and output shapes a model of this layout and input size must have, for messages."""
    outputs = [[1, *shape] for shape in LAYOUTS[layout]().expected_outputs(size)]
    return f"a {layout} model takes input [1, 3, {size}, {size}] and gives outputs {outputs}"
