"""The storage tests' database fixtures (SQLite and a real PostgreSQL), reused here."""

from tests.storage.conftest import database, database_url, postgres_admin  # noqa: F401
