"""Clips a channel showed: its last N videos' clips, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ytempire.analytics import footage_usage
from ytempire.analytics.store import AnalyticsStore

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_last_videos_clips_are_recent_and_a_rerun_replaces_its_rows(
    store: AnalyticsStore,
) -> None:
    for day, (video, clips) in enumerate(
        [("a", ["x", "shared"]), ("b", ["y", "shared"]), ("c", ["z"])]
    ):
        footage_usage.record(store, "science", video, clips, at=T0 + timedelta(days=day))
    footage_usage.record(store, "history", "h", ["w"], at=T0 + timedelta(days=9))

    assert footage_usage.recent(store, "science", 2, but="d") == {"y", "shared", "z"}
    assert footage_usage.recent(store, "science", 2, but="c") == {"x", "y", "shared"}
    assert footage_usage.recent(store, "science", 10, but="d") == {"x", "y", "z", "shared"}
    assert footage_usage.recent(store, "science", 0, but="d") == set()

    # Video a made again today: its new clips replace its old ones, and it is the latest.
    footage_usage.record(store, "science", "a", ["q"], at=T0 + timedelta(days=5))
    assert footage_usage.recent(store, "science", 1, but="d") == {"q"}
    assert "x" not in footage_usage.recent(store, "science", 10, but="d")
