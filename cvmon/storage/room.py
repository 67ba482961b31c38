"""Room references: a camera's anonymised picture of its tidy, empty room, kept as evidence.

Marking one writes the file, then its evidence row (kind ``room_reference``) and its audit row in one
transaction, then the working copy the camera compares with (``EvidenceStore.write_reference``).
The newest ``room_reference`` of a camera is the one in use; retention keeps it however old it is
(``cvmon.storage.retention``), and the older ones expire as any snapshot does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from cvmon.errors import CvmonError
from cvmon.storage.audit import AuditAction, AuditActor, add_audit_row
from cvmon.storage.database import Database
from cvmon.storage.evidence import Evidence, _evidence
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.models import EvidenceRecord
from cvmon.types import AnonymisedJpeg

REFERENCE_KIND = "room_reference"


def references_in_use():  # type: ignore[no-untyped-def]
    """Ids of each camera's newest room reference (a subquery)."""
    return (
        select(func.max(EvidenceRecord.id))
        .where(EvidenceRecord.kind == REFERENCE_KIND)
        .group_by(EvidenceRecord.camera_id)
    )


def mark_reference(
    db: Database,
    store: EvidenceStore,
    camera_id: str,
    ts: datetime,
    jpeg: AnonymisedJpeg,
    actor: AuditActor,
    source: str,
) -> Evidence:
    """Store ``jpeg`` as the camera's room reference, audited as ``room.reference`` with its source
    (``frame``: the camera's picture now, ``file``: an image an admin gave)."""
    stored = store.write(camera_id, ts, REFERENCE_KIND, jpeg)
    try:
        with db.transaction("cannot store the room reference in", write=True) as session:
            rec = EvidenceRecord(
                alert_id=None,
                camera_id=camera_id,
                ts=ts,
                kind=REFERENCE_KIND,
                path=stored.path_relative,
                sha256=stored.sha256,
                size=stored.size,
                counts={},
            )
            session.add(rec)
            session.flush()
            add_audit_row(
                session,
                ts,
                actor,
                AuditAction.ROOM_REFERENCE,
                f"camera:{camera_id}",
                {"evidence": rec.id, "source": source},
            )
            evidence = _evidence(rec)
    except CvmonError:
        store.delete(stored.path_relative)
        raise
    store.write_reference(camera_id, jpeg)
    return evidence


def current_references(db: Database, camera_ids: Sequence[str]) -> dict[str, Evidence]:
    """Each of these cameras' reference in use."""
    stmt = select(EvidenceRecord).where(
        EvidenceRecord.id.in_(references_in_use()), EvidenceRecord.camera_id.in_(list(camera_ids))
    )
    with db.transaction("cannot read room references from", write=False) as session:
        return {r.camera_id: _evidence(r) for r in session.scalars(stmt)}
