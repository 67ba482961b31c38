"""What a zone stands for and what happens in it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class ZoneKind(enum.StrEnum):
    """What a zone stands for in a customer-service office."""

    QUEUE = "queue"
    WAITING = "waiting"
    COUNTER_STAFF = "counter_staff"
    COUNTER_CUSTOMER = "counter_customer"
    POST = "post"
    ENTRANCE = "entrance"

    @property
    def measures_wait(self) -> bool:
        return self in (ZoneKind.QUEUE, ZoneKind.WAITING)

    @property
    def measures_staffing(self) -> bool:
        return self in (ZoneKind.COUNTER_STAFF, ZoneKind.POST)


class ZoneEventKind(enum.StrEnum):
    ENTERED = "entered"
    EXITED = "exited"
    STAFFED = "staffed"
    UNSTAFFED = "unstaffed"


@dataclass(frozen=True, slots=True)
class ZoneEvent:
    """Something that happened in a zone; ``duration_s`` is set for EXITED (the visit length)."""

    zone_id: str
    kind: ZoneEventKind
    ts: datetime
    duration_s: float | None = None
