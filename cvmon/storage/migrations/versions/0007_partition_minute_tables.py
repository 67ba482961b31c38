"""PostgreSQL: minute_stats and camera_minutes partitioned by month of ``minute`` (see
``cvmon.storage.partitions``). Rows, constraints and indexes are kept; SQLite is left as it is.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from alembic import op
from sqlalchemy import Connection, text

from cvmon.storage.partitions import create_month, ensure_partitions

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("minute_stats", "camera_minutes")  # the parts tables of 0011 are made partitioned


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        _rebuild(conn, table, partitioned=True)
    ensure_partitions(conn, datetime.now(UTC))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        _rebuild(conn, table, partitioned=False)


def _rebuild(conn: Connection, table: str, partitioned: bool) -> None:
    """Copy ``table`` into a new one (partitioned by month or plain) with the same columns, checks,
    keys and indexes, then drop the old one."""
    old = f"{table}_before_0007"
    keys = conn.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u', 'f') ORDER BY contype DESC, conname"
        ),
        {"t": table},
    ).all()
    indexes = (
        conn.execute(
            text(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :t "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)) "
                "ORDER BY indexname"
            ),
            {"t": table},
        )
        .scalars()
        .all()
    )
    conn.execute(text(f'ALTER TABLE "{table}" RENAME TO "{old}"'))
    clause = " PARTITION BY RANGE (minute)" if partitioned else ""
    conn.execute(text(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS){clause}'))
    if partitioned:
        conn.execute(text(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT'))
        months = conn.execute(
            text(f"SELECT DISTINCT date_trunc('month', minute AT TIME ZONE 'UTC') FROM \"{old}\"")
        ).scalars()
        for month in sorted(months):
            create_month(conn, table, month.replace(tzinfo=UTC))
    conn.execute(text(f'INSERT INTO "{table}" SELECT * FROM "{old}"'))
    conn.execute(text(f'DROP TABLE "{old}" CASCADE'))
    for name, definition in keys:
        conn.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
    for definition in indexes:
        conn.execute(text(definition))
