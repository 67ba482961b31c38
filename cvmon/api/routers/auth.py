"""Sign in and out, and who the caller is: sessions in HttpOnly cookies, CSRF tokens, throttled logins."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from cvmon.api.context import ApiContext
from cvmon.api.deps import ClientAddr, ContextDep, CsrfChecked, CurrentUser, Principal
from cvmon.api.permissions import capabilities
from cvmon.api.schemas import LoginIn, Me
from cvmon.storage.audit import AuditAction, AuditActor
from cvmon.storage.users import AuthOutcome, normalise_username

router = APIRouter(prefix="/api", tags=["auth"])

_LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginIn.model_json_schema()},
            "application/x-www-form-urlencoded": {"schema": LoginIn.model_json_schema()},
        },
    }
}


def _me(principal: Principal) -> Me:
    user = principal.user
    return Me(
        username=user.username,
        role=user.role,
        units=list(user.units),
        scope=list(principal.scope),
        capabilities=capabilities(user.role),
        csrf_token=principal.csrf_token,
        expires_at=principal.expires_at,
    )


def check_origin(request: Request) -> None:
    """A browser that sends Origin must send this server's own (no login from another site's form)."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    if urlsplit(origin).netloc.lower() != request.url.netloc.lower():
        raise HTTPException(status.HTTP_403_FORBIDDEN, "login from another origin refused")


async def _credentials(request: Request) -> LoginIn:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            data: Any = {key: form.get(key) for key in ("username", "password")}
        else:
            data = await request.json()
        return LoginIn.model_validate(data)
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError, TypeError) as err:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "send username and password as JSON or as a form"
        ) from err


def sign_in(context: ApiContext, credentials: LoginIn, client_addr: str | None) -> tuple[str, Principal]:
    """Check the lock-out and the password, audit the attempt, open a session; raises 401 or 429."""
    name = normalise_username(credentials.username)
    target = f"user:{name}"
    now = context.clock()
    lock = context.throttle.locked(target, client_addr, now)
    if lock is not None:
        context.audit.record(now, AuditActor(None, client_addr), AuditAction.LOGIN_LOCKED, target, {"by": lock.by})
        wait_s = max(1, math.ceil((lock.until - now).total_seconds()))
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed logins; try again in {math.ceil(wait_s / 60)} minute(s)",
            {"Retry-After": str(wait_s)},
        )
    outcome, user = context.users.authenticate(name, credentials.password)
    if outcome is not AuthOutcome.OK or user is None:
        details = {"reason": outcome.value}
        context.audit.record(now, AuditActor(None, client_addr), AuditAction.LOGIN_FAILURE, target, details)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    token = context.tokens.new_session_token()
    token_hash = context.tokens.session_hash(token)
    expires_at = now + timedelta(hours=context.settings.session_hours)
    context.users.create_session(user.id, token_hash, now, expires_at)
    context.audit.record(now, AuditActor(user.username, client_addr), AuditAction.LOGIN_SUCCESS, target)
    signed_in = context.users.signed_in(token_hash, now)
    if signed_in is None:  # disabled between the two statements
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    principal = Principal(
        user=signed_in.user,
        scope=signed_in.scope,
        expires_at=expires_at,
        token_hash=token_hash,
        csrf_token=context.tokens.csrf_token(token),
        client_addr=client_addr,
        whole_organisation=signed_in.whole_organisation,
    )
    return token, principal


def sign_out(context: ApiContext, principal: Principal) -> None:
    """End the session of the principal and audit it."""
    context.users.end_session(principal.token_hash)
    context.audit.record(context.clock(), principal.actor, AuditAction.LOGOUT, f"user:{principal.user.username}")


def set_session_cookie(response: Response, context: ApiContext, token: str) -> None:
    """The HttpOnly, SameSite=Lax session cookie (Secure and __Host- outside development)."""
    response.set_cookie(
        context.cookie_name,
        token,
        max_age=int(context.settings.session_hours * 3600),
        path="/",
        secure=not context.settings.development,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, context: ApiContext) -> None:
    response.delete_cookie(
        context.cookie_name, path="/", secure=not context.settings.development, httponly=True, samesite="lax"
    )


@router.post(
    "/login",
    response_model=Me,
    openapi_extra=_LOGIN_BODY,
    responses={401: {"description": "Wrong username or password"}, 429: {"description": "Locked out for a while"}},
)
async def login(request: Request, response: Response, context: ContextDep, client_addr: ClientAddr) -> Me:
    """Sign in with a username and password (JSON or form); sets the session cookie, returns the CSRF token.

    Open to everyone. Failed attempts are audited and lock the username (and the client address)
    out for a while after too many.
    """
    check_origin(request)
    credentials = await _credentials(request)
    token, principal = await run_in_threadpool(sign_in, context, credentials, client_addr)
    set_session_cookie(response, context, token)
    response.headers["Cache-Control"] = "no-store"
    return _me(principal)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(principal: CsrfChecked, context: ContextDep) -> Response:
    """End the session (any signed-in user; CSRF token required)."""
    sign_out(context, principal)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, context)
    return response


@router.get("/me", response_model=Me)
def me(principal: CurrentUser) -> Me:
    """The signed-in user, their units, what their role may do, and the session's CSRF token (any role)."""
    return _me(principal)
