"""`cvmon process --samples`: one CSV row per analysed frame, for checking accuracy.

Per-frame counts are never stored in the database. The file is written under a temporary name
and moved in place only when the whole video was processed, so a failed run leaves no file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from types import TracebackType

from cvmon.errors import ConfigError
from cvmon.types import FrameResult


class SamplesCsv:
    """Context manager; call it with each FrameResult."""

    def __init__(self, path: Path, zone_ids: list[str]) -> None:
        self.path = path
        self.zone_ids = zone_ids
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.")
        except OSError as e:
            raise ConfigError(f"--samples: cannot write {path}: {e.strerror}") from None
        self._tmp = Path(tmp)
        self._file = os.fdopen(fd, "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(["frame_index", "video_s", *zone_ids, "people"])

    def __enter__(self) -> SamplesCsv:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._file.close()
        if exc is None:
            self._tmp.replace(self.path)
        else:
            self._tmp.unlink(missing_ok=True)

    def __call__(self, result: FrameResult) -> None:
        counts = (result.counts[z] for z in self.zone_ids)
        self._writer.writerow([result.frame_index, f"{result.video_s:.3f}", *counts, len(result.detections)])
