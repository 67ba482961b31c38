"""User administration in the viewer (admin only, within its units): add users, change role, units,
state and password, see and lift lock-outs.

The same rules as /api/users apply (``cvmon.api.user_admin``): an admin sees and changes only the
users whose units all lie inside its own, gives only units inside them, and no admin locks itself
or the system out; every change is audited.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cvmon.api import user_admin
from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER, capabilities
from cvmon.errors import CvmonError
from cvmon.read import queries
from cvmon.read.scope import tree_order
from cvmon.storage.users import MIN_PASSWORD_LENGTH, Role, UserNotFound
from cvmon.web import data
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
    unlocked: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    users = user_admin.visible_users(context, principal)
    units = queries.units_in_scope(session, principal.scope)
    tree = tree_order(units)
    return render(
        request,
        "users.html",
        principal,
        status_code,
        users=users,
        lockouts=user_admin.lockouts(context, users),
        units=units,
        tree=tree,
        last_sign_in=data.last_sign_ins(session, [u.username for u in users]),
        admin_tz=tree[0][0].timezone if tree else "UTC",
        roles=list(Role),
        permissions={r: capabilities(r) for r in Role},
        min_password=MIN_PASSWORD_LENGTH,
        error=error,
        done=done,
        unlocked=unlocked,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    session: SessionDep,
    done: str | None = None,
    unlocked: str | None = None,
) -> HTMLResponse:
    """The users of the caller's units with forms to change them and their lock-outs, a form to add one,
    and the permissions per role."""
    return _page(
        request,
        principal,
        context,
        session,
        done=done[:100] if done else None,
        unlocked=unlocked[:100] if unlocked else None,
    )


def _saved(username: str, key: str = "done") -> Response:
    return RedirectResponse(f"/admin/users?{urlencode({key: username})}", status_code=303)


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
    """Add a user with units inside the caller's (admin; CSRF; audited); a bad form shows the page again
    with the reason."""
    reject_nul(username, password, role, units)
    try:
        added = user_admin.add_user(context, principal, username, password, role, units or [])
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
    """Change role, units, state (active or disabled) and, when given, the password of a user of the
    caller's units (admin; CSRF; audited; 404 for any other user)."""
    reject_nul(role, units, state, password)
    try:
        user_admin.user_in_scope(context, principal, username)
    except UserNotFound:
        raise PageDenied(404, "error.404") from None
    try:
        changed = user_admin.change_user(
            context,
            principal,
            username,
            role=role or None,
            units=units,
            disabled={"active": False, "disabled": True}.get(state),
            password=password or None,
        )
    except CvmonError as err:
        return _page(request, principal, context, session, error=f"{username}: {err}", status_code=422)
    return _saved(changed.username)


@router.post("/admin/users/{username}/unlock", response_class=HTMLResponse, dependencies=[FormCsrf])
def unlock_user(username: str, principal: AdminUser, context: ContextDep) -> Response:
    """Lift a user's lock-outs after failed logins (admin, users of its units; CSRF; audited)."""
    try:
        lifted = user_admin.lift_lockout(context, principal, username)
    except UserNotFound:
        raise PageDenied(404, "error.404") from None
    return _saved(lifted.username, "unlocked")
