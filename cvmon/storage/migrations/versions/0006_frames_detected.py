"""Frames that went through the detector per camera minute (motion gating skips it on still frames).

Rows written before this revision had every analysed frame detected where inference time was measured.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("camera_minutes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frames_detected", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.execute("UPDATE camera_minutes SET frames_detected = frames_analysed WHERE inference_ms_sum > 0")


def downgrade() -> None:
    with op.batch_alter_table("camera_minutes", schema=None) as batch_op:
        batch_op.drop_column("frames_detected")
