"""The Jinja2 templates of the report and evidence-pack documents, and the filters every template of
cvmon uses (the viewer's pages load these templates and filters too)."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from functools import lru_cache

from jinja2 import BaseLoader, Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from cvmon.i18n.dates import format_clock, format_day, format_moment, format_period, picker_words

DOCUMENT_TEMPLATES = PackageLoader("cvmon.reports", "templates")


def new_environment(loader: BaseLoader) -> Environment:
    """An environment on ``loader`` with cvmon's filters and its strict, autoescaped settings."""
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = percent
    env.filters["num"] = number
    env.filters["dur"] = duration
    env.filters["day"] = _day_filter
    env.filters["clock"] = _clock_filter
    env.filters["moment"] = _moment_filter
    env.filters["period"] = _period_filter
    env.globals["picker_words"] = picker_words
    return env


@lru_cache(maxsize=1)
def document_environment() -> Environment:
    """The environment of the report and pack documents alone."""
    return new_environment(DOCUMENT_TEMPLATES)


# Date filters: the template's ``lang`` picks the language (cvmon.i18n.dates holds the one format).
@pass_context
def _day_filter(context: Context, value: date | None) -> str:
    """``{{ d|day }}``: ``2 Des 2026``."""
    return format_day(value, context["lang"])


@pass_context
def _clock_filter(context: Context, value: time | datetime | None, seconds: bool = False) -> str:
    """``{{ t|clock }}``: ``10.25`` (24-hour)."""
    return format_clock(value, context["lang"], seconds=seconds)


@pass_context
def _moment_filter(
    context: Context,
    value: datetime | None,
    tz: tzinfo | str | None = None,
    with_date: bool = True,
    seconds: bool = False,
) -> str:
    """``{{ ts|moment(tz) }}``: ``2 Des 2026 10.25 WITA`` in the unit's zone."""
    return format_moment(value, context["lang"], tz, with_date=with_date, seconds=seconds)


@pass_context
def _period_filter(context: Context, first: date, last: date) -> str:
    """``{{ first|period(last) }}``: ``1 Des 2026 – 31 Des 2026``."""
    return format_period(first, last, context["lang"])


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"


HOURS_UNIT = {"id": "jam", "en": "h"}  # "h" reads as "hari" (day) in Indonesian


@pass_context
def duration(context: Context, seconds: float | None) -> str:
    """``45 s``, ``18.5 min`` or ``2.3 h`` (``2.3 jam`` in Indonesian); ``–`` for none."""
    if seconds is None:
        return "–"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} {HOURS_UNIT.get(context.get('lang', 'en'), 'h')}"
