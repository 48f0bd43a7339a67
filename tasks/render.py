"""Rendering: the timeline encoded to the deliverable MP4, verified after encoding.

The render's CPU seconds (this process and its FFmpeg processes) and, on an NVENC encoder,
its GPU seconds are the stage's compute lines in the video's cost ledger (``tasks/costs.py``),
measured where it runs: in-process or on a ``gpu`` pool worker."""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency

from tasks.costs import metered
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


def render_slot(settings: Settings) -> AbstractContextManager[object]:
    """A slot of the global render limit, held for the whole render, when a limit is named.

    The limit lives on the Prefect server (``deployments.setup`` creates it and the work pools
    name it in their environment); local runs name none and are not limited. A named limit
    that does not exist is an error (strict), not a silent free-for-all.
    """
    if settings.render_concurrency_limit is None:
        return nullcontext()
    return concurrency(settings.render_concurrency_limit, strict=True)


@task(name="render-video", cache_policy=NO_CACHE)
def render_video(
    job: VideoJob, timeline: Timeline, settings: Settings, run_id: uuid.UUID
) -> RenderedVideo:
    """One task for the whole render: its parts run as FFmpeg processes side by side (a task
    per part would add Prefect's per-run overhead and gain nothing on one machine)."""
    folder = VideoFolder(settings.workspace, job.video_id)
    output: Path = folder / "video.mp4"
    with render_slot(settings):
        return run_stage(
            Stage.render,
            run_id,
            settings,
            metered(
                Stage.render,
                job.video_id,
                run_id,
                settings,
                lambda: render_timeline(
                    timeline, output, work_dir=folder.work, options=render_options(settings)
                ),
            ),
            folder=folder,
            output_type=RenderedVideo,
        )
