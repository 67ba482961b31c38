"""Alert records: opened by the rules, then acknowledged, resolved and escalated by people and jobs.

Writes are idempotent on (camera, zone, rule, opened_at): re-processing a recording updates the
alerts it opened the first time instead of opening them again.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cvmon.errors import CvmonError
from cvmon.storage.audit import AuditAction, AuditActor, add_audit_row
from cvmon.storage.database import Database
from cvmon.storage.models import AlertRecord
from cvmon.types import AlertChange, ChangeKind


class FollowUp(enum.StrEnum):
    """What was done about an alert (tindak lanjut)."""

    COACHING = "coaching"
    FLOW_CHANGE = "flow_change"
    ROOM_FIX = "room_fix"
    OTHER = "other"


class AlertNotFound(CvmonError):
    """No alert with that id in the caller's units."""


class AlertStateError(CvmonError):
    """The alert cannot make that transition (e.g. resolved twice)."""


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    rule: str
    unit_id: str
    camera_id: str
    zone_id: str
    opened_at: datetime
    open_value: float
    peak_value: float
    peak_at: datetime
    cleared_at: datetime | None
    escalated_at: datetime | None
    acked_at: datetime | None
    acked_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    followup_category: str | None
    followup_note: str | None

    @property
    def status(self) -> str:
        if self.resolved_at is not None:
            return "resolved"
        if self.acked_at is not None:
            return "acknowledged"
        return "open"

    @property
    def condition(self) -> Literal["ongoing", "cleared"]:
        """``ongoing`` while the rule's condition holds (not cleared yet), then ``cleared``."""
        return "ongoing" if self.cleared_at is None else "cleared"


@dataclass(frozen=True, slots=True)
class BulkAck:
    """What acknowledging several alerts at once did to each id asked for."""

    acknowledged: list[int]  # acknowledged now, each with its own audit row
    skipped: list[int]  # already acknowledged or resolved: left as they were, no audit row
    refused: list[int]  # no such alert in the caller's units


@dataclass(frozen=True, slots=True)
class AppliedChange:
    alert_id: int
    fresh: bool  # False when the database already held this change


def _alert(rec: AlertRecord) -> Alert:
    return Alert(**{f: getattr(rec, f) for f in Alert.__dataclass_fields__})


class AlertRepository:
    """Alerts in the database. Every read takes the units the caller may see (None: all)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def apply_changes(self, unit_id: str, camera_id: str, changes: Sequence[AlertChange]) -> list[AppliedChange]:
        """Store opened alerts, new peaks and clearings; says for each change its alert and whether it
        changed anything (a re-processed recording changes nothing)."""
        applied: list[AppliedChange] = []
        with self.db.transaction("cannot write alerts to", write=True) as session:
            for change in changes:
                rec = session.scalars(
                    select(AlertRecord).where(
                        AlertRecord.camera_id == camera_id,
                        AlertRecord.zone_id == change.zone_id,
                        AlertRecord.rule == change.rule.value,
                        AlertRecord.opened_at == change.opened_at,
                    )
                ).one_or_none()
                fresh = False
                if rec is None:
                    fresh = True
                    if change.kind is not ChangeKind.OPENED:
                        raise AlertStateError(f"{change.kind.value} of an alert that was never opened ({change.rule})")
                    rec = AlertRecord(
                        rule=change.rule.value,
                        unit_id=unit_id,
                        camera_id=camera_id,
                        zone_id=change.zone_id,
                        opened_at=change.opened_at,
                        open_value=change.value,
                        peak_value=change.value,
                        peak_at=change.ts,
                    )
                    session.add(rec)
                elif change.kind is ChangeKind.PEAK and change.value > rec.peak_value:
                    rec.peak_value, rec.peak_at, fresh = change.value, change.ts, True
                elif change.kind is ChangeKind.CLEARED and rec.cleared_at != change.ts:
                    rec.cleared_at, fresh = change.ts, True
                session.flush()
                applied.append(AppliedChange(rec.id, fresh))
        return applied

    def get(self, alert_id: int, units: Sequence[str] | None = None) -> Alert:
        with self.db.transaction("cannot read alerts from", write=False) as session:
            return _alert(self._record(session, alert_id, units))

    def find(
        self,
        units: Sequence[str] | None = None,
        open_only: bool = False,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[Alert]:
        """Newest first; ``open_only`` keeps alerts nobody has resolved yet."""
        stmt = select(AlertRecord).order_by(AlertRecord.opened_at.desc(), AlertRecord.id.desc()).limit(limit)
        if units is not None:
            stmt = stmt.where(AlertRecord.unit_id.in_(list(units)))
        if open_only:
            stmt = stmt.where(AlertRecord.resolved_at.is_(None))
        if since is not None:
            stmt = stmt.where(AlertRecord.opened_at >= since)
        with self.db.transaction("cannot read alerts from", write=False) as session:
            return [_alert(r) for r in session.scalars(stmt)]

    def acknowledge(
        self,
        alert_id: int,
        who: str,
        now: datetime,
        units: Sequence[str] | None = None,
        *,
        audit: AuditActor | None = None,
    ) -> Alert:
        """Acknowledge an alert of the units; with ``audit``, its audit row is written in the same
        transaction, so the change and its row commit together or not at all."""
        with self.db.transaction("cannot write alerts to", write=True) as session:
            rec = self._record(session, alert_id, units)
            if rec.resolved_at is not None:
                raise AlertStateError(f"alert {alert_id} is already resolved")
            if rec.acked_at is None:
                rec.acked_at, rec.acked_by = now, who
            if audit is not None:
                details = {"unit": rec.unit_id, "camera": rec.camera_id, "rule": rec.rule}
                add_audit_row(session, now, audit, AuditAction.ALERT_ACK, f"alert:{alert_id}", details)
            return _alert(rec)

    def acknowledge_many(
        self, alert_ids: Sequence[int], who: str, now: datetime, units: Sequence[str], *, audit: AuditActor
    ) -> BulkAck:
        """Acknowledge the alerts of the units among ``alert_ids`` that nobody acknowledged or resolved
        yet, each with its own audit row, all in one transaction; the others are skipped or refused."""
        wanted = sorted(set(alert_ids))
        acknowledged: list[int] = []
        skipped: list[int] = []
        with self.db.transaction("cannot write alerts to", write=True) as session:
            stmt = select(AlertRecord).where(AlertRecord.id.in_(wanted), AlertRecord.unit_id.in_(list(units)))
            found = {rec.id: rec for rec in session.scalars(stmt.order_by(AlertRecord.id))}
            for rec in found.values():
                if rec.acked_at is not None or rec.resolved_at is not None:
                    skipped.append(rec.id)
                    continue
                rec.acked_at, rec.acked_by = now, who
                details = {"unit": rec.unit_id, "camera": rec.camera_id, "rule": rec.rule, "bulk": True}
                add_audit_row(session, now, audit, AuditAction.ALERT_ACK, f"alert:{rec.id}", details)
                acknowledged.append(rec.id)
        return BulkAck(acknowledged, skipped, [i for i in wanted if i not in found])

    def resolve(
        self,
        alert_id: int,
        who: str,
        now: datetime,
        category: FollowUp,
        note: str,
        units: Sequence[str] | None = None,
        *,
        audit: AuditActor | None = None,
    ) -> Alert:
        """Record the follow-up; resolving also acknowledges an alert nobody acknowledged. With ``audit``,
        its audit row is written in the same transaction."""
        if not note.strip():
            raise AlertStateError("a follow-up note is needed to resolve an alert")
        with self.db.transaction("cannot write alerts to", write=True) as session:
            rec = self._record(session, alert_id, units)
            if rec.resolved_at is not None:
                raise AlertStateError(f"alert {alert_id} is already resolved")
            if rec.acked_at is None:
                rec.acked_at, rec.acked_by = now, who
            rec.resolved_at, rec.resolved_by = now, who
            rec.followup_category, rec.followup_note = category.value, note.strip()[:2000]
            if audit is not None:
                details = {
                    "unit": rec.unit_id,
                    "camera": rec.camera_id,
                    "rule": rec.rule,
                    "category": category.value,
                    "note": note[:500],
                }
                add_audit_row(session, now, audit, AuditAction.ALERT_RESOLVE, f"alert:{alert_id}", details)
            return _alert(rec)

    def escalate_due(self, now: datetime, after_s: dict[str, float], default_after_s: float) -> list[Alert]:
        """Mark escalated the alerts nobody acknowledged in time (per unit delay); returns them."""
        stmt = select(AlertRecord).where(
            AlertRecord.acked_at.is_(None), AlertRecord.resolved_at.is_(None), AlertRecord.escalated_at.is_(None)
        )
        escalated = []
        with self.db.transaction("cannot write alerts to", write=True) as session:
            for rec in session.scalars(stmt):
                delay = after_s.get(rec.unit_id, default_after_s)
                if (now - rec.opened_at).total_seconds() >= delay:
                    rec.escalated_at = now
                    escalated.append(_alert(rec))
        return escalated

    @staticmethod
    def _record(session: Session, alert_id: int, units: Sequence[str] | None) -> AlertRecord:
        rec = session.get(AlertRecord, alert_id)
        if rec is None or (units is not None and rec.unit_id not in units):
            raise AlertNotFound(f"no alert {alert_id}")
        return rec
