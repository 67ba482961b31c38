"""An int8 copy of YOLOX-Nano 416 (static QDQ quantisation with onnxruntime), cached, for the
detectors section: does int8 pay on this CPU, and what does it cost in count error?

Steps: the opset 11 model is converted to opset 13 (``onnx.version_converter``; per-channel QDQ
needs 13), pre-processed (``quant_pre_process``: shape inference and graph optimisation), then
quantised statically (QDQ format, per-channel weights, QUInt8 activations, QInt8 weights, MinMax
calibration) on about 30 frames spread over the footage clips, frames annotated in
fixtures/annotations/counts.yaml left out so that the count error is measured on frames the
calibration never saw. Written to the bench cache, never to the repository.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from perf.common import ANNOTATIONS, CACHE_DIR, FOOTAGE_DIR, MODEL_DIR

FLOAT_MODEL = "yolox_nano_416_coco.onnx"
SIZE = 416
INT8_NAME = "yolox_nano_416_int8_qdq.onnx"


def calibration_images(n: int = 30) -> list[np.ndarray]:
    """About ``n`` BGR frames spread evenly over every footage clip, annotated frames excluded."""
    import av

    ann = yaml.safe_load(ANNOTATIONS.read_text(encoding="utf-8"))["clips"]
    clips = sorted(FOOTAGE_DIR.glob("*.mp4"))
    per_clip = max(1, math.ceil(n / max(len(clips), 1)))
    images: list[np.ndarray] = []
    for clip in clips:
        annotated = {f["index"] for f in (ann.get(clip.name) or {}).get("frames", [])}
        with av.open(str(clip)) as c:
            total = c.streams.video[0].frames or 0
        if not total:
            continue
        wanted = {int((k + 0.5) * total / per_clip) for k in range(per_clip)}
        wanted = {i + 1 if i in annotated else i for i in wanted}
        with av.open(str(clip)) as c:
            for i, frame in enumerate(c.decode(video=0)):
                if i in wanted:
                    images.append(np.ascontiguousarray(frame.to_ndarray(format="bgr24")))
                if i >= max(wanted):
                    break
    return images[:n]


def int8_model(cache: Path = CACHE_DIR, model_dir: Path = MODEL_DIR, frames: int = 30) -> dict[str, Any]:
    """The path of the int8 QDQ model (made once, cached) and how it was made."""
    out = cache / "models" / INT8_NAME
    info = {
        "path": str(out),
        "source": FLOAT_MODEL,
        "recipe": "opset 11->13, quant_pre_process, quantize_static QDQ, per-channel, "
        f"QUInt8 activations / QInt8 weights, MinMax on {frames} footage frames",
    }
    if out.is_file() and out.stat().st_size > 0:
        return {**info, "cached": True}
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from cvmon.detectors.layouts import YoloxLayout

    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / "int8-work"
    work.mkdir(exist_ok=True)
    model = onnx.load(str(model_dir / FLOAT_MODEL))
    opset13 = version_converter.convert_version(model, 13)
    onnx.save(opset13, str(work / "opset13.onnx"))
    quant_pre_process(str(work / "opset13.onnx"), str(work / "pre.onnx"), skip_symbolic_shape=True)

    layout = YoloxLayout()
    tensors = [layout.preprocess(img, SIZE)[0] for img in calibration_images(frames)]
    input_name = opset13.graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter(tensors)

        def get_next(self) -> dict[str, np.ndarray] | None:
            t = next(self._it, None)
            return None if t is None else {input_name: t}

    tmp = out.with_suffix(".part.onnx")
    quantize_static(
        str(work / "pre.onnx"),
        str(tmp),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
    )
    tmp.replace(out)
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return {**info, "cached": False, "calibration_frames": len(tensors), "made_s": round(time.perf_counter() - t0, 1)}
