"""Where make_video's render runs: a run of the render deployment when the settings name one.

The happy path (a gpu worker renders, make_video reads the output) needs workers and is
tested against a real server in tests/deployments/test_server.py; here, under the session's
temporary API, a deployment with no worker shows what make_video does when its render run
does not complete in time.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

from flows.render import render, render_video
from ytempire.errors import StageFailed
from ytempire.models import RenderedVideo, Slide, Timeline, VideoJob
from ytempire.settings import Settings

JOB = VideoJob(topic="Why the sky is blue", minutes=0.1)


@flow
def video_with_render_on(workspace: str, deployment: str) -> RenderedVideo:
    settings = Settings(
        workspace=Path(workspace), render_deployment=deployment, render_deployment_timeout_s=1
    )
    root = Path(workspace)
    timeline = Timeline(
        engine="test",
        width=1920,
        height=1080,
        duration_s=2,
        slides=[Slide(image_path=root / "a.png", start=0, end=2, kind="hook")],
        audio_path=root / "n.wav",
    )
    return render(JOB, timeline, uuid.uuid4(), settings)


def test_a_render_run_that_does_not_complete_fails_the_stage_naming_it(tmp_path: Path) -> None:
    # No worker serves this deployment, so its run stays Scheduled past the timeout.
    deployment_id = render_video.to_deployment(name=f"no-worker-{uuid.uuid4().hex[:8]}").apply()
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment(deployment_id)
        state = video_with_render_on(
            str(tmp_path), f"render-video/{deployment.name}", return_state=True
        )
        (child,) = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id])
            )
        )
    assert state.is_failed()
    with pytest.raises(StageFailed) as failed:
        state.result()
    assert str(failed.value) == (
        f"stage 'render' failed: render run {child.name} ({child.id}) is Scheduled"
    )
    # Linked to the video's run as a subflow, with the job's parameters.
    assert child.parent_task_run_id is not None
    assert child.parameters["job"]["video_id"] == JOB.video_id
