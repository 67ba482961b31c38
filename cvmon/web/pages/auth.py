"""Sign-in and sign-out pages and the language switch."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cvmon.api.deps import ClientAddr, ContextDep, authenticated
from cvmon.api.routers.auth import check_origin, clear_session_cookie, set_session_cookie, sign_in, sign_out
from cvmon.api.schemas import LoginIn
from cvmon.i18n.messages import LANGUAGE_COOKIE, LANGUAGES, translate
from cvmon.web.render import language_of, render
from cvmon.web.session import FormCsrf, PageUser, safe_next

router = APIRouter(include_in_schema=False)

ONE_YEAR_S = 365 * 24 * 3600


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, context: ContextDep, client_addr: ClientAddr, next: str | None = None, out: int = 0
) -> Response:
    """The sign-in form (open to everyone); a signed-in user goes straight on."""
    try:
        authenticated(request, context, client_addr)
        return RedirectResponse(safe_next(next), status_code=303)
    except HTTPException:
        pass
    info = translate(language_of(request), "login.signed_out") if out else None
    return render(request, "login.html", None, next_path=safe_next(next), error=None, info=info, username="")


@router.post("/login", response_class=HTMLResponse)
async def login_submit(
    request: Request,
    context: ContextDep,
    client_addr: ClientAddr,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the form like POST /api/login (throttled, audited), set the session cookie, go on to ``next``."""
    check_origin(request)
    language = language_of(request)
    next_path = safe_next(next)

    def again(status_code: int, key: str, **values: str | int) -> Response:
        error = translate(language, key, **values)
        return render(
            request, "login.html", None, status_code, next_path=next_path, error=error, info=None, username=username
        )

    try:
        credentials = LoginIn(username=username, password=password)
    except ValidationError:
        return again(422, "login.missing")
    try:
        token, _principal = await run_in_threadpool(sign_in, context, credentials, client_addr)
    except HTTPException as err:
        if err.status_code == 429:
            wait_s = int((err.headers or {}).get("Retry-After", "60"))
            return again(429, "login.locked", minutes=max(1, math.ceil(wait_s / 60)))
        return again(err.status_code, "login.wrong")
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, context, token)
    return response


@router.post("/logout", dependencies=[FormCsrf])
def logout_submit(principal: PageUser, context: ContextDep) -> Response:
    """End the session (CSRF token of the form required) and show the sign-in page."""
    sign_out(context, principal)
    response = RedirectResponse("/login?out=1", status_code=303)
    clear_session_cookie(response, context)
    return response


@router.get("/lang/{language}")
def switch_language(language: str, next: str | None = None) -> Response:
    """Remember the viewer's language in a cookie and go back (open to everyone)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR_S, path="/", samesite="lax", httponly=True)
    return response
