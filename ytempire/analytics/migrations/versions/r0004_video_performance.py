"""YouTube uploads and how they perform: ``videos.youtube_video_id`` and
``video_performance`` (one row per video per day, from YouTube Analytics; docs/publishing.md).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("videos", sa.Column("youtube_video_id", sa.String(20), nullable=True))
    op.create_table(
        "video_performance",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("youtube_video_id", sa.String(20), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("impressions_ctr", sa.Float(), nullable=True),
        sa.Column("average_view_duration_s", sa.Float(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("video_id", "date"),
    )
    op.create_index(
        "ix_video_performance_youtube_video_id", "video_performance", ["youtube_video_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_video_performance_youtube_video_id", "video_performance")
    op.drop_table("video_performance")
    # SQLite alters a table by copying it: batch mode does that there, plain ALTER elsewhere.
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("youtube_video_id")
