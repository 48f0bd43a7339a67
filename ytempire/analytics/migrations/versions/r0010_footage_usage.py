"""Footage usage: which stock clips each video of a channel showed (``footage_usage``,
ytempire.analytics.footage_usage), so a channel does not repeat a clip in its last videos.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "footage_usage",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("video_id", sa.String(64), nullable=False),
        sa.Column("clip_id", sa.String(500), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "video_id", "clip_id"),
    )
    op.create_index("ix_footage_usage_channel_used_at", "footage_usage", ["channel", "used_at"])


def downgrade() -> None:
    op.drop_index("ix_footage_usage_channel_used_at", table_name="footage_usage")
    op.drop_table("footage_usage")
