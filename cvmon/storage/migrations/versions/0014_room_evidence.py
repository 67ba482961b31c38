"""Room readiness evidence: snapshots of kind room_reference, room_opening and room_check.

A room's reference picture and the pictures of its checks are anonymised snapshots like any other
(``cvmon.storage.room``); only the evidence table's check of its ``kind`` widens. The downgrade
deletes the room snapshots' rows (their files become orphans that ``cvmon retention run`` removes)
and narrows the check again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "kind IN ('open', 'peak', 'periodic')"
NEW = "kind IN ('open', 'peak', 'periodic', 'room_reference', 'room_opening', 'room_check')"


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_evidence_kind"), NEW)


def downgrade() -> None:
    op.execute(text("DELETE FROM evidence WHERE kind IN ('room_reference', 'room_opening', 'room_check')"))
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_evidence_kind"), OLD)
