"""The Alembic migrations create the schema the ORM models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import threading
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from cvmon.config import Config
from cvmon.storage import Database, open_database
from cvmon.storage.migrate import alembic_config
from cvmon.storage.models import TABLES, Base
from tests.storage.conftest import make_minute_row

WORKERS = 4
EXPECTED_TABLES = {
    "units",
    "cameras",
    "zones",
    "minute_stats",
    "camera_events",
    "camera_minutes",
    "alerts",
    "evidence",
    "outbox",
    "hourly_stats",
    "users",
    "user_units",
    "user_sessions",
    "audit_log",
}
# Words that would betray per-person data or credentials in a column name.
FORBIDDEN_COLUMN_WORDS = ("track", "image", "frame_data", "snapshot", "bbox", "xyxy", "face", "source_url", "url")


def test_open_creates_every_table(database: Database) -> None:
    inspector = inspect(database.engine)
    assert set(TABLES) == EXPECTED_TABLES
    assert EXPECTED_TABLES | {"alembic_version"} <= set(inspector.get_table_names())


def test_minute_stats_has_its_key_and_indexes(database: Database) -> None:
    inspector = inspect(database.engine)
    pk = inspector.get_pk_constraint("minute_stats")
    assert pk["constrained_columns"] == ["camera_id", "zone_id", "minute"]
    indexes = {tuple(ix["column_names"]) for ix in inspector.get_indexes("minute_stats")}
    assert {("camera_id", "minute"), ("minute",)} <= indexes
    uniques = {tuple(uq["column_names"]) for uq in inspector.get_unique_constraints("camera_events")}
    assert ("camera_id", "ts", "kind") in uniques
    assert inspector.get_pk_constraint("camera_minutes")["constrained_columns"] == ["camera_id", "minute"]


def test_no_column_holds_people_or_credentials(database: Database) -> None:
    inspector = inspect(database.engine)
    for table in EXPECTED_TABLES:
        for column in inspector.get_columns(table):
            name = column["name"].lower()
            assert not any(word in name for word in FORBIDDEN_COLUMN_WORDS), f"{table}.{name}"
    camera_columns = {c["name"] for c in inspector.get_columns("cameras")}
    assert "source" not in camera_columns
    assert "source_kind" in camera_columns


def test_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(database: Database) -> None:
    config = alembic_config()
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not EXPECTED_TABLES & set(inspect(database.engine).get_table_names())
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert set(inspect(database.engine).get_table_names()) >= EXPECTED_TABLES


def test_open_twice_keeps_the_data(database_url: str, config: Config) -> None:
    with open_database(database_url) as first:
        first.sync_config(config)
        first.write_minutes([make_minute_row()])
    with open_database(database_url) as second:
        assert second.minute_rows() == [make_minute_row()]
        with second.engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head


def _open_after(url: str, barrier: Any) -> None:
    barrier.wait(timeout=60)
    open_database(url).close()


def test_workers_opening_a_new_database_together_all_succeed(database_url: str) -> None:
    """Worker processes that start together on a fresh database do not race to create the schema."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    workers = [ctx.Process(target=_open_after, args=(database_url, barrier)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        if worker.is_alive():
            worker.kill()
    assert [w.exitcode for w in workers] == [0] * WORKERS
    with open_database(database_url) as db:
        assert set(db.count_rows()) == EXPECTED_TABLES


def test_threads_opening_a_new_database_together_all_succeed(database_url: str) -> None:
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_database(database_url).close()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=open_and_close) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
