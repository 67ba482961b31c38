"""Room readiness as stored: each camera's reference in use and the pictures of its checks on a day.

A check's findings are the counts of its snapshot (``cvmon.types.room.findings_counts``). Callers pass
the cameras they may see (``queries.camera_statuses`` of their units); nothing else is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cvmon.storage.models import EvidenceRecord
from cvmon.types.room import RegionStatus, RoomCondition, counts_findings

REFERENCE, OPENING, CHECK = "room_reference", "room_opening", "room_check"


@dataclass(frozen=True, slots=True)
class RoomPicture:
    """A stored room picture (its evidence id) with what the check found."""

    evidence_id: int
    ts: datetime
    kind: str
    ready: bool
    condition: RoomCondition
    regions: dict[str, RegionStatus]


@dataclass(frozen=True, slots=True)
class RoomDay:
    """One camera's room on one local day: its reference, the opening verdict and the latest check."""

    camera_id: str
    reference: RoomPicture | None
    opening: RoomPicture | None
    latest: RoomPicture | None  # the latest picture of the day (the opening's when nothing changed since)


def _picture(rec: EvidenceRecord) -> RoomPicture:
    ready, condition, regions = counts_findings(dict(rec.counts or {}))
    return RoomPicture(rec.id, rec.ts, rec.kind, ready, condition, regions)


def room_days(session: Session, camera_ids: Sequence[str], start: datetime, end: datetime) -> list[RoomDay]:
    """Each camera's room between ``start`` and ``end`` (a local day), cameras in the order given."""
    ids = list(camera_ids)
    newest = select(func.max(EvidenceRecord.id)).where(
        EvidenceRecord.kind == REFERENCE, EvidenceRecord.camera_id.in_(ids)
    )
    references = {
        r.camera_id: _picture(r)
        for r in session.scalars(
            select(EvidenceRecord).where(EvidenceRecord.id.in_(newest.group_by(EvidenceRecord.camera_id)))
        )
    }
    checks = session.scalars(
        select(EvidenceRecord)
        .where(
            EvidenceRecord.camera_id.in_(ids),
            EvidenceRecord.kind.in_((OPENING, CHECK)),
            EvidenceRecord.ts >= start,
            EvidenceRecord.ts < end,
        )
        .order_by(EvidenceRecord.ts, EvidenceRecord.id)
    ).all()
    out = []
    for camera_id in ids:
        mine = [_picture(r) for r in checks if r.camera_id == camera_id]
        opening = next((p for p in mine if p.kind == OPENING), None)
        out.append(RoomDay(camera_id, references.get(camera_id), opening, mine[-1] if mine else None))
    return out
