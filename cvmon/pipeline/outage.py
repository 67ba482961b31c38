"""Offline bookkeeping: an ongoing outage of a camera and how much of it is in the minute rows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Outage:
    """The camera is silent since ``since``; its offline seconds are counted up to ``counted_to``."""

    since: datetime
    counted_to: datetime

    @classmethod
    def starting(cls, since: datetime) -> Outage:
        return cls(since, since)

    def count_until(self, until: datetime) -> tuple[Outage, tuple[datetime, datetime] | None]:
        """The outage counted up to ``until``, and the stretch of it not counted before (None: none)."""
        if until <= self.counted_to:
            return self, None
        return replace(self, counted_to=until), (self.counted_to, until)
