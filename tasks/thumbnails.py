"""Thumbnails: three A/B variants from the video's own slides."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage
from ytempire.models import Script, Stage, ThumbnailSet, Timeline, VideoJob
from ytempire.settings import Settings
from ytempire.visuals import thumbnails
from ytempire.workspace import VideoFolder


@task(name="make-thumbnails")
def make_thumbnails(
    job: VideoJob, script: Script, timeline: Timeline, settings: Settings, run_id: uuid.UUID
) -> ThumbnailSet:
    folder = VideoFolder(settings.workspace, job.video_id)

    def make() -> ThumbnailSet:
        backgrounds = [slide.image_path for slide in timeline.slides]
        variants = thumbnails.make_thumbnails(
            script.title, backgrounds, folder.thumbnails, fonts_dir=settings.fonts_dir
        )
        return ThumbnailSet(engine=thumbnails.ENGINE, variants=variants)

    return run_stage(Stage.thumbnails, run_id, settings, make)
