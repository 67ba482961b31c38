"""The cvmon database: open (and migrate) it, its transactions, and the configuration it stores.

Repositories take a ``Database`` and write and read through ``Database.transaction``: minute figures
(``cvmon.storage.minutes``), camera events (``cvmon.storage.events``), alerts, evidence, audit, users.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cvmon.config.models import CameraConfig, Config, UnitConfig, ZoneConfig
from cvmon.storage.engine import SQLITE_IMMEDIATE, make_engine, mask_url, storage_error
from cvmon.storage.migrate import upgrade_to_head
from cvmon.storage.models import (
    Base,
    CameraRecord,
    UnitRecord,
    ZoneRecord,
)


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
        """A session in one transaction for the repositories (minutes, events, alerts, evidence, outbox);
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

    def ping(self) -> None:
        """Nothing, when the database answers.

        Raises:
            StorageError: it does not.
        """
        with self._transaction("cannot reach", write=False) as session:
            session.execute(select(1))

    def stored_zone_ids(self, camera_id: str) -> set[str] | None:
        """The zones of a camera that ``sync_config`` has stored; None when the camera is not stored."""
        with self._transaction("cannot read zones from", write=False) as session:
            if session.get(CameraRecord, camera_id) is None:
                return None
            return set(session.scalars(select(ZoneRecord.zone_id).where(ZoneRecord.camera_id == camera_id)))

    def count_rows(self) -> dict[str, int]:
        """Number of rows in every cvmon table, by table name."""
        with self._transaction("cannot count rows in", write=False) as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in Base.metadata.tables.items()
            }
