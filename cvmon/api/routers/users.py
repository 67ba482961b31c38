"""User administration for admins, within their units: list, read, add, change users and lift lock-outs.

See ``cvmon.api.user_admin`` for the rules: an admin sees and changes only users whose units all lie
inside its own scope, gives only units inside it, and no admin locks itself or the system out.
Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, status

from cvmon.api import user_admin
from cvmon.api.deps import ContextDep, CsrfChecked, CurrentUser, require_role
from cvmon.api.permissions import ADMINISTER
from cvmon.api.schemas import LockoutOut, UserIn, UserOut, UserPatch
from cvmon.api.throttle import Lockout
from cvmon.storage.users import User

router = APIRouter(prefix="/api/users", tags=["users"], dependencies=[Depends(require_role(*ADMINISTER))])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No user with that name among the caller's units."},
    409: {"description": "The change would leave the caller or the system without an active admin."},
    422: {"description": "A bad username or role, a unit outside the caller's units, or a weak password."},
}


def user_out(user: User, locks: Sequence[Lockout] = ()) -> UserOut:
    return UserOut(
        username=user.username,
        role=user.role,
        units=list(user.units),
        disabled=user.disabled,
        lockouts=[LockoutOut(until=lock.until, by=lock.by, client_addr=lock.client_addr) for lock in locks],
    )


@router.get("", response_model=list[UserOut])
def users(principal: CurrentUser, context: ContextDep) -> list[UserOut]:
    """The users of the caller's units (every unit of theirs inside), by username, with their lock-outs
    (admin only)."""
    found = user_admin.visible_users(context, principal)
    locks = user_admin.lockouts(context, found)
    return [user_out(u, locks.get(u.username, [])) for u in found]


def _one(context: ContextDep, user: User) -> UserOut:
    return user_out(user, user_admin.lockouts(context, [user]).get(user.username, []))


@router.get("/{username}", response_model=UserOut, responses={404: _ERRORS[404]})
def user(username: str, principal: CurrentUser, context: ContextDep) -> UserOut:
    """One user of the caller's units (admin only; 404 for any other)."""
    return _one(context, user_admin.user_in_scope(context, principal, username))


@router.post(
    "",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "A user with that name exists."}, 422: _ERRORS[422]},
)
def add_user(body: UserIn, principal: CsrfChecked, context: ContextDep) -> UserOut:
    """Add a user with a role, units inside the caller's and an initial strong password (admin only; CSRF;
    audited)."""
    return user_out(user_admin.add_user(context, principal, body.username, body.password, body.role, body.units))


@router.patch("/{username}", response_model=UserOut, responses=_ERRORS)
def change_user(username: str, body: UserPatch, principal: CsrfChecked, context: ContextDep) -> UserOut:
    """Change a user's role, units, disabled flag or password; only the given fields that differ change,
    and each change ends the user's sessions (admin only, users of its units; CSRF; audited)."""
    changed = user_admin.change_user(
        context,
        principal,
        username,
        role=body.role,
        units=body.units,
        disabled=body.disabled,
        password=body.password,
    )
    return _one(context, changed)


@router.post("/{username}/unlock", response_model=UserOut, responses={404: _ERRORS[404]})
def unlock_user(username: str, principal: CsrfChecked, context: ContextDep) -> UserOut:
    """Lift the user's lock-outs after failed logins (admin only, users of its units; CSRF; audited)."""
    return _one(context, user_admin.lift_lockout(context, principal, username))
