"""Frames and the detections found in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame chosen for analysis.

    Attributes:
        camera_id: camera the frame comes from.
        ts: timezone-aware wall-clock time of the frame.
        index: index of the frame in its source (decoded frames, counted from 0).
        image: BGR uint8 image, height x width x 3. Never written to disk.
        video_s: seconds since the start of the source (container time for files).
    """

    camera_id: str
    ts: datetime
    index: int
    image: Image
    video_s: float = 0.0

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise ValueError("Frame.ts must be timezone-aware")

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class Detections:
    """Person detections of one frame as parallel arrays, in pixel coordinates.

    Attributes:
        xyxy: float32 array (N, 4) of boxes x1, y1, x2, y2.
        confidence: float32 array (N,).
        class_id: int64 array (N,).
        tracker_id: int64 array (N,) or None before tracking; -1 marks an unconfirmed track.
    """

    xyxy: FloatArray
    confidence: FloatArray
    class_id: IntArray
    tracker_id: IntArray | None = None

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        n = len(xyxy)
        conf = np.asarray(self.confidence, dtype=np.float32).reshape(-1)
        cls = np.asarray(self.class_id, dtype=np.int64).reshape(-1)
        if len(conf) != n or len(cls) != n:
            raise ValueError(f"Detections arrays differ in length: {n}, {len(conf)}, {len(cls)}")
        tid = None
        if self.tracker_id is not None:
            tid = np.asarray(self.tracker_id, dtype=np.int64).reshape(-1)
            if len(tid) != n:
                raise ValueError(f"Detections.tracker_id has length {len(tid)}, expected {n}")
        if n and not np.all(np.isfinite(xyxy)):
            raise ValueError("Detections.xyxy holds a non-finite value")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "class_id", cls)
        object.__setattr__(self, "tracker_id", tid)

    @classmethod
    def empty(cls) -> Detections:
        return cls(
            xyxy=np.zeros((0, 4), np.float32),
            confidence=np.zeros(0, np.float32),
            class_id=np.zeros(0, np.int64),
        )

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, mask: npt.NDArray[np.bool_] | npt.NDArray[np.int64]) -> Detections:
        """Select detections by a boolean mask or an index array."""
        return Detections(
            xyxy=self.xyxy[mask],
            confidence=self.confidence[mask],
            class_id=self.class_id[mask],
            tracker_id=None if self.tracker_id is None else self.tracker_id[mask],
        )

    def with_tracker_id(self, tracker_id: npt.ArrayLike) -> Detections:
        return Detections(self.xyxy, self.confidence, self.class_id, np.asarray(tracker_id))

    def bottom_centres(self) -> FloatArray:
        """Bottom-centre point of each box (where a standing person touches the floor)."""
        x = (self.xyxy[:, 0] + self.xyxy[:, 2]) / 2.0
        return np.stack([x, self.xyxy[:, 3]], axis=1).astype(np.float32)
