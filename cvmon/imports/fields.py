"""One field of an import row read as a value, or a ValueError naming the column and what it needs."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, time
from typing import Any

KEY = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
MAX_COUNT = 10_000_000  # answers of one unit and day: far above any real count, well inside a database integer
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _raw(fields: Mapping[str, Any], name: str) -> Any:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else value


def is_blank(fields: Mapping[str, Any], name: str) -> bool:
    value = _raw(fields, name)
    return value is None or value == ""


def text(fields: Mapping[str, Any], name: str, *, max_length: int = 64, required: bool = True) -> str:
    value = _raw(fields, name)
    if value is None or value == "":
        if required:
            raise ValueError(f"{name}: empty; it is needed")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name}: {value!r} is not text")
    if len(value) > max_length:
        raise ValueError(f"{name}: longer than {max_length} characters")
    if CONTROL.search(value):
        raise ValueError(f"{name}: holds control characters")
    return value


def key(fields: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    """An identifier: lower-case letters, digits, ``_ . -`` (upper case is lowered, spaces become ``_``)."""
    value = text(fields, name, required=required).lower().replace(" ", "_")
    if value and not KEY.fullmatch(value):
        raise ValueError(f"{name}: '{value}' is not an id (letters, digits, _ . -, at most 64)")
    return value


def number(fields: Mapping[str, Any], name: str, *, low: float | None = None, high: float | None = None) -> float:
    value = _raw(fields, name)
    if value is None or value == "":
        raise ValueError(f"{name}: empty; it is needed")
    try:
        out = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        raise ValueError(f"{name}: '{value}' is not a number") from None
    if not math.isfinite(out):
        raise ValueError(f"{name}: '{value}' is not a number")
    if (low is not None and out < low) or (high is not None and out > high):
        raise ValueError(f"{name}: {value} is outside {_range(low, high)}")
    return out


def count(fields: Mapping[str, Any], name: str) -> int:
    """A whole number of answers, 0 or more; empty is 0."""
    if is_blank(fields, name):
        return 0
    value = number(fields, name, low=0, high=MAX_COUNT)
    if not value.is_integer():
        raise ValueError(f"{name}: {_raw(fields, name)} is not a whole number")
    return int(value)


def day(fields: Mapping[str, Any], name: str) -> date:
    value = text(fields, name)
    try:
        return date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else date.fromisoformat("x")
    except ValueError:
        raise ValueError(f"{name}: '{value}' is not a date like 2026-11-23") from None


def clock_time(fields: Mapping[str, Any], name: str) -> time | None:
    """A local time ``HH:MM`` (seconds are dropped); empty is unknown."""
    value = text(fields, name, required=False)
    if not value:
        return None
    if not re.fullmatch(r"\d{1,2}[:.]\d{2}(:\d{2})?", value):
        raise ValueError(f"{name}: '{value}' is not a time like 09:30")
    hours, minutes = value.replace(".", ":").split(":")[:2]
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{name}: '{value}' is not a time like 09:30") from None


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g}-{high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"
