"""The append-only audit log: logins, evidence views, exports, alert follow-up and user changes.

Rows are only ever inserted. This module has no update or delete path, and the migration that
creates the table installs triggers that make the database refuse UPDATE and DELETE on it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from cvmon.storage.database import Database
from cvmon.storage.models import NAME_LENGTH, AuditRecord

ADDR_LENGTH = 64


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
    ALERT_ACK = "alert.ack"
    ALERT_RESOLVE = "alert.resolve"
    USER_ADD = "user.add"
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    USER_SET_ROLE = "user.set_role"
    USER_SET_UNITS = "user.set_units"
    USER_SET_PASSWORD = "user.set_password"


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


def _entry(rec: AuditRecord) -> AuditEntry:
    return AuditEntry(**{f: getattr(rec, f) for f in AuditEntry.__dataclass_fields__})


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else value[:length]


def add_audit_row(
    session: Session,
    ts: datetime,
    actor: AuditActor,
    action: AuditAction,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Insert one audit row in the caller's transaction (so a change and its audit row commit together)."""
    rec = AuditRecord(
        ts=ts,
        actor=_clip(actor.name, NAME_LENGTH),
        action=AuditAction(action).value,
        target=_clip(target, NAME_LENGTH),
        client_addr=_clip(actor.client_addr, ADDR_LENGTH),
        details=dict(details or {}),
    )
    session.add(rec)
    return rec


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
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Rows matching every given filter, newest first; ``until`` is exclusive."""
        stmt = self._filtered(select(AuditRecord), actor, action, target, since, until)
        stmt = stmt.order_by(AuditRecord.ts.desc(), AuditRecord.id.desc()).limit(limit).offset(offset)
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            return [_entry(r) for r in session.scalars(stmt)]

    def count(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        stmt = self._filtered(select(func.count(AuditRecord.id)), actor, action, target, since, until)
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            return int(session.scalar(stmt) or 0)

    def login_failures(
        self, since: datetime, *, target: str | None = None, client_addr: str | None = None
    ) -> list[datetime]:
        """Times of failed logins after ``since``, oldest first: of one target (``user:<name>``; only those
        after its last successful login) or from one client address."""
        stmt = select(AuditRecord.ts).where(
            AuditRecord.action == AuditAction.LOGIN_FAILURE.value, AuditRecord.ts > since
        )
        if target is not None:
            last_success = (
                select(func.max(AuditRecord.ts))
                .where(AuditRecord.action == AuditAction.LOGIN_SUCCESS.value, AuditRecord.target == target)
                .scalar_subquery()
            )
            stmt = stmt.where(AuditRecord.target == target, or_(last_success.is_(None), AuditRecord.ts > last_success))
        if client_addr is not None:
            stmt = stmt.where(AuditRecord.client_addr == client_addr)
        with self.db.transaction("cannot read the audit log from", write=False) as session:
            return list(session.scalars(stmt.order_by(AuditRecord.ts)))

    @staticmethod
    def _filtered(
        stmt: Select[Any],
        actor: str | None,
        action: str | None,
        target: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Select[Any]:
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
