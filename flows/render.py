"""The render flow: its own flow so it can be deployed to the ``gpu`` work pool.

``make_video`` calls it in-process as a subflow; a deployment on the ``gpu`` pool runs the
same flow on a machine whose FFmpeg can use NVENC (the encoder is chosen there by a trial
encode). It takes and returns small models with paths: the workspace must be shared.
"""

from __future__ import annotations

import uuid

from prefect import flow

from tasks.render import render_video as render_task
from ytempire.models import RenderedVideo, Timeline, VideoJob
from ytempire.settings import Settings


@flow(name="render-video", flow_run_name="render-{job.video_id}")
def render_video(
    job: VideoJob, timeline: Timeline, run_id: uuid.UUID, workspace: str | None = None
) -> RenderedVideo:
    """Render ``timeline`` to ``<workspace>/<video_id>/video.mp4``, verified."""
    settings = Settings() if workspace is None else Settings(workspace=workspace)
    return render_task(job, timeline, settings, run_id)
