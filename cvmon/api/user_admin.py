"""User administration within the caller's units, shared by the JSON API and the users page.

An admin administers the users whose units all lie inside its own scope (its units and the units
below them), and nothing else: a user outside is answered like one that does not exist, a unit
outside like a unit that does not exist. So an admin never creates or changes a user with a unit
outside its scope, never raises anyone above its own scope and never widens its own units (its
role, admin, is the highest already). An admin at the root has every unit in its scope. No admin
disables itself or drops its own admin role, and nobody disables or demotes the last active admin.
Every change is audited by the user repository.
"""

from __future__ import annotations

from collections.abc import Sequence

from cvmon.api.context import ApiContext
from cvmon.api.deps import Principal
from cvmon.api.throttle import Lockout
from cvmon.storage.audit import AuditAction
from cvmon.storage.users import (
    Role,
    User,
    UserError,
    UserNotFound,
    check_password,
    check_role,
    normalise_username,
    unknown_units,
    within,
)


class AdminConflict(UserError):
    """The change would leave the caller or the system without an active admin."""


def visible_users(context: ApiContext, principal: Principal) -> list[User]:
    """The users the caller administers, by username."""
    return [u for u in context.users.all_users() if within(u.units, principal.scope)]


def user_in_scope(context: ApiContext, principal: Principal, username: str) -> User:
    """One user the caller administers; UserNotFound for any other, as for a user that does not exist."""
    try:
        user = context.users.get(username)
    except UserNotFound:
        user = None
    if user is None or not within(user.units, principal.scope):
        raise UserNotFound(f"no user '{normalise_username(username)}'")
    return user


def checked_units(units: Sequence[str], principal: Principal) -> list[str]:
    """The unit ids without blanks and duplicates, sorted; UserError when none is left or one lies outside
    the caller's units."""
    unit_ids = sorted({u.strip() for u in units if u.strip()})
    if not unit_ids:
        raise UserError("a user needs at least one unit")
    outside = [u for u in unit_ids if u not in principal.scope]
    if outside:
        raise unknown_units(outside)
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


def add_user(
    context: ApiContext, principal: Principal, username: str, password: str, role: str, units: Sequence[str]
) -> User:
    """Add a user bound to units inside the caller's."""
    unit_ids = checked_units(units, principal)
    return context.users.add(username, password, role, unit_ids, actor=principal.actor, now=context.clock())


def change_user(
    context: ApiContext,
    principal: Principal,
    username: str,
    *,
    role: str | None = None,
    units: Sequence[str] | None = None,
    disabled: bool | None = None,
    password: str | None = None,
) -> User:
    """Change what is given and differs: role, units (inside the caller's), state, password. Everything is
    checked before the first change is written."""
    target = user_in_scope(context, principal, username)
    new_role = check_role(role) if role is not None else None
    new_units = checked_units(units, principal) if units is not None else None
    if password is not None:
        check_password(password, target.username)
    conflict = admin_conflict(
        target, context.users.all_users(), principal.user.username, role=new_role, disabled=disabled
    )
    if conflict is not None:
        raise AdminConflict(conflict)
    actor, now, name = principal.actor, context.clock(), target.username
    if new_units is not None and new_units != list(target.units):
        target = context.users.set_units(name, new_units, actor=actor, now=now)
    if new_role is not None and new_role is not target.role:
        target = context.users.set_role(name, new_role, actor=actor, now=now)
    if password is not None:
        target = context.users.set_password(name, password, actor=actor, now=now)
    if disabled is not None and disabled != target.disabled:
        target = context.users.set_disabled(name, disabled, actor=actor, now=now)
    return target


def lockouts(context: ApiContext, users: Sequence[User]) -> dict[str, list[Lockout]]:
    """The lock-outs in force now per username (only users that have any)."""
    return context.throttle.lockouts_of([u.username for u in users], context.clock())


def lift_lockout(context: ApiContext, principal: Principal, username: str) -> User:
    """Lift every lock-out of a user the caller administers (audited as ``login.unlock``, which starts the
    user's failure counts again)."""
    target = user_in_scope(context, principal, username)
    lifted = lockouts(context, [target]).get(target.username, [])
    details = {
        "lifted": [{"by": lock.by, "client_addr": lock.client_addr, "until": lock.until.isoformat()} for lock in lifted]
    }
    context.audit.record(context.clock(), principal.actor, AuditAction.LOGIN_UNLOCK, f"user:{target.username}", details)
    return target
