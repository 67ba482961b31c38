"""Typed dependencies of the routes: the database, the signed-in user, their units and role checks.

Dependencies raise ``HTTPException``; they never return responses. A route that declares none of
``CurrentUser``, ``require_role(...)`` or ``MetricsAuth`` is open, and only login and health are
(a test walks every route).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session

from cvmon.api.context import ApiContext
from cvmon.api.security import CSRF_HEADER
from cvmon.storage.audit import AuditActor
from cvmon.storage.database import Database
from cvmon.storage.users import Role, User


def get_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.cvmon
    return context


ContextDep = Annotated[ApiContext, Depends(get_context)]


def get_db(context: ContextDep) -> Database:
    return context.db


DbDep = Annotated[Database, Depends(get_db)]


def read_session(db: DbDep) -> Iterator[Session]:
    """One read-only transaction for the request's queries."""
    with db.transaction("cannot read from", write=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(read_session)]


def client_address(request: Request) -> str | None:
    """The caller's address (uvicorn applies X-Forwarded-For of trusted proxies to it)."""
    return request.client.host if request.client else None


ClientAddr = Annotated[str | None, Depends(client_address)]


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user of a request, with every unit they may see."""

    user: User
    scope: tuple[str, ...]
    expires_at: datetime
    token_hash: str
    csrf_token: str
    client_addr: str | None
    whole_organisation: bool = False  # the scope holds every unit: a root admin sees everything

    @property
    def actor(self) -> AuditActor:
        return AuditActor(self.user.username, self.client_addr)

    @property
    def audit_scope(self) -> tuple[str, ...] | None:
        """The units whose audit rows the caller may read; None for the whole organisation."""
        return None if self.whole_organisation else self.scope


def authenticated(request: Request, context: ContextDep, client_addr: ClientAddr) -> Principal:
    """The user of the request's session cookie; 401 without a live session."""
    token = request.cookies.get(context.cookie_name)
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not signed in")
    token_hash = context.tokens.session_hash(token)
    signed_in = context.users.signed_in(token_hash, context.clock())
    if signed_in is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "session expired or ended; sign in again")
    return Principal(
        user=signed_in.user,
        scope=signed_in.scope,
        expires_at=signed_in.expires_at,
        token_hash=token_hash,
        csrf_token=context.tokens.csrf_token(token),
        client_addr=client_addr,
        whole_organisation=signed_in.whole_organisation,
    )


CurrentUser = Annotated[Principal, Depends(authenticated)]


def allowed_units(principal: CurrentUser) -> list[str]:
    """Every unit the caller may see: their units and the units below them."""
    return list(principal.scope)


AllowedUnits = Annotated[list[str], Depends(allowed_units)]


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only these roles through (403 for the others)."""
    allowed = frozenset(roles)

    def check_role(principal: CurrentUser) -> Principal:
        if principal.user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"role '{principal.user.role.value}' may not do this (only {names})"
            )
        return principal

    check_role.roles = allowed  # type: ignore[attr-defined]
    return check_role


def csrf_protected(
    principal: CurrentUser,
    context: ContextDep,
    csrf_token: Annotated[
        str | None,
        Header(alias=CSRF_HEADER, description="The csrf_token of POST /api/login or GET /api/me."),
    ] = None,
) -> Principal:
    """For state-changing routes: the X-CSRF-Token header must carry the session's CSRF token (403)."""
    if not context.tokens.same(principal.csrf_token, csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {CSRF_HEADER} header")
    return principal


CsrfChecked = Annotated[Principal, Depends(csrf_protected)]


def metrics_auth(
    context: ContextDep,
    authorization: Annotated[str | None, Header(description="Bearer <CVMON_METRICS_TOKEN>")] = None,
) -> None:
    """Only ``Authorization: Bearer <metrics_token>`` opens /metrics; without a configured token nothing does."""
    expected = context.settings.metrics_token
    scheme, _, given = (authorization or "").partition(" ")
    if expected is None or scheme.lower() != "bearer" or not context.tokens.same(expected.get_secret_value(), given):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a valid metrics bearer token is needed", {"WWW-Authenticate": "Bearer"}
        )


MetricsAuth = Depends(metrics_auth)
