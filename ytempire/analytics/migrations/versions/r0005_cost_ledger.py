"""The cost ledger: every paid call and compute line tied to a video id
(``ytempire.analytics.ledger``; docs/analytics.md).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cost_ledger",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_run_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(50), nullable=False),
        sa.Column("engine", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("cost_micro_usd", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_cost_ledger_video_id", "cost_ledger", ["video_id"])
    op.create_index("ix_cost_ledger_run_id_stage", "cost_ledger", ["pipeline_run_id", "stage"])


def downgrade() -> None:
    op.drop_index("ix_cost_ledger_run_id_stage", "cost_ledger")
    op.drop_index("ix_cost_ledger_video_id", "cost_ledger")
    op.drop_table("cost_ledger")
