"""The identities of minute writes: what part of a minute a write holds (``MinuteRepository.write_minutes``).

Writing a part again under the same source replaces it; a part of another source is added. So:

- a recording is one part, ``recording:<camera>:<start>:<hash of the file name>`` (``process_recording``
  writes it once): processing the same recording again replaces its parts exactly;
- every batch a live run writes is a part of its own, ``live:<camera>:<run id>:<batch number>``, the run
  id new for every worker: a late row of a minute already written (the watermark missed it, a worker
  stopped mid-minute and the next one wrote the rest) is added, never replacing what is stored;
- a spooled batch keeps the source it was first sent with, so its replay replaces itself whether or not
  the first try committed.

The file name is hashed, so no path (which may name a customer or a share) reaches the database.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HASH_CHARS = 12


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]


def recording_source(camera_id: str, start: datetime, path: str | Path) -> str:
    """The source of a recording's rows: its camera, its start (UTC) and a hash of its file name."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"the start {start.isoformat()} of a recording must be timezone-aware")
    return f"recording:{camera_id}:{start.astimezone(UTC).isoformat()}:{_short_hash(Path(path).name)}"


def new_run_id() -> str:
    """A live run's id, new for every worker."""
    return uuid.uuid4().hex


def live_source(camera_id: str, run_id: str, batch: int) -> str:
    """The source of a live run's ``batch``-th write of minute rows."""
    return f"live:{camera_id}:{run_id}:{batch}"


class LiveSources:
    """The sources of one live run's batches, numbered from 0 in the order they are written."""

    def __init__(self, camera_id: str, run_id: str | None = None) -> None:
        self.camera_id = camera_id
        self.run_id = run_id or new_run_id()
        self.batches = 0

    def next(self) -> str:
        """The source of the next batch."""
        source = live_source(self.camera_id, self.run_id, self.batches)
        self.batches += 1
        return source


def spooled_source(camera_id: str, payload: dict[str, Any]) -> str:
    """The source of a spooled batch that was spooled without one (before write identity): a hash of its
    rows and coverage, the same on every replay of the entry."""
    content = json.dumps({"rows": payload["rows"], "cameras": payload["cameras"]}, sort_keys=True)
    return f"spooled:{camera_id}:{_short_hash(content)}"
