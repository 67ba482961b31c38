"""What the list pages (alerts, evidence, audit log) share: their filters read from the query string,
days turned into a time range, and the pager under each list."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from cvmon.read.lists import Page
from cvmon.web.session import PageDenied, page_day

PAGE_SIZE = 50
LAST_PAGE = 100_000
E = TypeVar("E", bound=enum.Enum)


def choice_of(kind: type[E], value: str, name: str) -> E | None:
    """The enum member named by a filter's value ('' for none); a 422 page for an unknown one."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise PageDenied(422, "list.bad_choice", name=name, value=value[:40]) from None


def day_of(value: str, name: str) -> date | None:
    """A day of a filter (YYYY-MM-DD, '' for none); a 422 page for anything else."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PageDenied(422, "list.bad_day", name=name, value=value[:40]) from None
    return page_day(day, value)


def day_range(
    first: str, last: str, timezone: str, names: tuple[str, str] = ("from", "to")
) -> tuple[datetime | None, datetime | None]:
    """The days ``first`` .. ``last`` (both included, either may be '') in ``timezone`` as ``[since, until)``."""
    zone = ZoneInfo(timezone)
    start, end = day_of(first, names[0]), day_of(last, names[1])
    if start is not None and end is not None and end < start:
        raise PageDenied(422, "list.bad_range")
    since = datetime.combine(start, time(), tzinfo=zone) if start else None
    until = datetime.combine(end + timedelta(days=1), time(), tzinfo=zone) if end else None
    return since, until


def offset_of(page: int) -> int:
    """The first row of a 1-based page number."""
    return (min(max(page, 1), LAST_PAGE) - 1) * PAGE_SIZE


@dataclass(frozen=True, slots=True)
class Pager:
    """Which rows of how many a page shows, and the links to its neighbours (None at either end)."""

    first: int
    last: int
    total: int
    newer: str | None
    older: str | None


def pager(page: Page[Any], number: int, filters: dict[str, str]) -> Pager:
    """The pager of ``page``, its links keeping the ``filters`` that are set."""
    kept = {k: v for k, v in filters.items() if v}

    def link(to: int) -> str:
        return "?" + urlencode({**kept, "page": str(to)})

    return Pager(
        first=page.offset + 1 if page.items else 0,
        last=page.offset + len(page.items),
        total=page.total,
        newer=link(number - 1) if number > 1 else None,
        older=link(number + 1) if page.more else None,
    )
