"""Checks and conditions on the times of stored rows, shared by the minute and event repositories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute


def aware_utc(value: datetime, what: str) -> datetime:
    """``value`` in UTC; ValueError when it is naive (``what`` names it in the message)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} must be timezone-aware")
    return value.astimezone(UTC)


def minute_utc(value: datetime, what: str) -> datetime:
    """``value`` in UTC; ValueError when it is naive or not truncated to the minute."""
    utc = aware_utc(value, what)
    if utc.second or utc.microsecond:
        raise ValueError(f"{what} {value.isoformat()} must be truncated to the minute")
    return utc


def spans(
    camera: InstrumentedAttribute[str], time: InstrumentedAttribute[datetime], keys: Iterable[tuple[str, datetime]]
) -> ColumnElement[bool]:
    """A condition matching, per camera, the times between the first and the last of ``keys``."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for camera_id, ts in keys:
        times[camera_id].append(ts)
    return or_(*(and_(camera == c, time >= min(ts), time <= max(ts)) for c, ts in times.items()))
