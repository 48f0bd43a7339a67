"""Rendering: the timeline encoded to the deliverable MP4, verified after encoding."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage
from ytempire.media.render import render_timeline
from ytempire.models import RenderedVideo, Stage, Timeline, VideoJob
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


@task(name="render-video")
def render_video(
    job: VideoJob, timeline: Timeline, settings: Settings, run_id: uuid.UUID
) -> RenderedVideo:
    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(
        Stage.render,
        run_id,
        settings,
        lambda: render_timeline(timeline, folder / "video.mp4", work_dir=folder.work),
    )
