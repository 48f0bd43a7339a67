"""Rendering: the timeline encoded to the deliverable MP4, verified after encoding."""

from __future__ import annotations

import uuid
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.recording import run_stage
from ytempire.media.render import RenderOptions, render_timeline
from ytempire.models import RenderedVideo, Stage, Timeline, VideoJob
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


def render_options(settings: Settings) -> RenderOptions:
    return RenderOptions(
        encoder=settings.render_encoder,
        workers=settings.render_workers,
        crf=settings.render_crf,
        preset=settings.render_preset,
        burn_subtitles=settings.burn_subtitles,
        subtitle_style=settings.subtitle_style,
        fonts_dir=settings.fonts_dir,
    )


@task(name="render-video", cache_policy=NO_CACHE)
def render_video(
    job: VideoJob, timeline: Timeline, settings: Settings, run_id: uuid.UUID
) -> RenderedVideo:
    """One task for the whole render: its parts run as FFmpeg processes side by side (a task
    per part would add Prefect's per-run overhead and gain nothing on one machine)."""
    folder = VideoFolder(settings.workspace, job.video_id)
    output: Path = folder / "video.mp4"
    return run_stage(
        Stage.render,
        run_id,
        settings,
        lambda: render_timeline(
            timeline, output, work_dir=folder.work, options=render_options(settings)
        ),
    )
