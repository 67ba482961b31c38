"""The audit log as a hash chain, and no INSERT that replaces a row on SQLite.

Every row gets ``prev_hash`` and ``row_hash`` (sha256 over its canonical content and the previous
row's hash, ``cvmon.storage.audit_chain``); the rows stored before this revision are chained here in
id order. SQLite's ``INSERT OR REPLACE`` (and ``REPLACE INTO``) deletes the row it replaces without
firing the DELETE trigger, so a BEFORE INSERT trigger now refuses an insert whose id exists.
An upsert (``ON CONFLICT ... DO UPDATE``) is an UPDATE and stays refused by the UPDATE triggers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from cvmon.storage.audit_chain import GENESIS, row_hash
from cvmon.storage.columns import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit_log is append-only"
SQLITE_NO_CHANGE = tuple(
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    for verb in ("UPDATE", "DELETE")
)
SQLITE_NO_REPLACE = (
    "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
    "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
)
POSTGRES_NO_CHANGE = (
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION cvmon_audit_log_append_only()"
)

_AUDIT = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("ts", UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target", sa.String()),
    sa.column("client_addr", sa.String()),
    sa.column("details", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)


def _dialect() -> str:
    return op.get_context().dialect.name


def _drop_change_triggers() -> None:
    if _dialect() == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif _dialect() == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")


def _create_change_triggers() -> None:
    if _dialect() == "sqlite":
        for statement in SQLITE_NO_CHANGE:
            op.execute(statement)
    elif _dialect() == "postgresql":
        op.execute(POSTGRES_NO_CHANGE)


def _details(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return dict(loaded or {})


def _chain_existing_rows() -> None:
    """Hash every stored row in id order, each following the one before."""
    bind = op.get_bind()
    prev = GENESIS
    rows = bind.execute(
        sa.select(
            _AUDIT.c.id,
            _AUDIT.c.ts,
            _AUDIT.c.actor,
            _AUDIT.c.action,
            _AUDIT.c.target,
            _AUDIT.c.client_addr,
            _AUDIT.c.details,
        ).order_by(_AUDIT.c.id)
    ).all()
    for row in rows:
        digest = row_hash(prev, row.ts, row.actor, row.action, row.target, row.client_addr, _details(row.details))
        bind.execute(sa.update(_AUDIT).where(_AUDIT.c.id == row.id).values(prev_hash=prev, row_hash=digest))
        prev = digest


def upgrade() -> None:
    _drop_change_triggers()
    # NOT NULL needs a default for the rows already there on SQLite; cvmon always writes both columns.
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), server_default="", nullable=False))
    _chain_existing_rows()
    if _dialect() == "postgresql":
        op.alter_column("audit_log", "prev_hash", server_default=None)
        op.alter_column("audit_log", "row_hash", server_default=None)
    _create_change_triggers()
    if _dialect() == "sqlite":
        op.execute(SQLITE_NO_REPLACE)


def downgrade() -> None:
    _drop_change_triggers()
    if _dialect() == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
    _create_change_triggers()
