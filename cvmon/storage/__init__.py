"""Storage of aggregated, anonymous figures in SQLite or PostgreSQL (SQLAlchemy + Alembic)."""

from cvmon.storage.coverage import CameraMinute
from cvmon.storage.database import Database, open_database

__all__ = ["CameraMinute", "Database", "open_database"]
