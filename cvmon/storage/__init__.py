"""Storage of aggregated, anonymous figures in SQLite or PostgreSQL (SQLAlchemy + Alembic)."""

from cvmon.storage.database import Database, open_database

__all__ = ["Database", "open_database"]
