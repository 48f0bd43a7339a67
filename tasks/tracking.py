"""Tracking: the video and its cost breakdown in the analytics store; later, how the
published video performs (YouTube Analytics, for the ``track-performance`` flow), read
with the YouTube identity of the channel that published it."""

from __future__ import annotations

import uuid
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from blocks.credentials import youtube_identity
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.youtube_performance import DailyPerformance, YouTubeAnalytics
from ytempire.models import Stage, StageOutput, Topic, Upload, VideoJob
from ytempire.providers.google_api import OAuthClient
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

ENGINE = "analytics-db"


@task(name="track-video", cache_policy=NO_CACHE)
def track_video(
    job: VideoJob,
    topic: Topic,
    title: str,
    upload: Upload,
    costs: dict[Stage, float],
    settings: Settings,
    run_id: uuid.UUID,
) -> StageOutput:
    store = AnalyticsStore(settings.analytics_url)

    def track() -> StageOutput:
        store.record_video(
            job.video_id,
            job.channel,
            topic.title,
            title,
            upload.destination,
            upload.location,
            youtube_video_id=upload.youtube_video_id,
        )
        store.record_costs(job.video_id, costs)
        return StageOutput(engine=ENGINE)

    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(
        Stage.tracking, run_id, settings, track, folder=folder, output_type=StageOutput
    )


def channel_oauth(
    settings: Settings, channel: str, credentials: str | None, refused: str
) -> OAuthClient:
    """The OAuth client of ``channel``'s YouTube identity (``credentials``: its profile's
    block); ``ValueError`` starting with ``refused`` when it has none."""
    identity = youtube_identity(settings, channel, credentials, None)
    if identity.oauth is None:
        raise ValueError(f"{refused}: {identity.missing}")
    return identity.oauth


@task(
    name="fetch-video-performance",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def fetch_performance(
    video_id: str,
    youtube_video_id: str,
    start: date,
    end: date,
    settings: Settings,
    channel: str,
    credentials: str | None = None,
) -> list[DailyPerformance]:
    """The video's days from ``start`` to ``end`` from YouTube Analytics, read with the
    identity of ``channel`` (which published it; ``credentials``: its profile's block),
    stored (a day fetched again replaces its row) and returned."""
    source = YouTubeAnalytics(
        channel_oauth(settings, channel, credentials, "performance cannot be fetched"),
        api_endpoint=settings.youtube_analytics_endpoint,
        ca_certs=settings.youtube_ca_certs,
        timeout_s=settings.youtube_timeout_s,
    )
    days = source.daily(youtube_video_id, start, end)
    AnalyticsStore(settings.analytics_url).record_performance(
        video_id, youtube_video_id, [d.model_dump() for d in days]
    )
    return days
