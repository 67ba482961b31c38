"""Dates and times as people read them, in Bahasa Indonesia or English, one way everywhere.

Pages, PDF reports, CSV header lines and (later) the command line use these functions; machine-readable
places (API JSON, CSV values, form values) keep ISO 8601. The words come from Babel's CLDR data:

- a day is ``2 Des 2026`` (Indonesian) or ``2 Dec 2026`` (English), day first, abbreviated month;
- a time of day is 24-hour in the language's own way: ``10.25`` (Indonesian) or ``10:25`` (English);
- a moment is both, followed by its zone's abbreviation: ``2 Des 2026 10.25 WITA``.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_day_names, get_month_names

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
NONE_SHOWN = "–"
# A day: day of month, abbreviated month name, year (CLDR pattern letters).
DAY_PATTERN = "d MMM y"
# A time of day, 24-hour: CLDR skeletons, so each language keeps its own separator.
CLOCK_SKELETON = "Hm"
CLOCK_SECONDS_SKELETON = "Hms"


def format_day(value: date | None, language: Language) -> str:
    """``2 Des 2026`` / ``2 Dec 2026``; ``–`` for none."""
    if value is None:
        return NONE_SHOWN
    return format_date(value, DAY_PATTERN, locale=language)


def format_clock(value: time | datetime | None, language: Language, *, seconds: bool = False) -> str:
    """``10.25`` / ``10:25`` (24-hour, ``seconds`` adds them); ``–`` for none."""
    if value is None:
        return NONE_SHOWN
    moment = value if isinstance(value, datetime) else datetime.combine(date(2000, 1, 1), value)
    return format_skeleton(CLOCK_SECONDS_SKELETON if seconds else CLOCK_SKELETON, moment, locale=language)


def format_moment(
    value: datetime | None,
    language: Language,
    tz: tzinfo | str | None = None,
    *,
    with_date: bool = True,
    seconds: bool = False,
) -> str:
    """A moment in ``tz`` (its own zone when none) with the zone's abbreviation: ``2 Des 2026 10.25 WITA``."""
    if value is None:
        return NONE_SHOWN
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    shown = value.astimezone(zone) if zone is not None else value
    clock = format_clock(shown, language, seconds=seconds)
    text = f"{format_day(shown.date(), language)} {clock}" if with_date else clock
    return f"{text} {shown.tzname() or ''}".strip()


def format_period(first: date, last: date, language: Language) -> str:
    """Two days joined by an en dash: ``1 Des 2026 – 31 Des 2026``; one day when they are the same."""
    if first == last:
        return format_day(first, language)
    return f"{format_day(first, language)} – {format_day(last, language)}"


def month_names(language: Language, width: Literal["abbreviated", "wide"] = "abbreviated") -> list[str]:
    """The twelve month names, January first."""
    names = get_month_names(width, locale=language)
    return [names[m] for m in range(1, 13)]


def weekday_names(language: Language, width: Literal["abbreviated", "wide"] = "abbreviated") -> list[str]:
    """The seven weekday names, Sunday first (the order date pickers expect)."""
    names = get_day_names(width, locale=language)  # Babel: 0 is Monday
    return [names[(d + 6) % 7] for d in range(7)]


def clock_separator(language: Language) -> str:
    """What stands between hours and minutes: ``.`` in Indonesian, ``:`` in English."""
    return format_clock(time(10, 25), language)[2]


def picker_words(language: Language) -> dict[str, object]:
    """What the viewer's date and time pickers (flatpickr) need to show ``format_day`` and ``format_clock``:
    the month and weekday names from the same CLDR data, and display formats in flatpickr's tokens."""
    return {
        "locale": {
            "weekdays": {"shorthand": weekday_names(language), "longhand": weekday_names(language, "wide")},
            "months": {"shorthand": month_names(language), "longhand": month_names(language, "wide")},
            "firstDayOfWeek": 1,
            "time_24hr": True,
        },
        "dayExample": format_day(date(2026, 12, 2), language),
        "timeExample": format_clock(time(10, 25), language),
        "dayFormat": "j M Y",  # flatpickr for DAY_PATTERN "d MMM y"
        "timeFormat": f"H{clock_separator(language)}i",  # flatpickr for CLOCK_SKELETON "Hm"
    }
