"""The ``replay`` backend: detections read from a fixture file instead of a model.

Zone, visit and staffing logic is tested exactly with it. A fixture (YAML or JSON) holds boxes in
relative 0..1 coordinates, either scripted people moving along a path or explicit boxes per time::

    people:
      - path: [[0, 0.10, 0.90], [10, 0.50, 0.90], [70, 0.50, 0.90]]  # [t_s, foot_x, foot_y]
        size: [0.08, 0.40]                                          # box width, height
        hidden: [[30, 31]]                                          # detector misses them here
        confidence: 0.9
    frames:
      - {t: 5.0, boxes: [[0.1, 0.2, 0.2, 0.6, 0.8]]}                # x1, y1, x2, y2, score

A person's box exists from the first to the last time of its path, positions interpolated
linearly. Explicit frames apply to the analysed frame whose video time is nearest (within 1 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from cvmon.config.models import DetectorConfig
from cvmon.errors import ModelError
from cvmon.types import Detections, Frame


@dataclass(frozen=True, slots=True)
class ScriptedPerson:
    path: np.ndarray  # (K, 3): t, foot_x, foot_y
    size: tuple[float, float]
    hidden: tuple[tuple[float, float], ...]
    confidence: float

    def box_at(self, t: float) -> tuple[float, float, float, float] | None:
        times = self.path[:, 0]
        if t < times[0] - 1e-9 or t > times[-1] + 1e-9:
            return None
        if any(a <= t < b for a, b in self.hidden):
            return None
        x = float(np.interp(t, times, self.path[:, 1]))
        y = float(np.interp(t, times, self.path[:, 2]))
        w, h = self.size
        return (x - w / 2, y - h, x + w / 2, y)


class ReplayScript:
    """Boxes over time, parsed from a fixture."""

    def __init__(self, people: list[ScriptedPerson], frames: dict[float, list[list[float]]]) -> None:
        self.people = people
        self.frames = frames
        self._frame_times = np.array(sorted(frames), dtype=np.float64)

    @classmethod
    def load(cls, path: Path) -> ReplayScript:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            people = [
                ScriptedPerson(
                    path=np.asarray(p["path"], dtype=np.float64).reshape(-1, 3),
                    size=(float(p.get("size", [0.08, 0.3])[0]), float(p.get("size", [0.08, 0.3])[1])),
                    hidden=tuple((float(a), float(b)) for a, b in p.get("hidden", [])),
                    confidence=float(p.get("confidence", 0.9)),
                )
                for p in data.get("people", [])
            ]
            frames = {float(f["t"]): [list(map(float, b)) for b in f.get("boxes", [])] for f in data.get("frames", [])}
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as err:
            raise ModelError(f"{path}: not a readable replay fixture ({err})") from None
        for person in people:
            if len(person.path) == 0 or np.any(np.diff(person.path[:, 0]) < 0):
                raise ModelError(f"{path}: a person's path needs increasing times")
        return cls(people, frames)

    def boxes_at(self, t: float) -> list[list[float]]:
        """Relative boxes [x1, y1, x2, y2, score] at video time t."""
        out = []
        for person in self.people:
            box = person.box_at(t)
            if box is not None:
                out.append([*box, person.confidence])
        if len(self._frame_times):
            i = int(np.argmin(np.abs(self._frame_times - t)))
            if abs(self._frame_times[i] - t) < 1e-3:
                out.extend(self.frames[float(self._frame_times[i])])
        return out


class ReplayDetector:
    """Detector that returns the fixture's boxes for each frame's video time (stateless, thread-safe)."""

    thread_safe = True
    reads_pixels = False  # its boxes come from the script, not the frame: motion gating cannot apply

    def __init__(self, config: DetectorConfig, model_dir: Path) -> None:
        path = Path(config.model).expanduser()
        if not path.is_file():
            raise ModelError(f"{path}: replay fixture not found")
        self.name = f"replay:{path.name}"
        self.script = ReplayScript.load(path)
        self.confidence = config.confidence

    def detect(self, frame: Frame) -> Detections:
        boxes = self.script.boxes_at(frame.video_s)
        if not boxes:
            return Detections.empty()
        arr = np.asarray(boxes, dtype=np.float32)
        arr = arr[arr[:, 4] >= self.confidence]
        scale = np.array([frame.width, frame.height, frame.width, frame.height], np.float32)
        return Detections(xyxy=arr[:, :4] * scale, confidence=arr[:, 4], class_id=np.zeros(len(arr), np.int64))
