"""A video file played at its real frame rate, as a camera would send it (for the capacity trials).

Each packet is handed to the decoder no earlier than its presentation time after the start, so
the file behaves like a live stream: a camera whose analysis falls behind sees its lag grow.
The file loops when it ends. Frames are sampled and converted as cvmon's FileSource does, and
decoded with the same thread settings as ``FileSource(..., decode_threads=)``: 0 lets FFmpeg choose
(frame threads, what one camera per process uses), 1 decodes on the reading thread only (what the
cameras of a shared worker process use). The pacing has to sit between the packets, so this class
reads the file itself instead of wrapping FileSource, whose thread settings it copies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import av
import numpy as np

from cvmon.sources.base import FrameSampler, SourceItem
from cvmon.types import Frame


class PacedFileSource:
    def __init__(
        self, camera_id: str, path: Path, fps: float, start: datetime, loop: bool = True, decode_threads: int = 0
    ) -> None:
        self.camera_id = camera_id
        self.decode_threads = decode_threads
        self.path = path
        self.fps = fps
        self.start = start
        self.loop = loop
        self.t0: float | None = None  # time.monotonic() of the first packet's due time
        self.decoded = 0
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[SourceItem]:
        sampler = FrameSampler(self.fps)
        offset = 0.0
        self.t0 = time.monotonic()
        while not self._closed.is_set():
            last = 0.0
            with av.open(str(self.path)) as container:
                stream = container.streams.video[0]
                if self.decode_threads == 1:  # as cvmon.sources.file.FileSource
                    stream.codec_context.thread_count = 1
                else:
                    stream.thread_type = "AUTO"
                    stream.codec_context.thread_count = self.decode_threads
                tb = float(stream.time_base or 0)
                step = 1.0 / float(stream.average_rate or 25)
                first: float | None = None
                for packet in container.demux(stream):
                    if self._closed.is_set():
                        return
                    if packet.pts is not None:
                        pts = packet.pts * tb
                        first = pts if first is None else first
                        wait = self.t0 + offset + (pts - first) - time.monotonic()
                        if wait > 0:
                            time.sleep(wait)
                    for frame in packet.decode():
                        video_s = offset + (float(frame.time or 0.0) - (first or 0.0))
                        last = max(last, video_s)
                        index = self.decoded
                        self.decoded += 1
                        if not sampler.take(video_s):
                            continue
                        image = np.ascontiguousarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
                        yield Frame(self.camera_id, self.start + timedelta(seconds=video_s), index, image, video_s)
            if not self.loop:
                return
            offset = last + step

    def close(self) -> None:
        self._closed.set()
