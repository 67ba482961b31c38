"""The minute figures: zone minute rows and camera coverage, written as parts and read back."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, text
from sqlalchemy.orm import Session

from cvmon.figures import FIGURE_FIELDS, ZoneFigures
from cvmon.storage.database import Database
from cvmon.storage.merge import CameraMinuteKey, MinuteKey, sum_camera_minutes, sum_minute_rows
from cvmon.storage.models import (
    SOURCE_LENGTH,
    Base,
    CameraMinutePartRecord,
    CameraMinuteRecord,
    MinutePartRecord,
    MinuteStatRecord,
    assign_changed,
)
from cvmon.storage.spans import aware_utc, minute_utc, spans
from cvmon.types import COVERAGE_FIELDS, CameraMinute, MinuteRow

MINUTE_WRITE_LOCK = 0x6D696E  # "min": the class of PostgreSQL advisory locks that serialise a camera's minute writes

Item = TypeVar("Item", MinuteRow, CameraMinute)
Key = TypeVar("Key", MinuteKey, CameraMinuteKey)


def _minute_row_of(rec: MinuteStatRecord | MinutePartRecord) -> MinuteRow:
    return MinuteRow(
        camera_id=rec.camera_id,
        zone_id=rec.zone_id,
        zone_kind=rec.zone_kind,
        minute=rec.minute,
        t_first_s=rec.t_first_s,
        t_last_s=rec.t_last_s,
        **{name: getattr(ZoneFigures.from_columns(rec), name) for name in FIGURE_FIELDS},
    )


def _minute_values(row: MinuteRow) -> dict[str, Any]:
    """A minute row's column values (its key left out)."""
    return {"zone_kind": row.zone_kind, **row.as_columns(), "t_first_s": row.t_first_s, "t_last_s": row.t_last_s}


def _camera_minute_of(rec: CameraMinuteRecord | CameraMinutePartRecord) -> CameraMinute:
    values = {name: getattr(rec, name) for name in COVERAGE_FIELDS}
    return CameraMinute(camera_id=rec.camera_id, minute=rec.minute, **values)


def _coverage_values(cam: CameraMinute) -> dict[str, Any]:
    """A camera minute's column values (its key left out)."""
    return {name: getattr(cam, name) for name in COVERAGE_FIELDS}


def _batch_rows(rows: Iterable[MinuteRow]) -> dict[MinuteKey, MinuteRow]:
    """A batch's rows by key; rows of the same key add up (they are all the batch's part)."""
    out: dict[MinuteKey, MinuteRow] = {}
    for row in rows:
        key = (row.camera_id, row.zone_id, minute_utc(row.minute, f"MinuteRow({row.camera_id}/{row.zone_id}).minute"))
        row = replace(row, minute=key[2])
        out[key] = row if key not in out else sum_minute_rows([out[key], row])  # the last row's zone kind
    return out


def _batch_cameras(cameras: Iterable[CameraMinute]) -> dict[CameraMinuteKey, CameraMinute]:
    """A batch's coverage by key; coverage of the same key adds up."""
    out: dict[CameraMinuteKey, CameraMinute] = {}
    for cam in cameras:
        key = (cam.camera_id, minute_utc(cam.minute, f"CameraMinute({cam.camera_id}).minute"))
        cam = replace(cam, minute=key[1])
        out[key] = cam if key not in out else out[key] + cam
    return out


def _lock_key(camera_id: str) -> int:
    """A camera's advisory lock key: a stable signed 32-bit hash of its id."""
    return int.from_bytes(hashlib.blake2b(camera_id.encode(), digest_size=4).digest(), "big", signed=True)


def _lock_cameras(session: Session, camera_ids: set[str]) -> None:
    """On PostgreSQL, wait for and hold (to the end of the transaction) the minute-write lock of each
    camera, in the order of their keys so that two writers never wait on each other; first thing in
    the transaction, so every read after it sees the parts the previous holder committed."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({_lock_key(c) for c in camera_ids}):
        session.execute(text("SELECT pg_advisory_xact_lock(:cls, :key)"), {"cls": MINUTE_WRITE_LOCK, "key": key})


def _zone_minutes(
    record: type[MinuteStatRecord] | type[MinutePartRecord], keys: Sequence[MinuteKey]
) -> ColumnElement[bool]:
    """A condition matching, per camera, its zones of ``keys`` between the first and the last of its minutes."""
    zones: dict[str, set[str]] = defaultdict(set)
    for camera_id, zone_id, _ in keys:
        zones[camera_id].add(zone_id)
    span = spans(record.camera_id, record.minute, ((c, m) for c, _, m in keys))
    return and_(span, or_(*(and_(record.camera_id == c, record.zone_id.in_(sorted(z))) for c, z in zones.items())))


def _camera_minutes(
    record: type[CameraMinuteRecord] | type[CameraMinutePartRecord], keys: Sequence[CameraMinuteKey]
) -> ColumnElement[bool]:
    """A condition matching, per camera, the minutes between the first and the last of ``keys``."""
    return spans(record.camera_id, record.minute, keys)


@dataclass(frozen=True, slots=True)
class _Summed(Generic[Item, Key]):
    """A table whose rows are the sums of their parts in a parts table, keyed by ``key_names``."""

    total: type[Base]
    part: type[Base]
    key_names: tuple[str, ...]
    matching: Callable[[Any, Sequence[Key]], ColumnElement[bool]]  # (record class, keys) -> condition
    item_of: Callable[[Any], Item]  # a record as a value
    values: Callable[[Item], dict[str, Any]]  # a value's columns, its key left out
    summed: Callable[[list[Item], Item], Item]  # (a key's parts, the batch's part) -> its row

    def key_of(self, rec: Any) -> Any:
        return tuple(getattr(rec, name) for name in self.key_names)


_ZONE_MINUTES: _Summed[MinuteRow, MinuteKey] = _Summed(
    MinuteStatRecord,
    MinutePartRecord,
    ("camera_id", "zone_id", "minute"),
    _zone_minutes,
    _minute_row_of,
    _minute_values,
    lambda parts, row: replace(sum_minute_rows(parts), zone_kind=row.zone_kind),
)
_COVERAGE: _Summed[CameraMinute, CameraMinuteKey] = _Summed(
    CameraMinuteRecord,
    CameraMinutePartRecord,
    ("camera_id", "minute"),
    _camera_minutes,
    _camera_minute_of,
    _coverage_values,
    lambda parts, _cam: sum_camera_minutes(parts),
)


def _write_parts(session: Session, table: _Summed[Item, Key], batch: dict[Key, Item], source: str) -> None:
    """Store the batch's parts, then each key's row as the sum of its parts (the rows read first:
    the order of ``PARTITIONED_TABLES``)."""
    keys = list(batch)
    found_rows = session.scalars(select(table.total).where(table.matching(table.total, keys)))
    stored = {table.key_of(rec): rec for rec in found_rows}
    held = [key for key in keys if key in stored]  # a key without its row has no parts either
    found: Iterable[Any] = session.scalars(select(table.part).where(table.matching(table.part, held))) if held else []
    parts: dict[Key, dict[str, Any]] = {key: {} for key in keys}
    for rec in found:
        key = table.key_of(rec)
        if key in parts:
            parts[key][rec.source] = rec
    for key, item in batch.items():
        values = table.values(item)
        part = parts[key].get(source)
        if part is None:
            part = table.part(**dict(zip(table.key_names, key, strict=True)), source=source, **values)
            session.add(part)
            parts[key][source] = part
        else:
            assign_changed(part, values)
    for key, item in batch.items():
        values = table.values(table.summed([table.item_of(parts[key][s]) for s in sorted(parts[key])], item))
        if key in stored:
            assign_changed(stored[key], values)
        else:
            session.add(table.total(**dict(zip(table.key_names, key, strict=True)), **values))


class MinuteRepository:
    """Zone minute rows and camera coverage of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def write_minutes(self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = (), *, source: str) -> bool:
        """Store minute rows and camera coverage as the part ``source`` wrote, in one transaction: all or none.

        Every write carries the identity of the part it holds (``cvmon.pipeline.write_sources``): a
        recording, or one batch of a live run. The part is stored under (key, ``source``) in
        ``minute_parts`` / ``camera_minute_parts``, replacing what that source wrote there before and
        keeping the parts of other sources; ``minute_stats`` / ``camera_minutes`` are set to the sum of
        the key's parts (``cvmon.storage.merge``). So writing a part again (a re-sent batch whose first
        try may have committed, a recording processed again) changes nothing, and a part of another
        source (a late row of a minute already written, the next worker's part of a minute) is added,
        never replacing what is stored. Rows of one key within a batch add up into the batch's part.
        The cameras and zones must have been stored by ``Database.sync_config``.

        On PostgreSQL writers of the same camera are serialised by a transaction-level advisory lock,
        so two workers writing parts of the same minute at once both count; SQLite's writers are
        serialised by ``BEGIN IMMEDIATE``.

        Returns:
            False when there was nothing to write.

        Raises:
            ValueError: a minute is naive or not truncated to the minute, or ``source`` is empty or
                longer than ``SOURCE_LENGTH``.
            StorageError: the database refused the batch (nothing was written).
        """
        if not source or len(source) > SOURCE_LENGTH:
            raise ValueError(f"a write source must be 1 to {SOURCE_LENGTH} characters, not {len(source)}")
        new_rows = _batch_rows(rows)
        new_cameras = _batch_cameras(cameras)
        if not new_rows and not new_cameras:
            return False
        with self.db.transaction("cannot write minute figures to", write=True) as session:
            _lock_cameras(session, {key[0] for key in new_rows} | {key[0] for key in new_cameras})
            if new_rows:
                _write_parts(session, _ZONE_MINUTES, new_rows, source)
            if new_cameras:
                _write_parts(session, _COVERAGE, new_cameras, source)
        return True

    def minute_parts(self, camera_id: str | None = None) -> dict[MinuteKey, dict[str, MinuteRow]]:
        """The stored parts of zone minutes, optionally of one camera: by key, then by source."""
        stmt = select(MinutePartRecord)
        if camera_id is not None:
            stmt = stmt.where(MinutePartRecord.camera_id == camera_id)
        out: dict[MinuteKey, dict[str, MinuteRow]] = defaultdict(dict)
        with self.db.transaction("cannot read minute figures from", write=False) as session:
            for rec in session.scalars(stmt):
                out[(rec.camera_id, rec.zone_id, rec.minute)][rec.source] = _minute_row_of(rec)
        return dict(out)

    def minute_rows(
        self, camera_id: str | None = None, start: datetime | None = None, end: datetime | None = None
    ) -> list[MinuteRow]:
        """Stored minute rows, optionally of one camera and of minutes in ``[start, end)``, by camera, zone, minute."""
        stmt = select(MinuteStatRecord).order_by(
            MinuteStatRecord.camera_id, MinuteStatRecord.zone_id, MinuteStatRecord.minute
        )
        if camera_id is not None:
            stmt = stmt.where(MinuteStatRecord.camera_id == camera_id)
        if start is not None:
            stmt = stmt.where(MinuteStatRecord.minute >= aware_utc(start, "start"))
        if end is not None:
            stmt = stmt.where(MinuteStatRecord.minute < aware_utc(end, "end"))
        with self.db.transaction("cannot read minute figures from", write=False) as session:
            return [_minute_row_of(rec) for rec in session.scalars(stmt)]

    def camera_minutes(
        self, camera_id: str | None = None, start: datetime | None = None, end: datetime | None = None
    ) -> list[CameraMinute]:
        """Stored camera coverage, optionally of one camera and of minutes in ``[start, end)``, by camera, minute."""
        stmt = select(CameraMinuteRecord).order_by(CameraMinuteRecord.camera_id, CameraMinuteRecord.minute)
        if camera_id is not None:
            stmt = stmt.where(CameraMinuteRecord.camera_id == camera_id)
        if start is not None:
            stmt = stmt.where(CameraMinuteRecord.minute >= aware_utc(start, "start"))
        if end is not None:
            stmt = stmt.where(CameraMinuteRecord.minute < aware_utc(end, "end"))
        with self.db.transaction("cannot read camera coverage from", write=False) as session:
            return [_camera_minute_of(rec) for rec in session.scalars(stmt)]
