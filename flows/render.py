"""The render flow: its own flow so it can be deployed to the ``gpu`` work pool.

``make_video`` calls ``render``, which runs it in-process as a subflow, or, where the
settings name the ``render-video`` deployment, as a run of that deployment on the ``gpu`` pool,
on a machine whose FFmpeg can use NVENC (the encoder is chosen there by a trial encode). It
takes and returns small models with paths: the workspace must be shared, a folder on a
shared mount or a bucket (then each side works in its own scratch copy). The render's
compute is measured where it runs, at that worker's rates, into the video's cost ledger: the
analytics store must be shared too.
"""

from __future__ import annotations

import uuid

from prefect import flow
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import MissingResult
from prefect.runtime import deployment, flow_run

from flows.deployed import run_and_wait
from tasks.render import render_video as render_task
from tasks.workspace import close_folder
from ytempire.checkpoints import file_paths, read_checkpoint
from ytempire.errors import StageFailed
from ytempire.models import RenderedVideo, Stage, Timeline, VideoJob
from ytempire.settings import Settings
from ytempire.workspace import Bucket, VideoFolder, workspace_bucket

# How often make_video asks whether the render run has finished: every poll is one cheap API
# call, and Prefect's default (5 s) would add seconds to every video.
POLL_S = 2.0


@flow(name="render-video", flow_run_name="render-{job.video_id}")
def render_video(
    job: VideoJob, timeline: Timeline, run_id: uuid.UUID, workspace: str | None = None
) -> RenderedVideo:
    """Render ``timeline`` to ``<workspace>/<video_id>/video.mp4``, verified."""
    settings = Settings() if workspace is None else Settings(workspace=workspace)
    video = render_task(job, timeline, settings, run_id)
    if deployment.id is not None:  # a gpu worker's run: its scratch is done with
        close_folder(VideoFolder(settings.workspace, job.video_id), settings)
    return video


def render(
    job: VideoJob, timeline: Timeline, run_id: uuid.UUID, settings: Settings
) -> RenderedVideo:
    """Render ``timeline`` where the settings say: in-process, or on the ``gpu`` pool.

    On the pool the render is a run of ``settings.render_deployment`` linked to this flow run
    as a subflow; its output is read from the render stage's checkpoint in a shared workspace
    folder, or with a bucket workspace, returned through Prefect's result storage in the
    bucket (``deployments.setup --results``). A render run that does not complete fails the
    stage, naming the run.
    """
    if settings.render_deployment is None:
        return render_video(job, timeline, run_id, workspace=settings.workspace_location)
    child, failed = run_and_wait(
        settings.render_deployment,
        {
            "job": job,
            "timeline": timeline,
            "run_id": run_id,
            "workspace": settings.workspace_location,
        },
        timeout_s=settings.render_deployment_timeout_s,
        poll_s=POLL_S,
        # One render per attempt of this flow run: a retried attempt renders again (the
        # render resumes from its checkpoint when that is still valid).
        idempotency_key=f"render-{job.video_id}-{run_id}-{flow_run.run_count}",
    )
    if failed:
        raise StageFailed(Stage.render.value, f"render {failed}")
    folder = VideoFolder(settings.workspace, job.video_id)
    bucket = workspace_bucket(settings.workspace_url)
    if bucket is None:  # a shared folder: the render's checkpoint is in it
        video = read_checkpoint(folder, Stage.render, RenderedVideo)
    else:
        video = _returned(child, bucket, folder)
    if video is None:
        raise StageFailed(
            Stage.render.value,
            f"render run {child.name} completed but left no valid output under "
            f"{settings.workspace_location}/{job.video_id}: is the workspace shared with the "
            "gpu workers, and with a bucket, are Prefect's results in it "
            "(python -m deployments.setup --results)?",
        )
    return video


def _returned(child: FlowRun, bucket: Bucket, folder: VideoFolder) -> RenderedVideo | None:
    """The render run's result, read through Prefect's result storage in the bucket, with its
    paths in this worker's scratch copy and their files pulled there; None when the run kept
    no result or its files are not all in the bucket."""
    try:
        made = child.state.result() if child.state is not None else None
    except MissingResult:
        return None
    if not isinstance(made, RenderedVideo):
        return None
    bucket.pull(folder)
    video = bucket.relocate(made, folder, made.path.parent)
    return video if all(p.exists() for p in file_paths(video)) else None
