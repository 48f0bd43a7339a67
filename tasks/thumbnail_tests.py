"""Thumbnail tests: one day of a published video's test, acting for the channel that
published it (``ytempire.learning.thumbnail_tests``): reach from the Reporting API, today's
variant set live on YouTube, the reach kept beside the video's daily numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.policy import retry_by_error_kind
from tasks.tracking import channel_oauth
from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import thumbnail_tests
from ytempire.learning.reach import ReachDay, YouTubeReporting
from ytempire.publish.youtube import read_record, uploader_from
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


@task(
    name="thumbnail-test-day",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def thumbnail_test_day(
    video_id: str, channel: str, credentials: str | None, today: date, settings: Settings
) -> thumbnail_tests.ThumbnailTest | None:
    """Advance the video's test by ``today``; None when it has nothing to test (not on
    YouTube, or fewer than two variants)."""
    folder = VideoFolder(settings.workspace, video_id)
    record = read_record(folder)
    if record is None:
        return None
    oauth = channel_oauth(settings, channel, credentials, "thumbnails cannot be tested")
    reporting = YouTubeReporting(
        oauth,
        api_endpoint=settings.youtube_reporting_endpoint,
        ca_certs=settings.youtube_ca_certs,
        timeout_s=settings.youtube_timeout_s,
    )
    uploader = uploader_from(
        settings, oauth, expected_channel_id=record.channel_id, channel=channel
    )
    job = reporting.ensure_job()
    store = AnalyticsStore(settings.analytics_url)

    def reach(youtube_video_id: str) -> list[ReachDay]:
        days = reporting.reach(job, [youtube_video_id])
        store.record_reach(
            video_id,
            [{"day": d.day, "impressions": d.impressions, "impressions_ctr": d.ctr} for d in days],
        )
        return days

    def set_live(path: Path) -> None:
        uploader.set_thumbnail(record.youtube_video_id, path)

    return thumbnail_tests.advance(
        folder, video_id, record.youtube_video_id, reach, set_live, today
    )
