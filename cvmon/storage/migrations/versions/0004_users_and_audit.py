"""Users, their units and sessions, and the append-only audit log (UPDATE and DELETE refused by triggers).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY = "audit_log is append-only"
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    for verb in ("UPDATE", "DELETE")
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION cvmon_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION cvmon_audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION cvmon_audit_log_append_only()",
)


def _append_only_triggers() -> tuple[str, ...]:
    """Triggers that refuse to change or remove audit rows (a later batch migration of the table must recreate them)."""
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        return SQLITE_TRIGGERS
    if dialect == "postgresql":
        return POSTGRES_TRIGGERS
    return ()


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("client_addr", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_action_client_addr_ts", ["action", "client_addr", "ts"], unique=False)
        batch_op.create_index("ix_audit_log_action_target_ts", ["action", "target", "ts"], unique=False)
        batch_op.create_index("ix_audit_log_ts", ["ts"], unique=False)
    for statement in _append_only_triggers():
        op.execute(statement)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'manager', 'pic', 'auditor', 'viewer')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_sessions")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_user_sessions_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_units",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_user_units_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_units_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "unit_id", name=op.f("pk_user_units")),
    )
    with op.batch_alter_table("user_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_units_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_units_unit_id"))

    op.drop_table("user_units")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
        batch_op.drop_index("ix_user_sessions_expires_at")

    op.drop_table("user_sessions")
    op.drop_table("users")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_ts")
        batch_op.drop_index("ix_audit_log_action_target_ts")
        batch_op.drop_index("ix_audit_log_action_client_addr_ts")

    op.drop_table("audit_log")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cvmon_audit_log_append_only()")
