"""Who is looking at a page: the session of the API, with a redirect to the login page instead of a 401."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Form, Header, HTTPException, Request

from cvmon.api.deps import ClientAddr, ContextDep, Principal, authenticated
from cvmon.api.params import EARLIEST_DAY, LATEST_DAY
from cvmon.api.security import CSRF_HEADER
from cvmon.storage.users import Role


class LoginRequired(Exception):
    """No live session: the page sends the browser to the login page, then back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageDenied(Exception):
    """A page answers with an error page: ``key`` is a text of ``cvmon.i18n.messages`` or a message as it is."""

    def __init__(self, status_code: int, key: str, **values: str) -> None:
        super().__init__(key)
        self.status_code = status_code
        self.key = key
        self.values = values


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def safe_next(value: str | None) -> str:
    """Only a path on this site (no scheme, no host, no ``//``), else the dashboard."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def page_principal(request: Request, context: ContextDep, client_addr: ClientAddr) -> Principal:
    """The signed-in user of a page; without a live session, ``LoginRequired``."""
    try:
        return authenticated(request, context, client_addr)
    except HTTPException:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path) from None


PageUser = Annotated[Principal, Depends(page_principal)]


def page_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A page dependency letting only these roles through (an error page with 403 for the others)."""
    allowed = frozenset(roles)

    def check_page_role(principal: PageUser) -> Principal:
        if principal.user.role not in allowed:
            raise PageDenied(403, "error.403")
        return principal

    check_page_role.roles = allowed  # type: ignore[attr-defined]
    return check_page_role


def form_csrf_protected(
    principal: PageUser, context: ContextDep, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> Principal:
    """For state-changing forms: the ``csrf_token`` field must carry the session's CSRF token (403 page)."""
    if not context.tokens.same(principal.csrf_token, csrf_token):
        raise PageDenied(403, "error.csrf")
    return principal


FormCsrf = Depends(form_csrf_protected)


def json_csrf_protected(
    principal: PageUser,
    context: ContextDep,
    csrf_token: Annotated[str | None, Header(alias=CSRF_HEADER, max_length=200)] = None,
) -> Principal:
    """For a page's JSON calls: the X-CSRF-Token header must carry the session's CSRF token (403)."""
    if not context.tokens.same(principal.csrf_token, csrf_token):
        raise PageDenied(403, "error.csrf")
    return principal


JsonCsrf = Depends(json_csrf_protected)


def page_day(value: date, shown: str) -> date:
    """The day unchanged, or a 422 page when it lies outside the days a request may name."""
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise PageDenied(422, "date.out_of_range", value=shown[:40], first=str(EARLIEST_DAY), last=str(LATEST_DAY))
    return value


def reject_nul(*values: str | list[str] | None) -> None:
    """Form text with a NUL character gets a 422 page (PostgreSQL cannot store one)."""
    for value in values:
        parts = value if isinstance(value, list) else [value]
        if any(p is not None and "\x00" in p for p in parts):
            raise PageDenied(422, "the form may not contain NUL characters")
