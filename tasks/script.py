"""Script writing."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage
from ytempire.models import Script, Stage, Topic, VideoJob
from ytempire.script.compose import write_template_script
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


@task(name="write-script")
def write_script(job: VideoJob, topic: Topic, settings: Settings, run_id: uuid.UUID) -> Script:
    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(
        Stage.script, run_id, settings, lambda: write_template_script(job, topic, folder)
    )
