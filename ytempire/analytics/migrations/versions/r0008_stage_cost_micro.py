"""Exact stage costs: ``ai_pipeline_events.cost_micro_usd``.

The seed's ``cost_cents`` rounds a compute line or a cheap model's call to nothing, so the
stage table could not add up to the video's ledger. Each attempt's cost is now kept in
whole millionths of a dollar beside it (the cost ledger's unit, migration 0005); rows
written before this revision keep NULL and are read from their cents.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ai_pipeline_events", sa.Column("cost_micro_usd", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # SQLite alters a table by copying it: batch mode does that there, plain ALTER elsewhere.
    with op.batch_alter_table("ai_pipeline_events") as batch:
        batch.drop_column("cost_micro_usd")
