"""Run the Alembic migrations shipped inside the package, without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text

from cvmon.storage.engine import SQLITE_IMMEDIATE

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
# Key of the PostgreSQL advisory lock that serialises concurrent upgrades (workers starting together).
MIGRATION_LOCK_KEY = 0x63766D6F6E  # "cvmon"


def alembic_config(url: str | None = None) -> AlembicConfig:
    """An Alembic configuration pointing at the package's migrations, optionally with a database URL."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision in one transaction; a schema already at head is left alone."""
    config = alembic_config()
    with engine.execution_options(**{SQLITE_IMMEDIATE: True}).begin() as connection:
        if False:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
