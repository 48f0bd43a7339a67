"""Topic selection: the requested topic, or the best trend the channel has not covered."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, Topic, TrendReport, VideoJob
from ytempire.settings import Settings
from ytempire.trends import select
from ytempire.workspace import VideoFolder


@task(name="select-topic")
def select_topic(
    job: VideoJob, trends: TrendReport, settings: Settings, run_id: uuid.UUID
) -> Topic:
    def pick() -> Topic:
        produced = AnalyticsStore(settings.analytics_url).produced_topics(job.channel)
        return select.select(trends, job.topic, produced, job.language)

    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(Stage.topic, run_id, settings, pick, folder=folder, output_type=Topic)
