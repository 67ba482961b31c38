"""Paged, filtered lists of alerts, snapshots and audit rows, each one statement within the caller's units.

Every function takes the units (or cameras) the caller may see, already narrowed to the unit or
camera they filter by, and puts them into the statement's WHERE clause. A page carries the rows
asked for and the number of rows matching the filters, so a client can page through all of them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from cvmon.storage.alerts import Alert
from cvmon.storage.audit import AuditEntry, audit_scope
from cvmon.storage.evidence import Evidence
from cvmon.storage.models import AlertRecord, AuditRecord, EvidenceRecord
from cvmon.types import Rule

T = TypeVar("T")


class AlertState(enum.StrEnum):
    """Which alerts a list shows, by what still needs doing about them."""

    OPEN = "open"  # not resolved yet (the default)
    ONGOING = "ongoing"  # not resolved, and the rule's condition still holds
    WAITING = "waiting"  # not resolved, the condition is over: waiting for acknowledgement or follow-up
    UNACKNOWLEDGED = "unacknowledged"  # nobody has acknowledged or resolved it
    ACKNOWLEDGED = "acknowledged"  # acknowledged, not resolved yet
    RESOLVED = "resolved"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Rows ``offset`` .. ``offset + len(items)`` of the ``total`` rows that match."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def more(self) -> bool:
        return self.offset + len(self.items) < self.total


def _page(session: Session, stmt: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return list(session.scalars(stmt.limit(limit).offset(offset))), int(total)


def _state_clause(state: AlertState) -> ColumnElement[bool] | None:
    a = AlertRecord
    unresolved = a.resolved_at.is_(None)
    return {
        AlertState.OPEN: unresolved,
        AlertState.ONGOING: and_(unresolved, a.cleared_at.is_(None)),
        AlertState.WAITING: and_(unresolved, a.cleared_at.is_not(None)),
        AlertState.UNACKNOWLEDGED: and_(unresolved, a.acked_at.is_(None)),
        AlertState.ACKNOWLEDGED: and_(unresolved, a.acked_at.is_not(None)),
        AlertState.RESOLVED: a.resolved_at.is_not(None),
        AlertState.ALL: None,
    }[state]


def find_alerts(
    session: Session,
    units: Sequence[str],
    *,
    camera: str | None = None,
    rule: Rule | None = None,
    state: AlertState = AlertState.OPEN,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Alert]:
    """Alerts of the units opened in ``[since, until)``, newest first."""
    a = AlertRecord
    stmt = select(a).where(a.unit_id.in_(list(units))).order_by(a.opened_at.desc(), a.id.desc())
    clause = _state_clause(state)
    if clause is not None:
        stmt = stmt.where(clause)
    if camera is not None:
        stmt = stmt.where(a.camera_id == camera)
    if rule is not None:
        stmt = stmt.where(a.rule == rule.value)
    if since is not None:
        stmt = stmt.where(a.opened_at >= since)
    if until is not None:
        stmt = stmt.where(a.opened_at < until)
    rows, total = _page(session, stmt, limit, offset)
    return Page([Alert(**{f: getattr(r, f) for f in Alert.__dataclass_fields__}) for r in rows], total, limit, offset)


def find_evidence(
    session: Session,
    cameras: Sequence[str],
    *,
    alert: int | None = None,
    rule: Rule | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Evidence]:
    """Snapshots of the cameras taken in ``[since, until)``, newest first; ``rule``: of that rule's alerts."""
    e = EvidenceRecord
    stmt = select(e).where(e.camera_id.in_(list(cameras))).order_by(e.ts.desc(), e.id.desc())
    if alert is not None:
        stmt = stmt.where(e.alert_id == alert)
    if rule is not None:
        stmt = stmt.where(e.alert_id.in_(select(AlertRecord.id).where(AlertRecord.rule == rule.value)))
    if kind is not None:
        stmt = stmt.where(e.kind == kind)
    if since is not None:
        stmt = stmt.where(e.ts >= since)
    if until is not None:
        stmt = stmt.where(e.ts < until)
    rows, total = _page(session, stmt, limit, offset)
    return Page(
        [Evidence(**{f: getattr(r, f) for f in Evidence.__dataclass_fields__}) for r in rows], total, limit, offset
    )


def about_camera(camera_id: str) -> ColumnElement[bool]:
    """Audit rows about one camera: the camera itself, its alerts and its snapshots."""
    alerts = select(literal("alert:") + cast(AlertRecord.id, String)).where(AlertRecord.camera_id == camera_id)
    shots = select(literal("evidence:") + cast(EvidenceRecord.id, String)).where(EvidenceRecord.camera_id == camera_id)
    return or_(
        AuditRecord.target == f"camera:{camera_id}", AuditRecord.target.in_(alerts), AuditRecord.target.in_(shots)
    )


def find_audit(
    session: Session,
    scope: Sequence[str] | None,
    *,
    units: Sequence[str] | None = None,
    camera: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[AuditEntry]:
    """Audit rows about the ``scope`` units (None: the whole organisation), and about ``units`` and
    ``camera`` when given, at ``[since, until)``, newest first."""
    r = AuditRecord
    stmt = select(r).order_by(r.ts.desc(), r.id.desc())
    if scope is not None:
        stmt = stmt.where(audit_scope(scope))
    if units is not None:
        stmt = stmt.where(audit_scope(units))
    if camera is not None:
        stmt = stmt.where(about_camera(camera))
    for column, value in ((r.actor, actor), (r.action, action), (r.target, target)):
        if value is not None:
            stmt = stmt.where(column == value)
    if since is not None:
        stmt = stmt.where(r.ts >= since)
    if until is not None:
        stmt = stmt.where(r.ts < until)
    rows, total = _page(session, stmt, limit, offset)
    entries = [AuditEntry(**{f: getattr(x, f) for f in AuditEntry.__dataclass_fields__}) for x in rows]
    return Page(entries, total, limit, offset)
