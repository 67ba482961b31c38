"""What the alert rules report: which rule, and its alert opening, peaking or clearing."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Rule(enum.StrEnum):
    QUEUE_LONG = "queue_long"
    COUNTER_UNSTAFFED = "counter_unstaffed"
    POST_UNSTAFFED = "post_unstaffed"
    LONG_WAIT = "long_wait"
    OVER_CAPACITY = "over_capacity"
    CAMERA_OFFLINE = "camera_offline"
    ROOM_NOT_READY = "room_not_ready"
    ROOM_CHANGED = "room_changed"
    GREETING_RATE_LOW = "greeting_rate_low"
    ABANDONMENT_HIGH = "abandonment_high"
    DOOR_UNMET = "door_unmet"


class ChangeKind(enum.StrEnum):
    OPENED = "opened"
    PEAK = "peak"
    CLEARED = "cleared"


CAMERA_ZONE = ""  # zone id of camera-level alerts


@dataclass(frozen=True, slots=True)
class AlertChange:
    """A rule's alert opened, reached a new peak, or its condition cleared."""

    rule: Rule
    zone_id: str
    kind: ChangeKind
    ts: datetime
    value: float
    opened_at: datetime
