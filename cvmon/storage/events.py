"""Camera events: when each camera went online and offline, and where a lost worker's data ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select

from cvmon.storage.database import Database
from cvmon.storage.models import CameraEventRecord, CameraMinuteRecord
from cvmon.storage.spans import aware_utc, spans
from cvmon.types import SourceEvent, SourceEventKind

REASON_LENGTH = 500


class CameraEventRepository:
    """The online/offline events of the cameras of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def write_events(self, events: Sequence[SourceEvent]) -> int:
        """Store camera online/offline events, skipping any already stored; returns how many were new.

        Raises:
            ValueError: an event's time is naive or its kind unknown.
            StorageError: the database refused the batch (nothing was written).
        """
        checked = [
            replace(e, ts=aware_utc(e.ts, f"SourceEvent({e.camera_id}).ts"), kind=SourceEventKind(e.kind))
            for e in events
        ]
        if not checked:
            return 0
        added = 0
        with self.db.transaction("cannot write camera events to", write=True) as session:
            span = spans(CameraEventRecord.camera_id, CameraEventRecord.ts, ((e.camera_id, e.ts) for e in checked))
            stmt = select(CameraEventRecord.camera_id, CameraEventRecord.ts, CameraEventRecord.kind).where(span)
            seen: set[tuple[str, datetime, str]] = {(c, t, k) for c, t, k in session.execute(stmt)}
            for event in checked:
                key = (event.camera_id, event.ts, event.kind.value)
                if key in seen:
                    continue
                seen.add(key)
                session.add(
                    CameraEventRecord(camera_id=key[0], ts=key[1], kind=key[2], reason=event.reason[:REASON_LENGTH])
                )
                added += 1
        return added

    def events(self, camera_id: str | None = None) -> list[SourceEvent]:
        """Stored camera events, optionally of one camera, ordered by camera and time."""
        stmt = select(CameraEventRecord).order_by(
            CameraEventRecord.camera_id, CameraEventRecord.ts, CameraEventRecord.kind
        )
        if camera_id is not None:
            stmt = stmt.where(CameraEventRecord.camera_id == camera_id)
        with self.db.transaction("cannot read camera events from", write=False) as session:
            return [
                SourceEvent(camera_id=rec.camera_id, kind=SourceEventKind(rec.kind), ts=rec.ts, reason=rec.reason)
                for rec in session.scalars(stmt)
            ]

    def resume_point(self, camera_id: str) -> datetime | None:
        """Where a camera's data ends if its previous worker was lost without saying so: its latest
        event is ``online`` (a worker that stops, or a camera that drops, leaves ``offline``). Then the
        time of its last stored frame, or an instant after that event if later; None otherwise."""
        with self.db.transaction("cannot read camera events from", write=False) as session:
            last = session.scalars(
                select(CameraEventRecord)
                .where(CameraEventRecord.camera_id == camera_id)
                .order_by(CameraEventRecord.ts.desc(), CameraEventRecord.kind.desc())
                .limit(1)
            ).first()
            if last is None or last.kind != SourceEventKind.ONLINE.value:
                return None
            minute = session.scalars(
                select(CameraMinuteRecord)
                .where(CameraMinuteRecord.camera_id == camera_id, CameraMinuteRecord.frames_analysed > 0)
                .order_by(CameraMinuteRecord.minute.desc())
                .limit(1)
            ).first()
        ends = last.ts + timedelta(milliseconds=1)  # online for an instant at least
        if minute is not None:
            ends = max(ends, minute.minute + timedelta(seconds=minute.t_last_s))
        return ends
