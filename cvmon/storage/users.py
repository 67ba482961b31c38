"""Users of the API and web viewer: roles, the units they are bound to, password hashes and sessions.

Every change to a user is written to the audit log in the same transaction. Passwords are hashed
with argon2id (pwdlib) and must be strong: zxcvbn (Dropbox's strength estimator) must score them
at least ``MIN_PASSWORD_SCORE`` of 4, with the username counted as a guessable word. A user is
never deleted, only disabled, so the audit log keeps naming them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, func, literal, select
from sqlalchemy.orm import Session, aliased
from zxcvbn import zxcvbn

from cvmon.errors import CvmonError
from cvmon.storage.audit import AuditAction, AuditActor, add_audit_row
from cvmon.storage.database import Database
from cvmon.storage.models import (
    USERNAME_LENGTH,
    UnitRecord,
    UserRecord,
    UserSessionRecord,
    UserUnitRecord,
)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's score (0 to 4): 3 is "safely unguessable: moderate protection from offline slow-hash scenario".
MIN_PASSWORD_SCORE = 3
# zxcvbn's own limit; a longer password is judged by its first characters.
_SCORED_CHARACTERS = 72
_USERNAME = re.compile(rf"^[a-z0-9][a-z0-9._@-]{{1,{USERNAME_LENGTH - 1}}}$")


class Role(enum.StrEnum):
    """What a user may do; see ``cvmon.api.permissions`` for the table."""

    ADMIN = "admin"
    MANAGER = "manager"
    PIC = "pic"
    AUDITOR = "auditor"
    VIEWER = "viewer"


class UserError(CvmonError):
    """A user cannot be created or changed as asked."""

    exit_code = 2


class UserNotFound(UserError):
    """No user with that name."""

    exit_code = 1


class UserExists(UserError):
    """A user with that name already exists."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    disabled: bool
    units: tuple[str, ...]  # the units the user is bound to (each seen with its subtree)
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: its user, when it expires and every unit the user may see."""

    user: User
    expires_at: datetime
    scope: tuple[str, ...]
    whole_organisation: bool = False  # the scope holds every stored unit


class AuthOutcome(enum.StrEnum):
    OK = "ok"
    UNKNOWN_USER = "unknown_user"
    BAD_PASSWORD = "bad_password"
    DISABLED = "disabled"


def default_password_hash() -> PasswordHash:
    """argon2id with argon2-cffi's recommended cost (64 MiB, 3 passes)."""
    return PasswordHash((Argon2Hasher(),))


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    """The username in lower case, or UserError saying what is wrong with it."""
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise UserError(
            f"username '{username}': 2 to {USERNAME_LENGTH} characters, letters, digits, '.', '_', '@', '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str, username: str | None = None) -> str:
    """The password unchanged, or UserError: too short, too long, or weak by zxcvbn's estimate (the
    message says why and how to do better)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")
    hints = [normalise_username(username)] if username else []
    result = zxcvbn(password[:_SCORED_CHARACTERS], user_inputs=hints)
    if result["score"] < MIN_PASSWORD_SCORE:
        feedback = result["feedback"]
        advice = " ".join(part for part in (feedback["warning"], *feedback["suggestions"]) if part)
        raise UserError(
            f"the password is too easy to guess (strength {result['score']} of 4, at least {MIN_PASSWORD_SCORE} "
            f"needed){': ' + advice if advice else ''}"
        )
    return password


def within(units: Sequence[str], scope: Sequence[str]) -> bool:
    """Whether a user bound to ``units`` lies inside ``scope``: every one of its units is in it."""
    return bool(units) and set(units) <= set(scope)


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(f"role '{role}' is not one of {', '.join(r.value for r in Role)}") from None


def unit_scope(session: Session, user_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The units a user is bound to and every unit they may see (those and their subtrees), in one
    recursive statement over ``units.parent_id``."""
    bound = (
        select(UserUnitRecord.unit_id.label("id"), literal(True).label("bound"))
        .where(UserUnitRecord.user_id == user_id)
        .cte("scope", recursive=True)
    )
    child = aliased(UnitRecord)
    scope = bound.union(select(child.id, literal(False)).where(child.parent_id == bound.c.id))
    rows = session.execute(select(scope.c.id, scope.c.bound)).all()
    return tuple(sorted({uid for uid, is_bound in rows if is_bound})), tuple(sorted({uid for uid, _ in rows}))


def _user(rec: UserRecord, units: Sequence[str]) -> User:
    return User(
        id=rec.id,
        username=rec.username,
        role=Role(rec.role),
        disabled=rec.disabled,
        units=tuple(sorted(units)),
        created_at=rec.created_at,
        updated_at=rec.updated_at,
    )


def _bound_units(session: Session, user_id: int) -> list[str]:
    return list(session.scalars(select(UserUnitRecord.unit_id).where(UserUnitRecord.user_id == user_id)))


class UserRepository:
    """Users, their units and their sessions in the database.

    Args:
        db: the open database.
        passwords: the password hasher; tests pass a cheaper argon2 profile.
    """

    def __init__(self, db: Database, passwords: PasswordHash | None = None) -> None:
        self.db = db
        self.passwords = passwords or default_password_hash()
        self._dummy_hash: str | None = None

    # -- reading ---------------------------------------------------------------------------------

    def get(self, username: str) -> User:
        with self.db.transaction("cannot read users from", write=False) as session:
            rec = self._record(session, username)
            return _user(rec, _bound_units(session, rec.id))

    def all_users(self) -> list[User]:
        """Every user, by username."""
        with self.db.transaction("cannot read users from", write=False) as session:
            units: dict[int, list[str]] = {}
            for user_id, unit_id in session.execute(select(UserUnitRecord.user_id, UserUnitRecord.unit_id)):
                units.setdefault(user_id, []).append(unit_id)
            records = session.scalars(select(UserRecord).order_by(UserRecord.username))
            return [_user(rec, units.get(rec.id, [])) for rec in records]

    # -- changes (each audited in the same transaction) -------------------------------------------

    def add(
        self, username: str, password: str, role: str, units: Sequence[str], *, actor: AuditActor, now: datetime
    ) -> User:
        """Create a user bound to ``units`` (which must be stored already)."""
        name = check_username(username)
        user_role = check_role(role)
        password_hash = self.passwords.hash(check_password(password, name))
        unit_ids = self._checked_unit_list(units)
        with self.db.transaction("cannot write users to", write=True) as session:
            if session.scalar(select(UserRecord.id).where(UserRecord.username == name)) is not None:
                raise UserExists(f"user '{name}' already exists")
            self._check_units_exist(session, unit_ids)
            rec = UserRecord(
                username=name,
                password_hash=password_hash,
                role=user_role.value,
                disabled=False,
                created_at=now,
                updated_at=now,
            )
            session.add(rec)
            session.flush()
            session.add_all(UserUnitRecord(user_id=rec.id, unit_id=u) for u in unit_ids)
            add_audit_row(
                session, now, actor, AuditAction.USER_ADD, f"user:{name}", {"role": user_role.value, "units": unit_ids}
            )
            return _user(rec, unit_ids)

    def set_disabled(self, username: str, disabled: bool, *, actor: AuditActor, now: datetime) -> User:
        """Disable (ending every session at once) or enable a user."""
        action = AuditAction.USER_DISABLE if disabled else AuditAction.USER_ENABLE
        with self.db.transaction("cannot write users to", write=True) as session:
            rec = self._record(session, username)
            rec.disabled, rec.updated_at = disabled, now
            self._end_sessions(session, rec.id)
            add_audit_row(session, now, actor, action, f"user:{rec.username}")
            return _user(rec, _bound_units(session, rec.id))

    def set_role(self, username: str, role: str, *, actor: AuditActor, now: datetime) -> User:
        """Change a user's role; their sessions end, so the new role applies from their next login."""
        new_role = check_role(role)
        with self.db.transaction("cannot write users to", write=True) as session:
            rec = self._record(session, username)
            old = rec.role
            rec.role, rec.updated_at = new_role.value, now
            self._end_sessions(session, rec.id)
            details = {"from": old, "to": new_role.value}
            add_audit_row(session, now, actor, AuditAction.USER_SET_ROLE, f"user:{rec.username}", details)
            return _user(rec, _bound_units(session, rec.id))

    def set_units(self, username: str, units: Sequence[str], *, actor: AuditActor, now: datetime) -> User:
        """Replace the units a user is bound to; their sessions end."""
        unit_ids = self._checked_unit_list(units)
        with self.db.transaction("cannot write users to", write=True) as session:
            rec = self._record(session, username)
            self._check_units_exist(session, unit_ids)
            old = sorted(_bound_units(session, rec.id))
            session.execute(delete(UserUnitRecord).where(UserUnitRecord.user_id == rec.id))
            session.add_all(UserUnitRecord(user_id=rec.id, unit_id=u) for u in unit_ids)
            rec.updated_at = now
            self._end_sessions(session, rec.id)
            details = {"from": old, "to": unit_ids}
            add_audit_row(session, now, actor, AuditAction.USER_SET_UNITS, f"user:{rec.username}", details)
            return _user(rec, unit_ids)

    def set_password(self, username: str, password: str, *, actor: AuditActor, now: datetime) -> User:
        """Replace a user's password; their sessions end."""
        password_hash = self.passwords.hash(check_password(password, username))
        with self.db.transaction("cannot write users to", write=True) as session:
            rec = self._record(session, username)
            rec.password_hash, rec.updated_at = password_hash, now
            self._end_sessions(session, rec.id)
            add_audit_row(session, now, actor, AuditAction.USER_SET_PASSWORD, f"user:{rec.username}")
            return _user(rec, _bound_units(session, rec.id))

    # -- authentication and sessions --------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> tuple[AuthOutcome, User | None]:
        """Check a password. An unknown user costs one hash verification too, so timing tells nothing.

        A correct password of a disabled user gives ``DISABLED`` and no user. A hash made with
        older parameters is replaced by one with the current parameters.
        """
        name = normalise_username(username)
        with self.db.transaction("cannot read users from", write=False) as session:
            rec = session.scalars(select(UserRecord).where(UserRecord.username == name)).one_or_none()
            if rec is None:
                self.passwords.verify(password, self._dummy())
                return AuthOutcome.UNKNOWN_USER, None
            valid, new_hash = self.passwords.verify_and_update(password, rec.password_hash)
            if not valid:
                return AuthOutcome.BAD_PASSWORD, None
            if rec.disabled:
                return AuthOutcome.DISABLED, None
            user = _user(rec, _bound_units(session, rec.id))
        if new_hash is not None:
            with self.db.transaction("cannot write users to", write=True) as session:
                stored = session.get(UserRecord, user.id)
                if stored is not None:
                    stored.password_hash = new_hash
        return AuthOutcome.OK, user

    def create_session(self, user_id: int, token_hash: str, now: datetime, expires_at: datetime) -> None:
        """Store a new session (by the hash of its token) and drop every expired one."""
        with self.db.transaction("cannot write sessions to", write=True) as session:
            session.execute(delete(UserSessionRecord).where(UserSessionRecord.expires_at <= now))
            record = UserSessionRecord(token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at)
            session.add(record)

    def signed_in(self, token_hash: str, now: datetime) -> SignedIn | None:
        """The live session with that token hash and the units its user may see; None when there is no
        such session, it has expired or its user is disabled."""
        stmt = (
            select(UserSessionRecord.expires_at, UserRecord)
            .join(UserRecord, UserRecord.id == UserSessionRecord.user_id)
            .where(UserSessionRecord.token_hash == token_hash)
        )
        with self.db.transaction("cannot read sessions from", write=False) as session:
            row = session.execute(stmt).one_or_none()
            if row is None:
                return None
            expires_at, rec = row
            if expires_at <= now or rec.disabled:
                return None
            bound, scope = unit_scope(session, rec.id)
            every = session.scalar(select(func.count(UnitRecord.id))) or 0
            return SignedIn(_user(rec, bound), expires_at, scope, whole_organisation=len(scope) >= every)

    def end_session(self, token_hash: str) -> None:
        with self.db.transaction("cannot write sessions to", write=True) as session:
            session.execute(delete(UserSessionRecord).where(UserSessionRecord.token_hash == token_hash))

    # -- helpers ----------------------------------------------------------------------------------

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.passwords.hash("cvmon: no such user")
        return self._dummy_hash

    @staticmethod
    def _record(session: Session, username: str) -> UserRecord:
        name = normalise_username(username)
        rec = session.scalars(select(UserRecord).where(UserRecord.username == name)).one_or_none()
        if rec is None:
            raise UserNotFound(f"no user '{name}'")
        return rec

    @staticmethod
    def _end_sessions(session: Session, user_id: int) -> None:
        session.execute(delete(UserSessionRecord).where(UserSessionRecord.user_id == user_id))

    @staticmethod
    def _checked_unit_list(units: Sequence[str]) -> list[str]:
        unit_ids = sorted({u.strip() for u in units if u.strip()})
        if not unit_ids:
            raise UserError("a user needs at least one unit (--unit)")
        return unit_ids

    @staticmethod
    def _check_units_exist(session: Session, unit_ids: Sequence[str]) -> None:
        known = set(session.scalars(select(UnitRecord.id).where(UnitRecord.id.in_(list(unit_ids)))))
        missing = [u for u in unit_ids if u not in known]
        if missing:
            raise unknown_units(missing)


def unknown_units(unit_ids: Sequence[str]) -> UserError:
    """The error for units that are not stored (or, to a scoped admin, lie outside its units: the same)."""
    return UserError(
        f"unknown unit(s): {', '.join(unit_ids)} (units come from cameras.yaml; "
        "store them first with `cvmon run` or `cvmon process`)"
    )
