"""Monthly partitions of the per-minute tables on PostgreSQL.

A thousand cameras write billions of minute rows a year. On PostgreSQL ``minute_stats`` and
``camera_minutes``, and their parts (``minute_parts``, ``camera_minute_parts``: they grow as fast),
are partitioned by range of ``minute``, one partition per UTC month (``minute_stats_y2026m11``),
plus a default partition for rows outside every month made so far (a recording of long ago, a clock
far off). Queries over a period read only its months; retention drops a month's partition once its
rows have been rolled up and deleted. SQLite tables are plain.

``ensure_partitions`` makes the current month's and the next ones' partitions ahead of time
(migrations 0007 and 0011, and every retention round). Rows of a month that has no partition wait in
the default partition; ``create_month`` moves them into a new one, as the migration does.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
# In the order every transaction touches them (``MinuteRepository.write_minutes`` reads a table's rows before its
# parts, zone minutes before camera minutes): DDL here and writes there then never wait on each other in
# a cycle (a deadlock).
PARTITIONED_TABLES = ("minute_stats", "minute_parts", "camera_minutes", "camera_minute_parts")
MONTHS_AHEAD = 2
_NAME = re.compile(r"^(?P<table>[a-z_]+)_y(?P<year>\d{4})m(?P<month>\d{2})$")


def is_partition_name(name: str | None) -> bool:
    """Whether a table name is one of the partitions (not a table of the models)."""
    if not name:
        return False
    match = _NAME.match(name)
    if match is not None:
        return match["table"] in PARTITIONED_TABLES
    return any(name == f"{table}_default" for table in PARTITIONED_TABLES)


def include_in_schema_comparison(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: the partitions (and their indexes) are not in the models."""
    if type_ == "table":
        return not is_partition_name(name)
    if type_ == "index" and isinstance(parent_names, dict):
        return not is_partition_name(parent_names.get("table_name"))
    return True


def month_start(ts: datetime) -> datetime:
    ts = ts.astimezone(UTC)
    return datetime(ts.year, ts.month, 1, tzinfo=UTC)


def next_month(month: datetime) -> datetime:
    return datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)


def partition_name(table: str, month: datetime) -> str:
    return f"{table}_y{month.year:04d}m{month.month:02d}"


def is_partitioned(conn: Connection, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    found = conn.execute(
        text("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = :t"),
        {"t": table},
    ).first()
    return found is not None


def monthly_partitions(conn: Connection, table: str) -> dict[datetime, str]:
    """The month partitions of ``table`` by first day of the month (the default one left out)."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t"
        ),
        {"t": table},
    ).scalars()
    out = {}
    for name in rows:
        m = _NAME.match(name)
        if m and m["table"] == table:
            out[datetime(int(m["year"]), int(m["month"]), 1, tzinfo=UTC)] = name
    return out


def create_month(conn: Connection, table: str, month: datetime) -> str:
    """Make one month's partition; rows of that month waiting in the default partition move into it.

    Run it when nothing writes rows of that month (the migration, maintenance): a row of the month
    committed into the default partition meanwhile makes the attach fail."""
    name = partition_name(table, month)
    start, end = month.isoformat(), next_month(month).isoformat()
    conn.execute(text(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'))
    conn.execute(
        text(
            f'WITH moved AS (DELETE FROM "{table}_default" WHERE minute >= :start AND minute < :end RETURNING *) '
            f'INSERT INTO "{name}" SELECT * FROM moved'
        ),
        {"start": start, "end": end},
    )
    conn.execute(text(f"ALTER TABLE \"{table}\" ATTACH PARTITION \"{name}\" FOR VALUES FROM ('{start}') TO ('{end}')"))
    return name


def _default_holds(conn: Connection, table: str, month: datetime) -> bool:
    found = conn.execute(
        text(f'SELECT 1 FROM "{table}_default" WHERE minute >= :start AND minute < :end LIMIT 1'),
        {"start": month, "end": next_month(month)},
    ).first()
    return found is not None


def ensure_partitions(conn: Connection, now: datetime, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Make the partitions of the month of ``now`` and of the ``ahead`` months after it where missing.

    Safe while cameras write: a month whose rows already wait in the default partition (a database
    left without maintenance over a month's turn) is left there, and a month that cannot be attached
    because such a row arrived meanwhile is tried again next time. Returns the names made; does
    nothing on a database without partitioned tables."""
    made: list[str] = []
    for table in PARTITIONED_TABLES:
        if not is_partitioned(conn, table):
            continue
        have = monthly_partitions(conn, table)
        month = month_start(now)
        for _ in range(ahead + 1):
            if month not in have and not _default_holds(conn, table, month):
                try:
                    with conn.begin_nested():
                        made.append(create_month(conn, table, month))
                except DBAPIError as err:
                    log.info("partition %s not made now: %s", partition_name(table, month), err.orig)
            month = next_month(month)
    return made


def drop_empty_partitions(conn: Connection, before: datetime) -> list[str]:
    """Drop the month partitions that end at or before ``before`` and hold no row (retention has
    rolled them up and deleted them). Returns the names dropped."""
    dropped: list[str] = []
    for table in PARTITIONED_TABLES:
        if not is_partitioned(conn, table):
            continue
        for month, name in sorted(monthly_partitions(conn, table).items()):
            if next_month(month) > before:
                break
            if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is None:
                conn.execute(text(f'DROP TABLE "{name}"'))
                dropped.append(name)
    return dropped
