"""Tracking: the video and its cost breakdown in the analytics store."""

from __future__ import annotations

import uuid

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.recording import run_stage
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, StageOutput, Topic, Upload, VideoJob
from ytempire.settings import Settings

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
            job.video_id, job.channel, topic.title, title, upload.destination, upload.location
        )
        store.record_costs(job.video_id, costs)
        return StageOutput(engine=ENGINE)

    return run_stage(Stage.tracking, run_id, settings, track)
