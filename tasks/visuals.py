"""Visuals: one slide per spoken block, laid on the narration's timings."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage
from ytempire.models import Narration, Script, Stage, Timeline, VideoJob
from ytempire.settings import Settings
from ytempire.visuals import slides, timeline
from ytempire.workspace import VideoFolder


@task(name="build-visuals")
def build_visuals(
    job: VideoJob, script: Script, narration: Narration, settings: Settings, run_id: uuid.UUID
) -> Timeline:
    folder = VideoFolder(settings.workspace, job.video_id)

    def build() -> Timeline:
        paths = slides.render_slides(
            script.blocks(), job.aspect.size, folder.work / "slides", fonts_dir=settings.fonts_dir
        )
        return timeline.from_script(script, narration, job.aspect.size, paths)

    return run_stage(Stage.visuals, run_id, settings, build)
