"""Trend detection: score what the audience is searching for."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage, transient_failure
from ytempire.models import Stage, TrendReport, VideoJob
from ytempire.settings import Settings
from ytempire.trends import local_file


@task(
    name="detect-trends",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=transient_failure,
)
def detect_trends(job: VideoJob, settings: Settings, run_id: uuid.UUID) -> TrendReport:
    return run_stage(
        Stage.trends, run_id, settings, lambda: local_file.detect(settings.topics_file)
    )
