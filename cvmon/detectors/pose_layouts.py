"""Pre-processing and output decoding of the pose model families cvmon knows.

Both work on a square crop around one person's box (``square_crop``); keypoints come back in pixels
of the whole image.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from cvmon.detectors.layouts import F32
from cvmon.types import Image, Keypoints

KEYPOINT_COUNT = 17
YOLO_POSE_ROWS = 4 + 1 + 3 * KEYPOINT_COUNT  # cx, cy, w, h, person score, 17 x (x, y, conf)


@dataclass(frozen=True, slots=True)
class SquareCrop:
    """A square region of the image (may reach past its edges, which are padded with black)."""

    x0: int
    y0: int
    side: int

    def cut(self, image: Image) -> Image:
        """The crop's pixels; parts outside the image are black."""
        h, w = image.shape[:2]
        out = np.zeros((self.side, self.side, 3), np.uint8)
        sx0, sy0 = max(self.x0, 0), max(self.y0, 0)
        sx1, sy1 = min(self.x0 + self.side, w), min(self.y0 + self.side, h)
        if sx1 > sx0 and sy1 > sy0:
            out[sy0 - self.y0 : sy1 - self.y0, sx0 - self.x0 : sx1 - self.x0] = image[sy0:sy1, sx0:sx1]
        return out


def square_crop(box: tuple[float, float, float, float], margin: float) -> SquareCrop:
    """The square centred on a person's box (x0, y0, x1, y1), its longer side widened by ``margin``."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * (1.0 + margin)
    side_px = max(round(side), 8)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return SquareCrop(round(cx - side_px / 2), round(cy - side_px / 2), side_px)


class MoveNetLayout:
    """MoveNet SinglePose: uint8 RGB [1, S, S, 3] of the crop; output [1, 1, 17, 3] of (y, x, score),
    y and x relative 0..1 to the crop."""

    name = "movenet"
    default_size = 192

    def expected_input(self, size: int) -> list[int]:
        return [1, size, size, 3]

    def expected_outputs(self, size: int) -> list[tuple[int, ...]]:
        return [(1, 1, KEYPOINT_COUNT, 3)]

    def preprocess(self, crop: Image, size: int) -> np.ndarray:
        resized = cv2.resize(crop, (size, size), interpolation=cv2.INTER_LINEAR)
        return np.ascontiguousarray(resized[:, :, ::-1][None])

    def decode(
        self, outputs: list[F32], crop: SquareCrop, size: int, box: tuple[float, ...], min_score: float
    ) -> Keypoints:
        yxs = np.asarray(outputs[0], np.float32).reshape(KEYPOINT_COUNT, 3)
        xy = np.stack([crop.x0 + yxs[:, 1] * crop.side, crop.y0 + yxs[:, 0] * crop.side], axis=1)
        return Keypoints(xy.astype(np.float32), yxs[:, 2].copy())


class YoloPoseLayout:
    """Ultralytics YOLO-pose ONNX export: the square crop resized to S, RGB / 255, [1, 3, S, S];
    output [1, 56, N]: cx, cy, w, h, person score, then 17 x (x, y, conf) in input pixels."""

    name = "yolo_pose"
    default_size = 640

    def expected_input(self, size: int) -> list[int]:
        return [1, 3, size, size]

    def expected_outputs(self, size: int) -> list[tuple[int, ...]]:
        anchors = sum((size // s) ** 2 for s in (8, 16, 32))
        return [(1, YOLO_POSE_ROWS, anchors)]

    def preprocess(self, crop: Image, size: int) -> np.ndarray:
        canvas = cv2.resize(crop, (size, size), interpolation=cv2.INTER_LINEAR)
        return np.ascontiguousarray(canvas[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) * (1.0 / 255.0))

    def decode(
        self, outputs: list[F32], crop: SquareCrop, size: int, box: tuple[float, ...], min_score: float
    ) -> Keypoints | None:
        """The keypoints of the detection that overlaps the person's box most (None: nobody found)."""
        return decode_yolo_pose(outputs[0], crop, size, box, min_score)


def decode_yolo_pose(
    output: F32, crop: SquareCrop, size: int, box: tuple[float, ...], min_score: float
) -> Keypoints | None:
    """Decode a YOLO-pose output [1, 56, N] made on ``crop`` resized to ``size``: of the people
    scoring at least ``min_score``, the keypoints of the one whose box overlaps ``box`` (image pixels)
    most, in image pixels."""
    out = np.asarray(output, np.float32).reshape(YOLO_POSE_ROWS, -1)
    keep = out[4] >= min_score
    if not np.any(keep):
        return None
    rows = out[:, keep]
    scale = size / crop.side  # the square crop fills the square input: no padding
    boxes = np.stack(
        [rows[0] - rows[2] / 2, rows[1] - rows[3] / 2, rows[0] + rows[2] / 2, rows[1] + rows[3] / 2], axis=1
    )
    boxes = (boxes / scale + np.array([crop.x0, crop.y0, crop.x0, crop.y0], np.float32)).astype(np.float32)
    overlap = _iou(boxes, np.asarray(box, np.float32))
    best = int(np.lexsort((rows[4], overlap))[-1])  # most overlap, then highest score
    kp = rows[5:, best].reshape(KEYPOINT_COUNT, 3)
    xy = kp[:, :2] / scale + np.array([crop.x0, crop.y0], np.float32)
    return Keypoints(xy.astype(np.float32), kp[:, 2].astype(np.float32))


def _iou(boxes: F32, box: F32) -> F32:
    ix = np.clip(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), 0, None)
    inter = ix * iy
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) + (box[2] - box[0]) * (box[3] - box[1])
    return (inter / np.maximum(area - inter, 1e-6)).astype(np.float32)


POSE_LAYOUTS: dict[str, type[MoveNetLayout] | type[YoloPoseLayout]] = {
    "movenet": MoveNetLayout,
    "yolo_pose": YoloPoseLayout,
}


def describe_pose_io(layout: str, size: int) -> str:
    """The input and output shapes a pose model of this layout and input size must have, for messages."""
    model = POSE_LAYOUTS[layout]()
    outputs = [list(s) for s in model.expected_outputs(size)]
    return f"a {layout} pose model takes input {model.expected_input(size)} and gives outputs {outputs}"
