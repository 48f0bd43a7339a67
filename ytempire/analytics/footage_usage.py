"""Which stock clips a channel's videos showed (``footage_usage``), so none repeats.

The visuals stage asks for the clips of the channel's last ``N`` videos before it looks for
footage (:func:`recent`), and records the clips it chose (:func:`record`). A re-run of a
video replaces that video's rows, and never counts itself among the last videos.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import FootageUsage as Row


def record(
    store: AnalyticsStore,
    channel: str,
    video_id: str,
    clip_ids: Iterable[str],
    *,
    at: datetime | None = None,
) -> None:
    """``clip_ids`` as what ``video_id`` of ``channel`` shows (its earlier rows replaced)."""
    moment = at or datetime.now(UTC)
    with store.session() as s:
        s.execute(delete(Row).where(Row.channel == channel, Row.video_id == video_id))
        s.add_all(
            Row(channel=channel, video_id=video_id, clip_id=clip, used_at=moment)
            for clip in sorted(set(clip_ids))
        )


def recent(store: AnalyticsStore, channel: str, last_videos: int, *, but: str) -> set[str]:
    """The clip ids shown by the ``last_videos`` videos of ``channel`` that used footage
    most recently, ``but`` this one."""
    if last_videos <= 0:
        return set()
    latest = (
        select(Row.video_id)
        .where(Row.channel == channel, Row.video_id != but)
        .group_by(Row.video_id)
        .order_by(func.max(Row.used_at).desc(), Row.video_id)
        .limit(last_videos)
    )
    with store.session() as s:
        return set(
            s.scalars(select(Row.clip_id).where(Row.channel == channel, Row.video_id.in_(latest)))
        )
