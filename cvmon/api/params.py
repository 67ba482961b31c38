"""Bounds of the routes' parameters: ids that fit a database INTEGER, times the database and date
arithmetic can hold, and URLs without NUL characters (PostgreSQL cannot compare text holding one)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import HTTPException, Request, status

# The largest value of an INTEGER column on PostgreSQL (SQLite's go further): the largest id, the
# largest offset into a list of rows.
MAX_ID = 2**31 - 1
# The times a request may name; outside them Python's date arithmetic or the UTC conversion overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
# The days a request may name (a local day, a UTC day): a day's end, the period before it and its
# conversion to UTC all stay within what Python and both databases hold.
EARLIEST_DAY = date(1970, 1, 2)
LATEST_DAY = date(9998, 12, 30)


def checked_time(value: datetime | None, name: str) -> datetime | None:
    """The timezone-aware ``value`` unchanged (None stays None); 422 when it is naive or out of range."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"'{name}' needs a UTC offset, e.g. +08:00 or Z")
    try:
        in_range = EARLIEST <= value.astimezone(UTC) < LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"'{name}' must lie from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d} (UTC)",
        )
    return value


def day_out_of_range(name: str) -> str:
    """The message of a 422 for a day outside ``EARLIEST_DAY`` .. ``LATEST_DAY``."""
    return f"'{name}' must be a day from {EARLIEST_DAY} to {LATEST_DAY}"


def checked_day(value: date | None, name: str) -> date | None:
    """The day unchanged (None stays None); 422 when it lies outside ``EARLIEST_DAY`` .. ``LATEST_DAY``."""
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, day_out_of_range(name))
    return value


def parse_day(text: str, name: str) -> date:
    """An ISO day (YYYY-MM-DD) within range; 422 naming the parameter when it is not one or out of range."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"'{name}' is not a day (YYYY-MM-DD): {text[:40]}"
        ) from None
    checked_day(value, name)
    return value


def no_nul_in_url(request: Request) -> None:
    """422 for a NUL character in a path parameter or in the query string."""
    values = [*request.path_params.values(), *(part for item in request.query_params.multi_items() for part in item)]
    if any("\x00" in str(v) for v in values):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the URL may not contain NUL characters")
