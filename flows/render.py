"""The render flow: its own flow so it can be deployed to the ``gpu`` work pool.

``make_video`` calls ``render``, which runs it in-process as a subflow, or, where the
settings name the ``render-video`` deployment, as a run of that deployment on the ``gpu`` pool,
on a machine whose FFmpeg can use NVENC (the encoder is chosen there by a trial encode). It
takes and returns small models with paths: the workspace must be shared. The render's
compute is measured where it runs, at that worker's rates, into the video's cost ledger: the
analytics store must be shared too.
"""

from __future__ import annotations

import uuid

from prefect import flow
from prefect.runtime import flow_run

from flows.deployed import run_and_wait
from tasks.render import render_video as render_task
from ytempire.checkpoints import read_checkpoint
from ytempire.errors import StageFailed
from ytempire.models import RenderedVideo, Stage, Timeline, VideoJob
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

# How often make_video asks whether the render run has finished: every poll is one cheap API
# call, and Prefect's default (5 s) would add seconds to every video.
POLL_S = 2.0


@flow(name="render-video", flow_run_name="render-{job.video_id}")
def render_video(
    job: VideoJob, timeline: Timeline, run_id: uuid.UUID, workspace: str | None = None
) -> RenderedVideo:
    """Render ``timeline`` to ``<workspace>/<video_id>/video.mp4``, verified."""
    settings = Settings() if workspace is None else Settings(workspace=workspace)
    return render_task(job, timeline, settings, run_id)


def render(
    job: VideoJob, timeline: Timeline, run_id: uuid.UUID, settings: Settings
) -> RenderedVideo:
    """Render ``timeline`` where the settings say: in-process, or on the ``gpu`` pool.

    On the pool the render is a run of ``settings.render_deployment`` linked to this flow run
    as a subflow; its output is read from the render stage's checkpoint in the shared
    workspace. A render run that does not complete fails the stage, naming the run.
    """
    if settings.render_deployment is None:
        return render_video(job, timeline, run_id, workspace=str(settings.workspace))
    child, failed = run_and_wait(
        settings.render_deployment,
        {
            "job": job,
            "timeline": timeline,
            "run_id": run_id,
            "workspace": str(settings.workspace),
        },
        timeout_s=settings.render_deployment_timeout_s,
        poll_s=POLL_S,
        # One render per attempt of this flow run: a retried attempt renders again (the
        # render resumes from its checkpoint when that is still valid).
        idempotency_key=f"render-{job.video_id}-{run_id}-{flow_run.run_count}",
    )
    if failed:
        raise StageFailed(Stage.render.value, f"render {failed}")
    video = read_checkpoint(
        VideoFolder(settings.workspace, job.video_id), Stage.render, RenderedVideo
    )
    if video is None:
        raise StageFailed(
            Stage.render.value,
            f"render run {child.name} completed but left no valid output under "
            f"{settings.workspace / job.video_id}: is the workspace shared with the gpu workers?",
        )
    return video
