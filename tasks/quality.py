"""Quality: validate every output against its suite, store the checks, show them as a table.

The core (``ytempire.quality.report``) measures and validates and writes ``quality.json``;
this task keeps one ``quality_results`` row per check in the analytics store and makes the
``quality-<video_id>`` table artifact (failures first, each with what to do).
"""

from __future__ import annotations

import uuid

from prefect import task
from prefect.artifacts import create_table_artifact

from tasks.recording import run_stage
from ytempire.analytics.store import AnalyticsStore
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
from ytempire.quality.report import assess, table_rows
from ytempire.settings import Settings
from ytempire.visuals.palette import Palette
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

    def produce() -> QualityReport:
        report = assess(
            script,
            job.target_words,
            narration,
            timeline,
            video,
            thumbnails,
            folder / "quality.json",
            settings.quality_suites_dir,
            Palette.from_brand(job.brand_colours),
        )
        AnalyticsStore(settings.analytics_url).record_quality(job.video_id, run_id, report.checks)
        return report

    report = run_stage(
        Stage.quality, run_id, settings, produce, folder=folder, output_type=QualityReport
    )
    create_table_artifact(
        table_rows(report),
        key=f"quality-{job.video_id}",
        description=(
            f"Quality checks: {'all passed' if report.passed else f'{len(report.failures)} failed'}"
            f", score {report.quality_score}"
        ),
    )
    return report
