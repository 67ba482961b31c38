"""Snapshots that wait for the database: written, anonymised, to a staging folder beside the spool,
and moved into the evidence store when their row can be written.

The staging folder is an ``EvidenceStore`` of its own, so a snapshot there has the path it will have
in the evidence store, and only anonymised JPEGs reach it. Keeping it out of the evidence store means
retention never takes a waiting snapshot for an orphan (a file without a row).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from cvmon.errors import EvidenceError, EvidenceTampered
from cvmon.pipeline.evidence_capture import AlertKey, PendingSnapshot
from cvmon.storage.database import Database
from cvmon.storage.evidence_files import FILE_MODE, EvidenceStore
from cvmon.storage.models import EvidenceRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StagedSnapshot:
    """A snapshot whose file is in ``staging`` (or already in the evidence store) and whose row is not written yet.

    ``path`` is relative, the same in the staging folder and in the evidence store.
    """

    kind: str
    ts: datetime
    counts: dict[str, int]
    alert_key: AlertKey | None
    path: str
    sha256: str
    size: int
    staging: Path


def stage_snapshot(staging: EvidenceStore, camera_id: str, snap: PendingSnapshot) -> StagedSnapshot:
    """Write a pending snapshot's file to the staging store.

    Raises:
        EvidenceError: the file cannot be written.
    """
    stored = staging.write(camera_id, snap.ts, snap.kind, snap.jpeg)
    return StagedSnapshot(
        kind=snap.kind,
        ts=snap.ts,
        counts=dict(snap.counts),
        alert_key=snap.alert_key,
        path=stored.path_relative,
        sha256=stored.sha256,
        size=stored.size,
        staging=staging.root,
    )


def record_staged(
    db: Database, store: EvidenceStore, camera_id: str, snap: StagedSnapshot, alert_id: int | None
) -> bool:
    """Move a staged file into ``store`` (unless it is there already), then write its row once (by path).

    A file that is neither staged nor in the store, or whose bytes no longer match, is skipped with a
    warning (returns False): it cannot be recovered, and the rest of its write must not wait for it.

    Raises:
        StorageError: the row cannot be written (the file stays in the store; a retry finds it there).
        EvidenceError: the file cannot be moved.
    """
    parts = PurePosixPath(snap.path).parts
    if not parts or ".." in parts or PurePosixPath(snap.path).is_absolute():
        raise EvidenceError(f"{snap.path}: a staged snapshot must lie inside its folder")
    source, target = snap.staging.joinpath(*parts), store.root.joinpath(*parts)
    if source.exists():
        try:
            _move(source, target)
        except OSError as err:
            raise EvidenceError(f"{target}: cannot move the staged snapshot {source} there ({err.strerror})") from None
    try:
        store.read(snap.path, snap.sha256)
    except EvidenceTampered as err:
        log.warning("[%s] spooled snapshot skipped: %s", camera_id, err)
        return False
    with contextlib.suppress(OSError):
        os.utime(target)  # retention's grace for files without a row counts from now
    with db.transaction("cannot write evidence to", write=True) as session:
        found = session.scalars(select(EvidenceRecord.id).where(EvidenceRecord.path == snap.path)).first()
        if found is None:
            session.add(
                EvidenceRecord(
                    alert_id=alert_id,
                    camera_id=camera_id,
                    ts=snap.ts,
                    kind=snap.kind,
                    path=snap.path,
                    sha256=snap.sha256,
                    size=snap.size,
                    counts=dict(snap.counts),
                )
            )
    return True


def _move(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target``; across file systems, copy to a temporary file beside it first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        partial = target.with_name(f".tmp-{target.name}.part")
        shutil.copyfile(source, partial)
        os.chmod(partial, FILE_MODE)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        source.unlink()
    with contextlib.suppress(OSError):
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
