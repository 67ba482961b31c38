"""Rendering pages: the Jinja2 environment (the pages and the documents they show) and the language of a request."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader

from cvmon.api.context import ApiContext
from cvmon.api.deps import Principal
from cvmon.api.permissions import capabilities
from cvmon.i18n.messages import LANGUAGE_COOKIE, Language, pick_language, translator
from cvmon.reports.templating import DOCUMENT_TEMPLATES, new_environment

# Pages that show the same for everyone may be cached by the browser; none of these do.
NO_STORE = {"Cache-Control": "no-store"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The pages' templates, then the report and pack documents they show (``cvmon.reports``)."""
    return new_environment(ChoiceLoader([PackageLoader("cvmon.web", "templates"), DOCUMENT_TEMPLATES]))


def language_of(request: Request) -> Language:
    context: ApiContext = request.app.state.cvmon
    return pick_language(request.cookies.get(LANGUAGE_COOKIE), context.settings.default_language)


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
