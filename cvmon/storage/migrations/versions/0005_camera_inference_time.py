"""Detector inference time per camera minute: sum and max of milliseconds over the analysed frames.

Rows written before this revision read 0 (the server default), which means "not measured".

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("camera_minutes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inference_ms_sum", sa.Float(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("inference_ms_max", sa.Float(), server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("camera_minutes", schema=None) as batch_op:
        batch_op.drop_column("inference_ms_max")
        batch_op.drop_column("inference_ms_sum")
