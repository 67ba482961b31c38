"""The storage tests' database fixtures (SQLite and a real PostgreSQL), reused here."""

from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)
