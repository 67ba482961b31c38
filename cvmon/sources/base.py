"""What every video source yields: analysed Frames, and online/offline SourceEvents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from cvmon.types import Frame, SourceEvent

SourceItem = Frame | SourceEvent


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What is known about a stream once it is open."""

    width: int
    height: int
    fps: float | None
    codec: str
    frame_count: int | None = None
    duration_s: float | None = None


class VideoSource(Protocol):
    """A camera stream or a recorded file, sampled at the analysis frame rate.

    Iterating yields Frames (only those chosen for analysis are converted to images) and, for live
    sources, SourceEvents when the camera goes offline or comes back. ``close()`` ends the
    iteration from another thread too.
    """

    camera_id: str

    def __iter__(self) -> Iterator[SourceItem]: ...

    def close(self) -> None: ...


class FrameSampler:
    """Chooses frames for analysis at ``fps`` from a stream of frame times (seconds).

    The first frame is always taken; after that a frame is taken when its time reaches the next
    slot, so a 25 fps stream sampled at 5 fps keeps every fifth frame, and a stream slower than
    ``fps`` keeps every frame.
    """

    def __init__(self, fps: float) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.interval = 1.0 / fps
        self._next: float | None = None

    def take(self, t: float) -> bool:
        if self._next is None:
            self._next = t + self.interval
            return True
        # Half a millisecond of slack absorbs container time-base rounding.
        if t + 5e-4 >= self._next:
            # Skip whole slots the stream jumped over, keep the phase otherwise.
            missed = int((t + 5e-4 - self._next) // self.interval)
            self._next += (missed + 1) * self.interval
            return True
        return False

    def reset(self) -> None:
        self._next = None
