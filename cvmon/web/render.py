"""Rendering pages: the Jinja2 environment, the language of a request, times in a unit's zone."""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cvmon.api.context import ApiContext
from cvmon.api.deps import Principal
from cvmon.api.permissions import capabilities
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
    return env


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


def local_time(value: datetime | None, tz: tzinfo | str | None, with_date: bool = True) -> str:
    """A time in the unit's zone with its abbreviation (``23-11-2026 09:01 WITA``); ``–`` for none."""
    if value is None:
        return "–"
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    shown = value.astimezone(zone) if zone is not None else value
    text = shown.strftime("%d-%m-%Y %H:%M" if with_date else "%H:%M")
    return f"{text} {shown.tzname() or ''}".strip()


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
            local_time=local_time,
            **values,
        )
    )
    return HTMLResponse(page, status_code=status_code, headers=NO_STORE)
