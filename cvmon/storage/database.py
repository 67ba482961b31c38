"""The cvmon database: open (and migrate) it, write and read minute figures (the configuration:
``cvmon.storage.config_history``)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

from alembic.util.exc import CommandError
from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from cvmon.figures import FIGURE_FIELDS, ZoneFigures
from cvmon.storage.coverage import COVERAGE_FIELDS, CameraMinute
from cvmon.storage.engine import SQLITE_IMMEDIATE, make_engine, mask_url, storage_error
from cvmon.storage.merge import CameraMinuteKey, MinuteKey, sum_camera_minutes, sum_minute_rows
from cvmon.storage.migrate import upgrade_to_head
from cvmon.storage.models import (
    SOURCE_LENGTH,
    Base,
    CameraEventRecord,
    CameraMinutePartRecord,
    CameraMinuteRecord,
    CameraRecord,
    MinutePartRecord,
    MinuteStatRecord,
    ZoneRecord,
)
from cvmon.types import MinuteRow, SourceEvent, SourceEventKind

REASON_LENGTH = 500
MINUTE_WRITE_LOCK = 0x6D696E  # "min": the class of PostgreSQL advisory locks that serialise a camera's minute writes
Part = TypeVar("Part", MinutePartRecord, CameraMinutePartRecord)


def open_database(url: str) -> Database:
    """Connect to ``url`` (SQLite or PostgreSQL), bring its schema to the newest revision and return it.

    For SQLite the file's folder is created when missing. Opening the same database again is harmless.

    Raises:
        StorageError: the database cannot be reached, created or migrated; the message is one line
            and shows the URL with its password masked.
    """
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
    except (SQLAlchemyError, OSError, CommandError) as err:
        engine.dispose()
        raise storage_error("cannot open database", err, url) from None
    return Database(engine, url)


def _aware_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} must be timezone-aware")
    return value.astimezone(UTC)


def _minute_utc(value: datetime, what: str) -> datetime:
    utc = _aware_utc(value, what)
    if utc.second or utc.microsecond:
        raise ValueError(f"{what} {value.isoformat()} must be truncated to the minute")
    return utc


def _checked_minute_row(row: MinuteRow) -> MinuteRow:
    minute = _minute_utc(row.minute, f"MinuteRow({row.camera_id}/{row.zone_id}).minute")
    return replace(row, minute=minute)


def _checked_camera_minute(cam: CameraMinute) -> CameraMinute:
    return replace(cam, minute=_minute_utc(cam.minute, f"CameraMinute({cam.camera_id}).minute"))


def _minute_key(row: MinuteRow) -> MinuteKey:
    return (row.camera_id, row.zone_id, row.minute)


def _camera_key(cam: CameraMinute) -> CameraMinuteKey:
    return (cam.camera_id, cam.minute)


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
        key = _minute_key(row)
        out[key] = row if key not in out else sum_minute_rows([out[key], row])  # the last row's zone kind
    return out


def _batch_cameras(cameras: Iterable[CameraMinute]) -> dict[CameraMinuteKey, CameraMinute]:
    """A batch's coverage by key; coverage of the same key adds up."""
    out: dict[CameraMinuteKey, CameraMinute] = {}
    for cam in cameras:
        key = _camera_key(cam)
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
    record: type[MinuteStatRecord] | type[MinutePartRecord], keys: list[MinuteKey]
) -> ColumnElement[bool]:
    """A condition matching, per camera, its zones of ``keys`` between the first and the last of its minutes."""
    zones: dict[str, set[str]] = defaultdict(set)
    for camera_id, zone_id, _ in keys:
        zones[camera_id].add(zone_id)
    span = _spans(record.camera_id, record.minute, ((c, m) for c, _, m in keys))
    return and_(span, or_(*(and_(record.camera_id == c, record.zone_id.in_(sorted(z))) for c, z in zones.items())))


def _by_key(records: Iterable[Part], key_of: Callable[[Part], Any], keys: list[Any]) -> dict[Any, dict[str, Part]]:
    """Part records found, by key of ``keys`` (others dropped) and then by source."""
    wanted = set(keys)
    out: dict[Any, dict[str, Part]] = {key: {} for key in keys}
    for rec in records:
        key = key_of(rec)
        if key in wanted:
            out[key][rec.source] = rec
    return out


def _spans(
    camera: InstrumentedAttribute[str], time: InstrumentedAttribute[datetime], keys: Iterable[tuple[str, datetime]]
) -> ColumnElement[bool]:
    """A condition matching, per camera, the times between the first and the last of ``keys``."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for camera_id, ts in keys:
        times[camera_id].append(ts)
    return or_(*(and_(camera == c, time >= min(ts), time <= max(ts)) for c, ts in times.items()))


def _set_fields(rec: Base, values: dict[str, Any]) -> bool:
    """Assign the values that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(rec, name) != value:
            setattr(rec, name, value)
            changed = True
    return changed


class Database:
    """An open cvmon database. Use ``open_database``; close it (or use it as a context manager) when done."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            bind=engine.execution_options(**{SQLITE_IMMEDIATE: True}), expire_on_commit=False
        )

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> str:
        """The database URL with its password masked, safe to print."""
        return mask_url(self._url)

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def _transaction(self, action: str, *, write: bool) -> Iterator[Session]:
        """A session in one transaction, committed at the end; database errors become StorageError."""
        factory = self._write_sessions if write else self._sessions
        try:
            with factory() as session, session.begin():
                yield session
        except SQLAlchemyError as err:
            raise storage_error(action, err, self._url) from None

    def transaction(self, action: str, *, write: bool) -> AbstractContextManager[Session]:
        """A session in one transaction for other repositories (alerts, evidence, outbox);
        ``action`` names what failed in the StorageError, e.g. "cannot write alerts to"."""
        return self._transaction(action, write=write)

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
        The cameras and zones must have been stored by ``config_history.sync_config``.

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
        new_rows = _batch_rows(_checked_minute_row(row) for row in rows)
        new_cameras = _batch_cameras(_checked_camera_minute(cam) for cam in cameras)
        if not new_rows and not new_cameras:
            return False
        with self._transaction("cannot write minute figures to", write=True) as session:
            _lock_cameras(session, {key[0] for key in new_rows} | {key[0] for key in new_cameras})
            if new_rows:
                self._write_minute_parts(session, new_rows, source)
            if new_cameras:
                self._write_camera_parts(session, new_cameras, source)
        return True

    @staticmethod
    def _write_minute_parts(session: Session, rows: dict[MinuteKey, MinuteRow], source: str) -> None:
        """Store the batch's parts, then each key's row as the sum of its parts (the rows read first:
        the order of ``PARTITIONED_TABLES``)."""
        keys = list(rows)
        stored = {
            (rec.camera_id, rec.zone_id, rec.minute): rec
            for rec in session.scalars(select(MinuteStatRecord).where(_zone_minutes(MinuteStatRecord, keys)))
        }
        held = [key for key in keys if key in stored]  # a key without its row has no parts either
        parts = _by_key(
            session.scalars(select(MinutePartRecord).where(_zone_minutes(MinutePartRecord, held))) if held else [],
            lambda rec: (rec.camera_id, rec.zone_id, rec.minute),
            keys,
        )
        for key, row in rows.items():
            values = _minute_values(row)
            part = parts[key].get(source)
            if part is None:
                part = MinutePartRecord(camera_id=key[0], zone_id=key[1], minute=key[2], source=source, **values)
                session.add(part)
                parts[key][source] = part
            else:
                _set_fields(part, values)
        for key, row in rows.items():
            summed = sum_minute_rows([_minute_row_of(parts[key][s]) for s in sorted(parts[key])])
            values = _minute_values(replace(summed, zone_kind=row.zone_kind))
            if key in stored:
                _set_fields(stored[key], values)
            else:
                session.add(MinuteStatRecord(camera_id=key[0], zone_id=key[1], minute=key[2], **values))

    @staticmethod
    def _write_camera_parts(session: Session, cameras: dict[CameraMinuteKey, CameraMinute], source: str) -> None:
        """Store the batch's coverage parts, then each key's coverage as the sum of its parts (read first)."""
        keys = list(cameras)
        span = _spans(CameraMinuteRecord.camera_id, CameraMinuteRecord.minute, keys)
        stored = {(rec.camera_id, rec.minute): rec for rec in session.scalars(select(CameraMinuteRecord).where(span))}
        held = [key for key in keys if key in stored]  # a key without its coverage has no parts either
        held_span = _spans(CameraMinutePartRecord.camera_id, CameraMinutePartRecord.minute, held) if held else None
        parts = _by_key(
            session.scalars(select(CameraMinutePartRecord).where(held_span)) if held_span is not None else [],
            lambda rec: (rec.camera_id, rec.minute),
            keys,
        )
        for key, cam in cameras.items():
            values = _coverage_values(cam)
            part = parts[key].get(source)
            if part is None:
                part = CameraMinutePartRecord(camera_id=key[0], minute=key[1], source=source, **values)
                session.add(part)
                parts[key][source] = part
            else:
                _set_fields(part, values)
        for key in keys:
            summed = sum_camera_minutes([_camera_minute_of(parts[key][s]) for s in sorted(parts[key])])
            values = _coverage_values(summed)
            if key in stored:
                _set_fields(stored[key], values)
            else:
                session.add(CameraMinuteRecord(camera_id=key[0], minute=key[1], **values))

    def minute_parts(self, camera_id: str | None = None) -> dict[MinuteKey, dict[str, MinuteRow]]:
        """The stored parts of zone minutes, optionally of one camera: by key, then by source."""
        stmt = select(MinutePartRecord)
        if camera_id is not None:
            stmt = stmt.where(MinutePartRecord.camera_id == camera_id)
        out: dict[MinuteKey, dict[str, MinuteRow]] = defaultdict(dict)
        with self._transaction("cannot read minute figures from", write=False) as session:
            for rec in session.scalars(stmt):
                out[(rec.camera_id, rec.zone_id, rec.minute)][rec.source] = _minute_row_of(rec)
        return dict(out)

    def ping(self) -> None:
        """Nothing, when the database answers.

        Raises:
            StorageError: it does not.
        """
        with self._transaction("cannot reach", write=False) as session:
            session.execute(select(1))

    def write_events(self, events: Sequence[SourceEvent]) -> int:
        """Store camera online/offline events, skipping any already stored; returns how many were new.

        Raises:
            ValueError: an event's time is naive or its kind unknown.
            StorageError: the database refused the batch (nothing was written).
        """
        checked = [
            replace(e, ts=_aware_utc(e.ts, f"SourceEvent({e.camera_id}).ts"), kind=SourceEventKind(e.kind))
            for e in events
        ]
        if not checked:
            return 0
        added = 0
        with self._transaction("cannot write camera events to", write=True) as session:
            span = _spans(CameraEventRecord.camera_id, CameraEventRecord.ts, ((e.camera_id, e.ts) for e in checked))
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
            stmt = stmt.where(MinuteStatRecord.minute >= _aware_utc(start, "start"))
        if end is not None:
            stmt = stmt.where(MinuteStatRecord.minute < _aware_utc(end, "end"))
        with self._transaction("cannot read minute figures from", write=False) as session:
            return [_minute_row_of(rec) for rec in session.scalars(stmt)]

    def camera_minutes(
        self, camera_id: str | None = None, start: datetime | None = None, end: datetime | None = None
    ) -> list[CameraMinute]:
        """Stored camera coverage, optionally of one camera and of minutes in ``[start, end)``, by camera, minute."""
        stmt = select(CameraMinuteRecord).order_by(CameraMinuteRecord.camera_id, CameraMinuteRecord.minute)
        if camera_id is not None:
            stmt = stmt.where(CameraMinuteRecord.camera_id == camera_id)
        if start is not None:
            stmt = stmt.where(CameraMinuteRecord.minute >= _aware_utc(start, "start"))
        if end is not None:
            stmt = stmt.where(CameraMinuteRecord.minute < _aware_utc(end, "end"))
        with self._transaction("cannot read camera coverage from", write=False) as session:
            return [_camera_minute_of(rec) for rec in session.scalars(stmt)]

    def stored_zone_ids(self, camera_id: str) -> set[str] | None:
        """The zones of a camera that ``config_history.sync_config`` has stored; None when the camera is not stored."""
        with self._transaction("cannot read zones from", write=False) as session:
            if session.get(CameraRecord, camera_id) is None:
                return None
            return set(session.scalars(select(ZoneRecord.zone_id).where(ZoneRecord.camera_id == camera_id)))

    def resume_point(self, camera_id: str) -> datetime | None:
        """Where a camera's data ends if its previous worker was lost without saying so: its latest
        event is ``online`` (a worker that stops, or a camera that drops, leaves ``offline``). Then the
        time of its last stored frame, or an instant after that event if later; None otherwise."""
        with self._transaction("cannot read camera events from", write=False) as session:
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

    def events(self, camera_id: str | None = None) -> list[SourceEvent]:
        """Stored camera events, optionally of one camera, ordered by camera and time."""
        stmt = select(CameraEventRecord).order_by(
            CameraEventRecord.camera_id, CameraEventRecord.ts, CameraEventRecord.kind
        )
        if camera_id is not None:
            stmt = stmt.where(CameraEventRecord.camera_id == camera_id)
        with self._transaction("cannot read camera events from", write=False) as session:
            return [
                SourceEvent(camera_id=rec.camera_id, kind=SourceEventKind(rec.kind), ts=rec.ts, reason=rec.reason)
                for rec in session.scalars(stmt)
            ]

    def count_rows(self) -> dict[str, int]:
        """Number of rows in every cvmon table, by table name."""
        with self._transaction("cannot count rows in", write=False) as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in Base.metadata.tables.items()
            }
