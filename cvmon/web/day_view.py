"""The unit and local day a page shows (room readiness, greetings, flow): the choice, its time zone, the
day asked for (today by default) and its bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cvmon.web import data
from cvmon.web.session import PageDenied, page_day


@dataclass(frozen=True, slots=True)
class DayView:
    """A unit's local day: ``start`` to ``end`` in the unit's time zone."""

    choice: data.UnitChoice
    timezone: str
    day: date

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, time(), tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    def page_values(self) -> dict[str, Any]:
        """What the day's filter bar (``_day_filters.html``) shows."""
        return {
            "choice": self.choice,
            "day": self.day,
            "prev_day": self.day - timedelta(days=1),
            "next_day": self.day + timedelta(days=1),
            "timezone": self.timezone,
        }


def day_view(
    session: Session, scope: list[str] | tuple[str, ...], unit: str | None, day: str, now: datetime
) -> DayView:
    """The unit (404 page when not the caller's) and the day (422 page when not a valid one) a page asks for."""
    choice = data.choose_unit(session, scope, unit)
    if choice is None:
        raise PageDenied(404, "error.404")
    timezone = data.filter_timezone(choice)
    if not day:
        return DayView(choice, timezone, now.astimezone(ZoneInfo(timezone)).date())
    try:
        return DayView(choice, timezone, page_day(date.fromisoformat(day), day))
    except ValueError:
        raise PageDenied(422, "cam.bad_day", day=day[:40]) from None
