"""Run the Alembic migrations shipped inside the package, without an alembic.ini."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text

from cvmon.storage.engine import SQLITE_IMMEDIATE

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
# Key of the PostgreSQL advisory lock that serialises concurrent upgrades (workers starting together).
MIGRATION_LOCK_KEY = 0x63766D6F6E  # "cvmon"
# Alembic keeps its running context in module globals, so two threads of one process must not migrate at once.
_THREAD_LOCK = threading.Lock()


def alembic_config(url: str | None = None) -> AlembicConfig:
    """An Alembic configuration pointing at the package's migrations, optionally with a database URL."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision in one transaction; a schema already at head is left alone.

    Concurrent callers are serialised: threads by a lock, processes by a PostgreSQL advisory lock or
    SQLite's write lock (``BEGIN IMMEDIATE``), so workers that start together do not race.
    """
    config = alembic_config()
    with _THREAD_LOCK, engine.execution_options(**{SQLITE_IMMEDIATE: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
