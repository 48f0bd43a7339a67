"""Quality: measure every output and record the checks."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage
from ytempire.models import (
    Narration,
    QualityReport,
    RenderedVideo,
    Script,
    Stage,
    ThumbnailSet,
    Timeline,
    VideoJob,
)
from ytempire.quality.report import assess
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


@task(name="check-quality")
def check_quality(
    job: VideoJob,
    script: Script,
    narration: Narration,
    timeline: Timeline,
    video: RenderedVideo,
    thumbnails: ThumbnailSet,
    settings: Settings,
    run_id: uuid.UUID,
) -> QualityReport:
    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(
        Stage.quality,
        run_id,
        settings,
        lambda: assess(
            script,
            job.target_words,
            narration,
            timeline,
            video,
            thumbnails,
            folder / "quality.json",
        ),
    )
