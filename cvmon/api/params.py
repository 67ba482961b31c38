"""Bounds of the routes' parameters: ids that fit a database INTEGER, times the database and date
arithmetic can hold, and URLs without NUL characters (PostgreSQL cannot compare text holding one)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import HTTPException, Request, status

# The largest value of an INTEGER column on PostgreSQL (SQLite's go further): the largest id, the
# largest offset into a list of rows.
MAX_ID = 2**31 - 1
# The times a request may name; outside them Python's date arithmetic or the UTC conversion overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


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


def no_nul_in_url(request: Request) -> None:
    """422 for a NUL character in a path parameter or in the query string."""
    values = [*request.path_params.values(), *(part for item in request.query_params.multi_items() for part in item)]
    if any("\x00" in str(v) for v in values):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the URL may not contain NUL characters")
