"""Reference greetings: each staff zone's greeting as recorded on site, as normalised keypoints only.

A reference is the JSON of ``cvmon.behaviour.reference.GreetingReference`` (no image coordinates, no
video), one per camera and staff zone; recording a new one replaces the old, audited as
``greeting.reference`` in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from cvmon.storage.audit import AuditAction, AuditActor, add_audit_row
from cvmon.storage.database import Database
from cvmon.storage.models import GreetingReferenceRecord


@dataclass(frozen=True, slots=True)
class StoredReference:
    """A staff zone's reference greeting as stored."""

    camera_id: str
    zone_id: str
    created_at: datetime
    created_by: str | None
    frames: int
    reference_json: str


def save_reference(
    db: Database,
    camera_id: str,
    zone_id: str,
    reference_json: str,
    frames: int,
    ts: datetime,
    actor: AuditActor,
) -> StoredReference:
    """Store (or replace) a staff zone's reference greeting, audited with the frames it holds."""
    data: dict[str, Any] = json.loads(reference_json)
    with db.transaction("cannot store the reference greeting in", write=True) as session:
        rec = session.get(GreetingReferenceRecord, (camera_id, zone_id))
        if rec is None:
            rec = GreetingReferenceRecord(camera_id=camera_id, zone_id=zone_id)
            session.add(rec)
        rec.created_at, rec.created_by, rec.frames, rec.reference = ts, actor.name, frames, data
        session.flush()
        add_audit_row(
            session,
            ts,
            actor,
            AuditAction.GREETING_REFERENCE,
            f"camera:{camera_id}",
            {"zone": zone_id, "frames": frames},
        )
    return StoredReference(camera_id, zone_id, ts, actor.name, frames, reference_json)


def load_references(db: Database, camera_id: str) -> dict[str, StoredReference]:
    """A camera's reference greetings by staff zone."""
    stmt = select(GreetingReferenceRecord).where(GreetingReferenceRecord.camera_id == camera_id)
    with db.transaction("cannot read reference greetings from", write=False) as session:
        return {
            r.zone_id: StoredReference(
                r.camera_id, r.zone_id, r.created_at, r.created_by, r.frames, json.dumps(r.reference)
            )
            for r in session.scalars(stmt)
        }
