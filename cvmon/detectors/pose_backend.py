"""Pose estimation on onnxruntime: the keypoints of one person, from a square crop around their box."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cvmon.config.pose import PoseConfig
from cvmon.detectors.model_registry import resolve_model
from cvmon.detectors.onnx_backend import open_session
from cvmon.detectors.pose_layouts import POSE_LAYOUTS, describe_pose_io, square_crop
from cvmon.errors import ModelError
from cvmon.types import Image, Keypoints


class OnnxPoseEstimator:
    """17 COCO keypoints of one person at a time (MoveNet SinglePose or an Ultralytics YOLO-pose export)."""

    def __init__(self, config: PoseConfig, model_dir: Path) -> None:
        resolved = resolve_model(config.model, model_dir, config.layout, config.input_size, purpose="pose")
        self.name = f"onnx:{resolved.name}"
        self.path = resolved.path
        self.layout = POSE_LAYOUTS[resolved.layout]()
        self.margin = config.crop_margin
        self.min_person_score = config.min_person_score
        expected = describe_pose_io(resolved.layout, resolved.input_size) if resolved.input_size else ""
        self.session = open_session(self.path, config.threads, expected)
        self.input_name, self.size = self._check_input(config.input_size, resolved.input_size)
        self._check_outputs()

    def _check_input(self, wanted: int | None, registry_size: int) -> tuple[str, int]:
        inputs = self.session.get_inputs()
        shape = list(inputs[0].shape) if inputs else []
        dims = [d if isinstance(d, int) else None for d in shape]
        channels_last = self.layout.name == "movenet"
        side_dims = (dims[1], dims[2]) if channels_last else (dims[2], dims[3]) if len(dims) == 4 else (None, None)
        channel = dims[3] if channels_last and len(dims) == 4 else dims[1] if len(dims) == 4 else None
        if len(inputs) != 1 or len(dims) != 4 or channel not in (3, None):
            raise ModelError(
                f"{self.path}: input shape {shape} is not an image batch; "
                f"{describe_pose_io(self.layout.name, wanted or registry_size or self.layout.default_size)}"
            )
        fixed = side_dims[0] if side_dims[0] == side_dims[1] and side_dims[0] else None
        size = fixed or wanted or registry_size
        if not size:
            raise ModelError(f"{self.path}: the model has a dynamic input size; set pose.input_size")
        if fixed and wanted and fixed != wanted:
            raise ModelError(f"{self.path}: the model takes {fixed}x{fixed} input, not {wanted}x{wanted}")
        return inputs[0].name, size

    def _check_outputs(self) -> None:
        got = [tuple(o.shape) for o in self.session.get_outputs()]
        expected = self.layout.expected_outputs(self.size)
        fits = len(got) == len(expected) and all(
            len(g) == len(e) and all(not isinstance(gd, int) or gd == ed for gd, ed in zip(g, e, strict=True))
            for g, e in zip(got, expected, strict=True)
        )
        if not fits:
            raise ModelError(
                f"{self.path}: outputs {[list(s) for s in got]} do not fit the {self.layout.name} layout; "
                f"{describe_pose_io(self.layout.name, self.size)}"
            )

    def estimate(self, image: Image, box: tuple[float, float, float, float]) -> Keypoints | None:
        """Keypoints of the person in ``box`` (x0, y0, x1, y1, image pixels) of a BGR image, in image
        pixels; None when the model finds nobody there (yolo_pose only; MoveNet always answers)."""
        crop = square_crop(box, self.margin)
        tensor = self.layout.preprocess(crop.cut(image), self.size)
        outputs = self.session.run(None, {self.input_name: tensor})
        return self.layout.decode([np.asarray(o) for o in outputs], crop, self.size, box, self.min_person_score)
