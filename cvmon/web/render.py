"""Rendering pages: the Jinja2 environment, the language of a request, times in a unit's zone."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from cvmon.api.context import ApiContext
from cvmon.api.deps import Principal
from cvmon.api.permissions import capabilities
from cvmon.i18n_dates import format_clock, format_day, format_moment, format_period, picker_words
from cvmon.web.i18n import LANGUAGE_COOKIE, Language, pick_language, translator

# Pages that show the same for everyone may be cached by the browser; none of these do.
NO_STORE = {"Cache-Control": "no-store"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cvmon.web", "templates"),
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


# Date filters: the template's ``lang`` picks the language (cvmon.i18n_dates holds the one format).
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


def language_of(request: Request) -> Language:
    context: ApiContext = request.app.state.cvmon
    return pick_language(request.cookies.get(LANGUAGE_COOKIE), context.settings.default_language)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"


def duration(seconds: float | None) -> str:
    """``45 s``, ``18.5 min`` or ``2.3 h``; ``–`` for none."""
    if seconds is None:
        return "–"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A page of the viewer with the frame's values (user, language, translator, CSRF token) filled in."""
    language = language_of(request)
    page = (
        environment()
        .get_template(template)
        .render(
            request_path=request.url.path,
            request_query=str(request.url.query),
            lang=language,
            t=translator(language),
            user=principal.user if principal else None,
            can=capabilities(principal.user.role) if principal else {},
            csrf_token=principal.csrf_token if principal else "",
            **values,
        )
    )
    return HTMLResponse(page, status_code=status_code, headers=NO_STORE)
