"""The cvmon database: open (and migrate) it, sync the configuration, write and read minute figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy import ColumnElement, Engine, and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from cvmon.config.models import CameraConfig, Config, UnitConfig, ZoneConfig
from cvmon.figures import FIGURE_FIELDS, ZoneFigures
from cvmon.storage.coverage import COVERAGE_FIELDS, CameraMinute
from cvmon.storage.engine import SQLITE_IMMEDIATE, make_engine, mask_url, storage_error
from cvmon.storage.merge import (
    CameraMinuteKey,
    MinuteKey,
    camera_minutes_after,
    minute_rows_after,
)
from cvmon.storage.migrate import upgrade_to_head
from cvmon.storage.models import (
    Base,
    CameraEventRecord,
    CameraMinuteRecord,
    CameraRecord,
    MinuteStatRecord,
    UnitRecord,
    ZoneRecord,
)
from cvmon.types import MinuteRow, SourceEvent, SourceEventKind

REASON_LENGTH = 500


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


@dataclass(frozen=True, slots=True)
class StoredMinutes:
    """What the database held under the keys of a batch of minute rows and coverage (missing: none)."""

    rows: tuple[MinuteRow, ...] = ()
    cameras: tuple[CameraMinute, ...] = ()


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


def _holds_after(
    current: StoredMinutes, before: StoredMinutes, rows: list[MinuteRow], cameras: list[CameraMinute]
) -> bool:
    """Whether ``current`` is exactly what ``rows`` and ``cameras`` leave when written over ``before``."""
    want_rows = minute_rows_after({_minute_key(r): _checked_minute_row(r) for r in before.rows}, rows)
    want_cameras = camera_minutes_after({_camera_key(c): _checked_camera_minute(c) for c in before.cameras}, cameras)
    held_rows = {_minute_key(r): r for r in current.rows}
    held_cameras = {_camera_key(c): c for c in current.cameras}
    return held_rows == want_rows and held_cameras == want_cameras


def _minute_row_of(rec: MinuteStatRecord) -> MinuteRow:
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


def _camera_minute_of(rec: CameraMinuteRecord) -> CameraMinute:
    values = {name: getattr(rec, name) for name in COVERAGE_FIELDS}
    return CameraMinute(camera_id=rec.camera_id, minute=rec.minute, **values)


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


def _parents_first(units: Sequence[UnitConfig]) -> list[UnitConfig]:
    """Units ordered so that every parent comes before its children (the config has no cycles)."""
    by_id = {u.id: u for u in units}

    def depth(unit: UnitConfig) -> int:
        d = 0
        while unit.parent is not None and unit.parent in by_id:
            unit = by_id[unit.parent]
            d += 1
        return d

    return sorted(units, key=depth)


def _unit_values(config: Config, unit: UnitConfig) -> dict[str, Any]:
    return {
        "name": unit.name,
        "level": unit.level,
        "parent_id": unit.parent,
        "timezone": config.unit_timezone(unit.id).key,
    }


def _camera_values(config: Config, cam: CameraConfig) -> dict[str, Any]:
    return {
        "unit_id": cam.unit,
        "name": cam.name,
        "source_kind": "rtsp" if cam.is_live else "file",
        "analysis_fps": float(config.fps_for(cam)),
    }


def _zone_values(zone: ZoneConfig) -> dict[str, Any]:
    return {
        "kind": zone.kind.value,
        "name": zone.name,
        "capacity": zone.capacity,
        "queue_zone_id": zone.queue,
        "counter_zone_id": zone.counter,
        "points": [[float(x), float(y)] for x, y in zone.points],
    }


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

    def sync_config(self, config: Config) -> None:
        """Insert or update the units, cameras and zones of ``config``; running it twice changes nothing.

        Units, cameras and zones that left the configuration are kept, so their history stays readable.
        """
        now = datetime.now(UTC)
        with self._transaction("cannot store the configuration in", write=True) as session:
            units = {rec.id: rec for rec in session.scalars(select(UnitRecord))}
            for unit in _parents_first(config.units):
                values = _unit_values(config, unit)
                if unit.id in units:
                    _set_fields(units[unit.id], values)
                else:
                    session.add(UnitRecord(id=unit.id, **values))
                session.flush()
            cameras = {rec.id: rec for rec in session.scalars(select(CameraRecord))}
            zones = {(rec.camera_id, rec.zone_id): rec for rec in session.scalars(select(ZoneRecord))}
            for cam in config.cameras:
                values = _camera_values(config, cam)
                if cam.id in cameras:
                    if _set_fields(cameras[cam.id], values):
                        cameras[cam.id].updated_at = now
                else:
                    session.add(CameraRecord(id=cam.id, updated_at=now, **values))
                for zone in cam.zones:
                    zone_values = _zone_values(zone)
                    if (cam.id, zone.id) in zones:
                        _set_fields(zones[(cam.id, zone.id)], zone_values)
                    else:
                        session.add(ZoneRecord(camera_id=cam.id, zone_id=zone.id, **zone_values))
                session.flush()

    def write_minutes(
        self,
        rows: Sequence[MinuteRow],
        cameras: Sequence[CameraMinute] = (),
        *,
        unless_stored_after: StoredMinutes | None = None,
    ) -> bool:
        """Store minute rows and camera coverage in one transaction: all of them or none.

        For a key that is already stored, overlapping covered seconds mean a re-run (the new row
        replaces the old) and disjoint ones a resumed minute (the two are merged); see
        ``cvmon.storage.merge``. The cameras and zones must have been stored by ``sync_config``.

        A batch re-sent after a try whose commit is unknown passes ``unless_stored_after``: what its
        keys held before that try (``stored_minutes``). If they now hold exactly what the batch leaves
        over that, the try did commit and nothing is written (a resumed minute's part is not merged twice).

        Returns:
            False when there was nothing to write or ``unless_stored_after`` found the batch stored.

        Raises:
            ValueError: a minute is naive or not truncated to the minute.
            StorageError: the database refused the batch (nothing was written).
        """
        new_rows = [_checked_minute_row(row) for row in rows]
        new_cameras = [_checked_camera_minute(cam) for cam in cameras]
        if not new_rows and not new_cameras:
            return False
        with self._transaction("cannot write minute figures to", write=True) as session:
            stored_rows = self._minute_records(session, new_rows)
            stored_cameras = self._camera_minute_records(session, new_cameras)
            current = StoredMinutes(
                tuple(_minute_row_of(rec) for rec in stored_rows.values()),
                tuple(_camera_minute_of(rec) for rec in stored_cameras.values()),
            )
            if unless_stored_after is not None and _holds_after(current, unless_stored_after, new_rows, new_cameras):
                return False
            after_rows = minute_rows_after({_minute_key(r): r for r in current.rows}, new_rows)
            for key, row in after_rows.items():
                values = _minute_values(row)
                if key in stored_rows:
                    _set_fields(stored_rows[key], values)
                else:
                    session.add(MinuteStatRecord(camera_id=key[0], zone_id=key[1], minute=key[2], **values))
            after_cameras = camera_minutes_after({_camera_key(c): c for c in current.cameras}, new_cameras)
            for cam_key, cam in after_cameras.items():
                cam_values = {name: getattr(cam, name) for name in COVERAGE_FIELDS}
                if cam_key in stored_cameras:
                    _set_fields(stored_cameras[cam_key], cam_values)
                else:
                    session.add(CameraMinuteRecord(camera_id=cam_key[0], minute=cam_key[1], **cam_values))
        return True

    def stored_minutes(self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = ()) -> StoredMinutes:
        """What the database holds under the keys of these rows and coverage (see ``write_minutes``).

        Raises:
            ValueError: as ``write_minutes``.
            StorageError: the database cannot be read.
        """
        new_rows = [_checked_minute_row(row) for row in rows]
        new_cameras = [_checked_camera_minute(cam) for cam in cameras]
        with self._transaction("cannot read minute figures from", write=False) as session:
            return StoredMinutes(
                tuple(_minute_row_of(rec) for rec in self._minute_records(session, new_rows).values()),
                tuple(_camera_minute_of(rec) for rec in self._camera_minute_records(session, new_cameras).values()),
            )

    @staticmethod
    def _minute_records(session: Session, rows: list[MinuteRow]) -> dict[MinuteKey, MinuteStatRecord]:
        """The stored records under the keys of ``rows``."""
        if not rows:
            return {}
        keys = {_minute_key(r) for r in rows}
        span = _spans(MinuteStatRecord.camera_id, MinuteStatRecord.minute, ((r.camera_id, r.minute) for r in rows))
        found = {(r.camera_id, r.zone_id, r.minute): r for r in session.scalars(select(MinuteStatRecord).where(span))}
        return {key: rec for key, rec in found.items() if key in keys}

    @staticmethod
    def _camera_minute_records(
        session: Session, cameras: list[CameraMinute]
    ) -> dict[CameraMinuteKey, CameraMinuteRecord]:
        """The stored coverage records under the keys of ``cameras``."""
        if not cameras:
            return {}
        keys = {_camera_key(c) for c in cameras}
        span = _spans(CameraMinuteRecord.camera_id, CameraMinuteRecord.minute, keys)
        found = {(r.camera_id, r.minute): r for r in session.scalars(select(CameraMinuteRecord).where(span))}
        return {key: rec for key, rec in found.items() if key in keys}

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
        """The zones of a camera that ``sync_config`` has stored; None when the camera is not stored."""
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
