"""Dates and times as people read them: one format, both languages, 24-hour, CLDR month names."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from cvmon.i18n.dates import (
    clock_separator,
    format_clock,
    format_day,
    format_moment,
    format_period,
    month_names,
    picker_words,
    weekday_names,
)

WITA = ZoneInfo("Asia/Makassar")


@pytest.mark.parametrize(
    ("day", "language", "shown"),
    [
        (date(2026, 12, 2), "id", "2 Des 2026"),
        (date(2026, 12, 2), "en", "2 Dec 2026"),
        (date(2026, 8, 17), "id", "17 Agu 2026"),
        (date(2026, 8, 17), "en", "17 Aug 2026"),
        (date(2026, 5, 1), "id", "1 Mei 2026"),
        (date(2026, 10, 31), "id", "31 Okt 2026"),
        (None, "en", "–"),
    ],
)
def test_a_day_is_day_month_name_year(day: date | None, language: str, shown: str) -> None:
    assert format_day(day, language) == shown  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "language", "seconds", "shown"),
    [
        (time(10, 25), "id", False, "10.25"),
        (time(10, 25), "en", False, "10:25"),
        (time(22, 5), "id", False, "22.05"),  # 24-hour, no AM/PM
        (time(22, 5), "en", False, "22:05"),
        (time(0, 0), "en", False, "00:00"),
        (time(9, 1, 7), "id", True, "09.01.07"),
        (time(9, 1, 7), "en", True, "09:01:07"),
    ],
)
def test_a_time_of_day_is_24_hour_in_the_languages_own_way(
    value: time, language: str, seconds: bool, shown: str
) -> None:
    assert format_clock(value, language, seconds=seconds) == shown  # type: ignore[arg-type]


def test_a_moment_is_shown_in_the_units_zone_with_its_abbreviation() -> None:
    moment = datetime(2026, 12, 2, 2, 25, tzinfo=UTC)  # 10:25 WITA
    assert format_moment(moment, "id", WITA) == "2 Des 2026 10.25 WITA"
    assert format_moment(moment, "en", "Asia/Makassar") == "2 Dec 2026 10:25 WITA"
    assert format_moment(moment, "en", WITA, with_date=False) == "10:25 WITA"
    assert format_moment(moment, "id", "UTC", seconds=True) == "2 Des 2026 02.25.00 UTC"
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already the next day and year in WITA
    assert format_moment(late, "en", WITA) == "1 Jan 2027 07:30 WITA"
    assert format_moment(None, "id", WITA) == "–"


def test_a_period_joins_two_days_or_shows_one() -> None:
    assert format_period(date(2026, 12, 1), date(2026, 12, 31), "id") == "1 Des 2026 – 31 Des 2026"
    assert format_period(date(2026, 12, 1), date(2026, 12, 1), "en") == "1 Dec 2026"


def test_month_and_weekday_names_come_in_both_languages() -> None:
    assert month_names("id") == ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    assert month_names("en", "wide")[11] == "December" and month_names("id", "wide")[7] == "Agustus"
    assert weekday_names("id", "wide")[0] == "Minggu" and weekday_names("en")[1] == "Mon"  # Sunday first


def test_the_pickers_get_the_same_words_and_separator() -> None:
    assert clock_separator("id") == "." and clock_separator("en") == ":"
    words = picker_words("id")
    assert words["timeFormat"] == "H.i" and words["dayExample"] == "2 Des 2026" and words["timeExample"] == "10.25"
    locale = words["locale"]
    assert isinstance(locale, dict) and locale["months"]["shorthand"] == month_names("id")
    assert locale["time_24hr"] is True
    assert picker_words("en")["timeFormat"] == "H:i"
