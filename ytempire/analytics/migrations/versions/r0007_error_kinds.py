"""Error kinds stored as data with each failure: ``ai_pipeline_events.error_kind``.

The kind (``ytempire.resilience.errors.ErrorKind``, or ``other``) of a failed stage, or of
the first engine passed over before a stage completed; the views read it instead of
guessing from the message. Rows written before this revision keep NULL (the views call
them ``unrecorded``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ai_pipeline_events", sa.Column("error_kind", sa.String(30), nullable=True))


def downgrade() -> None:
    # SQLite alters a table by copying it: batch mode does that there, plain ALTER elsewhere.
    with op.batch_alter_table("ai_pipeline_events") as batch:
        batch.drop_column("error_kind")
