"""User administration in the viewer (admin only): add users, change role, units, state and password.

The same rules as PATCH /api/users apply (``admin_conflict``: no admin locks themself or the
system out), and every change is audited by the user repository.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cvmon.api import queries
from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER, capabilities
from cvmon.api.routers.users import admin_conflict
from cvmon.errors import CvmonError
from cvmon.storage.users import Role, UserError, check_password, check_role
from cvmon.web.render import render
from cvmon.web.session import FormCsrf, PageDenied, page_role, reject_nul

router = APIRouter(include_in_schema=False)
AdminUser = Annotated[Principal, Depends(page_role(*ADMINISTER))]


def _page(
    request: Request,
    principal: Principal,
    context: ContextDep,
    session: SessionDep,
    *,
    error: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "users.html",
        principal,
        status_code,
        users=context.users.all_users(),
        units=queries.units_in_scope(session, principal.scope),
        roles=list(Role),
        permissions={r: capabilities(r) for r in Role},
        error=error,
        done=done,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, principal: AdminUser, context: ContextDep, session: SessionDep, done: str | None = None
) -> HTMLResponse:
    """Every user with forms to change them, a form to add one, and the permissions per role."""
    return _page(request, principal, context, session, done=done[:100] if done else None)


def _units(values: list[str]) -> list[str]:
    units = sorted({u.strip() for u in values if u.strip()})
    if not units:
        raise UserError("a user needs at least one unit")
    return units


def _saved(username: str) -> Response:
    return RedirectResponse(f"/admin/users?done={username}", status_code=303)


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[FormCsrf])
def add_user(
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    units: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Add a user (admin; CSRF; audited); a bad form shows the page again with the reason."""
    reject_nul(username, password, role, units)
    try:
        added = context.users.add(
            username, password, role, _units(units or []), actor=principal.actor, now=context.clock()
        )
    except CvmonError as err:
        return _page(request, principal, context, session, error=str(err), status_code=422)
    return _saved(added.username)


@router.post("/admin/users/{username}", response_class=HTMLResponse, dependencies=[FormCsrf])
def change_user(
    username: str,
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    session: SessionDep,
    role: Annotated[str, Form(max_length=20)] = "",
    units: Annotated[list[str] | None, Form()] = None,
    state: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change role, units, state (active or disabled) and, when given, the password (admin; CSRF; audited)."""
    reject_nul(role, units, state, password)
    try:
        target = context.users.get(username)
    except CvmonError:
        raise PageDenied(404, "error.404") from None
    try:
        new_role = check_role(role) if role else None
        disabled = {"active": False, "disabled": True}.get(state)
        new_units = _units(units) if units is not None else None
        if password:
            check_password(password)
        conflict = admin_conflict(
            target, context.users.all_users(), principal.user.username, role=new_role, disabled=disabled
        )
        if conflict is not None:
            raise UserError(conflict)
        actor, now, name = principal.actor, context.clock(), target.username
        if new_units is not None and new_units != list(target.units):
            target = context.users.set_units(name, new_units, actor=actor, now=now)
        if new_role is not None and new_role is not target.role:
            target = context.users.set_role(name, new_role, actor=actor, now=now)
        if password:
            target = context.users.set_password(name, password, actor=actor, now=now)
        if disabled is not None and disabled != target.disabled:
            target = context.users.set_disabled(name, disabled, actor=actor, now=now)
    except CvmonError as err:
        return _page(request, principal, context, session, error=f"{username}: {err}", status_code=422)
    return _saved(target.username)
