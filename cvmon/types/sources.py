"""A camera going online or offline."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class SourceEventKind(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class SourceEvent:
    """An online/offline transition of a camera; ``reason`` says why it went offline."""

    camera_id: str
    kind: SourceEventKind
    ts: datetime
    reason: str = ""
