"""User administration for admins: list, read, add and change users (each change audited).

An admin cannot disable themself or drop their own admin role, and nobody can disable or demote
the last active admin, so the system keeps someone who can administer it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status

from cvmon.api.deps import ContextDep, CsrfChecked, require_role
from cvmon.api.permissions import ADMINISTER
from cvmon.api.schemas import UserIn, UserOut, UserPatch
from cvmon.storage.users import Role, User, check_password, check_role

router = APIRouter(prefix="/api/users", tags=["users"], dependencies=[Depends(require_role(*ADMINISTER))])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No user with that name."},
    409: {"description": "The change would leave the caller or the system without an active admin."},
    422: {"description": "A bad username, role, unit list or a weak password."},
}


def user_out(user: User) -> UserOut:
    return UserOut(username=user.username, role=user.role, units=list(user.units), disabled=user.disabled)


def _unit_list(units: Sequence[str]) -> list[str]:
    """The unit ids without blanks and duplicates, sorted; 422 when none is left."""
    unit_ids = sorted({u.strip() for u in units if u.strip()})
    if not unit_ids:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a user needs at least one unit")
    return unit_ids


def admin_conflict(
    target: User, users: Sequence[User], caller: str, *, role: Role | None, disabled: bool | None
) -> str | None:
    """Why the change would lose an admin (the caller's own or the last active one), or None when it would not."""
    demoted = role is not None and role is not Role.ADMIN
    if target.role is not Role.ADMIN or not (demoted or disabled):
        return None
    if target.username == caller:
        return "you cannot disable your own account" if disabled else "you cannot remove your own admin role"
    if target.disabled:
        return None
    others = [u for u in users if u.role is Role.ADMIN and not u.disabled and u.username != target.username]
    if not others:
        return f"'{target.username}' is the last active admin"
    return None


@router.get("", response_model=list[UserOut])
def users(context: ContextDep) -> list[UserOut]:
    """Every user, by username (admin only)."""
    return [user_out(u) for u in context.users.all_users()]


@router.get("/{username}", response_model=UserOut, responses={404: _ERRORS[404]})
def user(username: str, context: ContextDep) -> UserOut:
    """One user (admin only; 404 when there is no such user)."""
    return user_out(context.users.get(username))


@router.post(
    "",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "A user with that name exists."}, 422: _ERRORS[422]},
)
def add_user(body: UserIn, principal: CsrfChecked, context: ContextDep) -> UserOut:
    """Add a user with a role, units and an initial password (admin only; CSRF; audited)."""
    units = _unit_list(body.units)
    added = context.users.add(
        body.username, body.password, body.role, units, actor=principal.actor, now=context.clock()
    )
    return user_out(added)


@router.patch("/{username}", response_model=UserOut, responses=_ERRORS)
def change_user(username: str, body: UserPatch, principal: CsrfChecked, context: ContextDep) -> UserOut:
    """Change a user's role, units, disabled flag or password; only the given fields that differ change,
    and each change ends the user's sessions (admin only; CSRF; audited)."""
    target = context.users.get(username)
    role = check_role(body.role) if body.role is not None else None
    if body.password is not None:
        check_password(body.password)
    units = _unit_list(body.units) if body.units is not None else None
    conflict = admin_conflict(
        target, context.users.all_users(), principal.user.username, role=role, disabled=body.disabled
    )
    if conflict is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, conflict)
    actor, now, name = principal.actor, context.clock(), target.username
    if units is not None and units != list(target.units):
        target = context.users.set_units(name, units, actor=actor, now=now)
    if role is not None and role is not target.role:
        target = context.users.set_role(name, role, actor=actor, now=now)
    if body.password is not None:
        target = context.users.set_password(name, body.password, actor=actor, now=now)
    if body.disabled is not None and body.disabled != target.disabled:
        target = context.users.set_disabled(name, body.disabled, actor=actor, now=now)
    return user_out(target)
