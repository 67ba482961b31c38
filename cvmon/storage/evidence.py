"""Evidence rows: each anonymised snapshot on disk has one row with its sha256, and no row
without its file nor file without its row survives a write or a delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cvmon.errors import CvmonError
from cvmon.storage.database import Database
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.models import EvidenceRecord
from cvmon.types import AnonymisedJpeg


class EvidenceNotFound(CvmonError):
    """No evidence with that id (in the caller's scope)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    id: int
    alert_id: int | None
    camera_id: str
    ts: datetime
    kind: str
    path: str
    sha256: str
    size: int
    counts: dict[str, int]


def _evidence(rec: EvidenceRecord) -> Evidence:
    return Evidence(**{f: getattr(rec, f) for f in Evidence.__dataclass_fields__})


class EvidenceRepository:
    """Snapshots on disk and their rows."""

    def __init__(self, db: Database, store: EvidenceStore) -> None:
        self.db = db
        self.store = store

    def add(
        self,
        camera_id: str,
        kind: str,
        ts: datetime,
        jpeg: AnonymisedJpeg,
        counts: dict[str, int],
        alert_id: int | None = None,
    ) -> Evidence:
        """Write the file, then its row; if the row cannot be written the file is removed again."""
        stored = self.store.write(camera_id, ts, kind, jpeg)
        try:
            with self.db.transaction("cannot write evidence to", write=True) as session:
                rec = session.scalars(select(EvidenceRecord).where(EvidenceRecord.path == stored.path_relative)).first()
                if rec is None:
                    rec = EvidenceRecord(
                        alert_id=alert_id,
                        camera_id=camera_id,
                        ts=ts,
                        kind=kind,
                        path=stored.path_relative,
                        sha256=stored.sha256,
                        size=stored.size,
                        counts=dict(counts),
                    )
                    session.add(rec)
                    session.flush()
                return _evidence(rec)
        except CvmonError:
            self.store.delete(stored.path_relative)
            raise

    def find(
        self,
        camera_ids: Sequence[str] | None = None,
        alert_id: int | None = None,
        limit: int = 200,
        *,
        evidence_id: int | None = None,
    ) -> list[Evidence]:
        """Rows newest first, of these cameras (all: None), of one alert, or the one with ``evidence_id``."""
        stmt = select(EvidenceRecord).order_by(EvidenceRecord.ts.desc(), EvidenceRecord.id.desc()).limit(limit)
        if evidence_id is not None:
            stmt = stmt.where(EvidenceRecord.id == evidence_id)
        if camera_ids is not None:
            stmt = stmt.where(EvidenceRecord.camera_id.in_(list(camera_ids)))
        if alert_id is not None:
            stmt = stmt.where(EvidenceRecord.alert_id == alert_id)
        with self.db.transaction("cannot read evidence from", write=False) as session:
            return [_evidence(r) for r in session.scalars(stmt)]

    def read(self, evidence_id: int, camera_ids: Sequence[str] | None = None) -> tuple[Evidence, bytes]:
        """The JPEG of a snapshot, its sha256 checked (EvidenceTampered when it does not match)."""
        with self.db.transaction("cannot read evidence from", write=False) as session:
            rec = session.get(EvidenceRecord, evidence_id)
            if rec is None or (camera_ids is not None and rec.camera_id not in camera_ids):
                raise EvidenceNotFound(f"no evidence {evidence_id}")
            evidence = _evidence(rec)
        return evidence, self.store.read(evidence.path, evidence.sha256)

    def delete(self, evidence_id: int) -> None:
        """Remove the row and its file together."""
        with self.db.transaction("cannot delete evidence from", write=True) as session:
            rec = session.get(EvidenceRecord, evidence_id)
            if rec is None:
                raise EvidenceNotFound(f"no evidence {evidence_id}")
            path = rec.path
            session.delete(rec)
        self.store.delete(path)
