"""The cvmon database: open (and migrate) it and its transactions.

Repositories take a ``Database`` and write and read through ``Database.transaction``: the configuration
and its history (``cvmon.storage.config_history``), minute figures (``cvmon.storage.minutes``), camera
events (``cvmon.storage.events``), alerts, evidence, audit, users.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType

from alembic.util.exc import CommandError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cvmon.storage.engine import SQLITE_IMMEDIATE, make_engine, mask_url, storage_error
from cvmon.storage.migrate import upgrade_to_head
from cvmon.storage.models import (
    Base,
    CameraRecord,
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

    def ping(self) -> None:
        """Nothing, when the database answers.

        Raises:
            StorageError: it does not.
        """
        with self._transaction("cannot reach", write=False) as session:
            session.execute(select(1))

    def stored_zone_ids(self, camera_id: str) -> set[str] | None:
        """The zones of a camera that ``config_history.sync_config`` has stored; None when the camera is not stored."""
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
