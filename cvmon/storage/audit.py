"""The append-only, hash-chained audit log: logins, evidence views, exports, alert follow-up, user changes.

Rows are only ever inserted. This module has no update or delete path, and the migrations install
triggers that make the database refuse UPDATE and DELETE on the table (and, on SQLite, an INSERT
that would replace a row). Each row carries the sha256 of its content and of the previous row's
hash (``cvmon.storage.audit_chain``), so a row changed, removed or slipped in by someone with direct
access to the database breaks the chain, and ``verify_chain`` finds the first broken row. Appends
are serialised so that concurrent writers never fork the chain: on PostgreSQL by a transaction-level
advisory lock taken before the chain's head is read, on SQLite by its one writer at a time (cvmon's
write transactions begin IMMEDIATE).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, false, func, literal, or_, select, text
from sqlalchemy.orm import Session, aliased

from cvmon.storage.audit_chain import GENESIS, row_hash
from cvmon.storage.database import Database
from cvmon.storage.models import (
    NAME_LENGTH,
    AlertRecord,
    AuditRecord,
    CameraRecord,
    EvidenceRecord,
    UserRecord,
    UserUnitRecord,
)

ADDR_LENGTH = 64
# The key of PostgreSQL's transaction-level advisory lock that serialises appends to the chain.
CHAIN_LOCK_KEY = 0x6376_6D6F_6E41_5544  # "cvmonAUD"
# Targets that name no unit's object; a scoped admin sees such rows when one of its users wrote them.
UNSCOPED_TARGETS = ("audit_log", "camera:-")


class AuditAction(enum.StrEnum):
    """What an audit row records."""

    LOGIN_SUCCESS = "login.success"
    LOGIN_FAILURE = "login.failure"
    LOGIN_LOCKED = "login.locked"  # an attempt refused while the username or address was locked out
    LOGOUT = "logout"
    EVIDENCE_VIEW = "evidence.view"
    EVIDENCE_DOWNLOAD = "evidence.download"
    EVIDENCE_PACK = "evidence.pack"  # a unit's figures, alerts and snapshots of one window (page or PDF)
    FRAME_VIEW = "frame.view"  # the latest anonymised frame of a camera
    AUDIT_EXPORT = "audit.export"
    CONFIG_CHANGE = "config.change"  # cameras.yaml edited from the viewer (camera added, changed, removed, zones)
    CAMERA_TEST = "camera.test"  # a source opened by the connection test
    REPORT_EXPORT = "report.export"  # a unit's periodic report downloaded (PDF, CSV, JSON)
    LOGIN_UNLOCK = "login.unlock"  # an admin lifted a user's lock-out
    ALERT_ACK = "alert.ack"
    ALERT_RESOLVE = "alert.resolve"
    USER_ADD = "user.add"
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    USER_SET_ROLE = "user.set_role"
    USER_SET_UNITS = "user.set_units"
    USER_SET_PASSWORD = "user.set_password"
    RATINGS_IMPORT = "ratings.import"  # customer ratings (CSAT, NPS, CES) of a unit imported
    SHOPPER_IMPORT = "shopper.import"  # mystery-shopper scores of a unit imported
    ROOM_REFERENCE = "room.reference"  # a camera's room reference picture marked (viewer or command line)
    GREETING_REFERENCE = "greeting.reference"  # a staff zone's reference greeting recorded (keypoints only)
    STAFF_EXAMPLE = "staff.example"  # an admin confirmed a staff member on a camera's latest anonymised frame


@dataclass(frozen=True, slots=True)
class AuditActor:
    """Who acts and from where: a username (or ``cli:<login>``) and a client address, either may be unknown."""

    name: str | None
    client_addr: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ts: datetime
    actor: str | None
    action: str
    target: str | None
    client_addr: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first row whose hash does not hold, and why."""

    id: int
    reason: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What ``verify_chain`` found: rows checked, the hash of the last one, the first broken row."""

    rows: int
    head: str | None
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _entry(rec: AuditRecord) -> AuditEntry:
    return AuditEntry(**{f: getattr(rec, f) for f in AuditEntry.__dataclass_fields__})


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else value[:length]


def _chain_head(session: Session) -> str:
    """The hash of the last row, with the chain locked for the rest of the transaction (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    head = session.scalar(select(AuditRecord.row_hash).order_by(AuditRecord.id.desc()).limit(1))
    return head if head is not None else GENESIS


def _expected_hash(rec: AuditRecord, prev_hash: str) -> str:
    return row_hash(prev_hash, rec.ts, rec.actor, rec.action, rec.target, rec.client_addr, dict(rec.details or {}))


def add_audit_row(
    session: Session,
    ts: datetime,
    actor: AuditActor,
    action: AuditAction,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Insert one audit row, chained to the last one, in the caller's write transaction (so a change and
    its audit row commit together)."""
    rec = AuditRecord(
        ts=ts,
        actor=_clip(actor.name, NAME_LENGTH),
        action=AuditAction(action).value,
        target=_clip(target, NAME_LENGTH),
        client_addr=_clip(actor.client_addr, ADDR_LENGTH),
        details=json.loads(json.dumps(dict(details or {}))),  # as the database gives it back
    )
    session.flush()  # the caller's own earlier rows first, so the head below is the latest
    rec.prev_hash = _chain_head(session)
    rec.row_hash = _expected_hash(rec, rec.prev_hash)
    session.add(rec)
    session.flush()
    return rec


def verify_chain(session: Session, batch: int = 2000) -> ChainReport:
    """Check every row in id order: its hash over its content and the previous row's hash, and its link.

    Returns the number of rows checked, the last row's hash and the first broken row (None when intact).
    """
    a = AuditRecord
    columns = (a.id, a.ts, a.actor, a.action, a.target, a.client_addr, a.details, a.prev_hash, a.row_hash)
    prev, count, last_id = GENESIS, 0, 0
    while True:
        rows = session.execute(select(*columns).where(a.id > last_id).order_by(a.id).limit(batch)).all()
        if not rows:
            return ChainReport(count, None if count == 0 else prev, None)
        for row in rows:
            if row.prev_hash != prev:
                what = "the start of the log" if count == 0 else f"row {last_id}"
                reason = f"does not follow {what}: a row between them was removed, or this one added or changed"
                return ChainReport(count, prev, ChainBreak(row.id, reason))
            expected = row_hash(prev, row.ts, row.actor, row.action, row.target, row.client_addr, dict(row.details))
            if row.row_hash != expected:
                broken = ChainBreak(row.id, "its content does not match its hash: it was changed")
                return ChainReport(count, prev, broken)
            prev, count, last_id = row.row_hash, count + 1, row.id


def audit_scope(units: Sequence[str]) -> ColumnElement[bool]:
    """Rows about the units' subtrees: their users (every unit of the user inside), cameras, snapshots,
    alerts and units, and the exports and tests of those users."""
    unit_ids = list(units)
    if not unit_ids:
        return false()
    outside = select(UserUnitRecord.user_id).where(UserUnitRecord.unit_id.not_in(unit_ids))
    inside = select(UserUnitRecord.user_id).where(UserUnitRecord.unit_id.in_(unit_ids))
    users = select(UserRecord.username).where(UserRecord.id.in_(inside), UserRecord.id.not_in(outside))
    user_targets = select(literal("user:") + UserRecord.username).where(
        UserRecord.id.in_(inside), UserRecord.id.not_in(outside)
    )
    camera_targets = select(literal("camera:") + CameraRecord.id).where(CameraRecord.unit_id.in_(unit_ids))
    alert_targets = select(literal("alert:") + cast(AlertRecord.id, String)).where(AlertRecord.unit_id.in_(unit_ids))
    evidence_targets = (
        select(literal("evidence:") + cast(EvidenceRecord.id, String))
        .join(CameraRecord, CameraRecord.id == EvidenceRecord.camera_id)
        .where(CameraRecord.unit_id.in_(unit_ids))
    )
    return or_(
        AuditRecord.target.in_([f"unit:{u}" for u in unit_ids]),
        AuditRecord.target.in_(user_targets),
        AuditRecord.target.in_(camera_targets),
        AuditRecord.target.in_(alert_targets),
        AuditRecord.target.in_(evidence_targets),
        and_(AuditRecord.target.in_(UNSCOPED_TARGETS), AuditRecord.actor.in_(users)),
    )


class AuditRepository:
    """Insert and read audit rows; there is deliberately no method that changes or removes one."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        ts: datetime,
        actor: AuditActor,
        action: AuditAction,
        target: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one row in its own transaction."""
        with self.db.transaction("cannot write the audit log to", write=True) as session:
            rec = add_audit_row(session, ts, actor, action, target, details)
            session.flush()
            return _entry(rec)

    def find(
        self,
        *,
        scope: Sequence[str] | None = None,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Rows about the ``scope`` units (None: the whole organisation) matching every given filter,
        newest first; ``until`` is exclusive."""
        stmt = self._filtered(select(AuditRecord), scope, actor, action, target, since, until)
        stmt = stmt.order_by(AuditRecord.ts.desc(), AuditRecord.id.desc()).limit(limit).offset(offset)
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            return [_entry(r) for r in session.scalars(stmt)]

    def count(
        self,
        *,
        scope: Sequence[str] | None = None,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        stmt = self._filtered(select(func.count(AuditRecord.id)), scope, actor, action, target, since, until)
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            return int(session.scalar(stmt) or 0)

    def verify(self) -> ChainReport:
        """Check the whole chain (see ``verify_chain``)."""
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            return verify_chain(session)

    def login_failures(self, since: datetime, *, client_addr: str) -> list[datetime]:
        """Times of failed logins from one client address after ``since`` (any username), oldest first."""
        stmt = select(AuditRecord.ts).where(
            AuditRecord.action == AuditAction.LOGIN_FAILURE.value,
            AuditRecord.ts > since,
            AuditRecord.client_addr == client_addr,
        )
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            return list(session.scalars(stmt.order_by(AuditRecord.ts)))

    def failed_logins(
        self, since: datetime, targets: Sequence[str] | None = None
    ) -> dict[str, list[tuple[datetime, str | None]]]:
        """Failed logins after ``since`` per target (``user:<name>``; all targets, or these), oldest
        first, with their client address; only those after the target's last successful login or
        the last lift of its lock-out (``login.unlock``)."""
        reset = aliased(AuditRecord)
        last_reset = (
            select(func.max(reset.ts))
            .where(
                reset.action.in_([AuditAction.LOGIN_SUCCESS.value, AuditAction.LOGIN_UNLOCK.value]),
                reset.target == AuditRecord.target,
            )
            .correlate(AuditRecord)
            .scalar_subquery()
        )
        stmt = select(AuditRecord.target, AuditRecord.ts, AuditRecord.client_addr).where(
            AuditRecord.action == AuditAction.LOGIN_FAILURE.value,
            AuditRecord.ts > since,
            or_(last_reset.is_(None), AuditRecord.ts > last_reset),
        )
        if targets is not None:
            stmt = stmt.where(AuditRecord.target.in_(list(targets)))
        found: dict[str, list[tuple[datetime, str | None]]] = {}
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            for target, ts, addr in session.execute(stmt.order_by(AuditRecord.ts, AuditRecord.id)):
                if target is not None:
                    found.setdefault(target, []).append((ts, addr))
        return found

    @staticmethod
    def _filtered(
        stmt: Select[Any],
        scope: Sequence[str] | None,
        actor: str | None,
        action: str | None,
        target: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Select[Any]:
        if scope is not None:
            stmt = stmt.where(audit_scope(scope))
        if actor is not None:
            stmt = stmt.where(AuditRecord.actor == actor)
        if action is not None:
            stmt = stmt.where(AuditRecord.action == action)
        if target is not None:
            stmt = stmt.where(AuditRecord.target == target)
        if since is not None:
            stmt = stmt.where(AuditRecord.ts >= since)
        if until is not None:
            stmt = stmt.where(AuditRecord.ts < until)
        return stmt
