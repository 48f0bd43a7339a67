"""The gate before publishing: hold a video that failed a critical check (or that the
template writer wrote, where the channel does not publish those), and ask an operator.

``gate_video`` decides (``ytempire.publish.gate``) and, when the video is held, writes
``hold.json`` and raises a ``video_held`` alert. ``ask_operator`` then pauses the flow run for
an approve / reject form in the Prefect UI, when the run came from a deployment on a server
(setting ``gate_pause``); otherwise, or when nobody answers in time, the run ends with the
video held and ``ytempire release <video_id>`` publishes it later. ``hold_video`` is the
upload stage of a held video: its manifest in the outbox, marked held, and no checkpoint, so
the run after a release uploads it.
"""

from __future__ import annotations

import uuid

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.states import Running
from pydantic import Field

from tasks.alerts import raise_alert
from tasks.costs import video_ledger
from tasks.recording import asked_job, run_stage
from ytempire.analytics.alerts import Alert
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import one_line
from ytempire.models import (
    Narration,
    QualityReport,
    Script,
    Stage,
    StageOutput,
    Upload,
    VideoJob,
)
from ytempire.publish import gate, metadata, outbox
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

UI = "the Prefect UI"


class PublishDecision(RunInput):
    """The form a paused run shows in the Prefect UI."""

    approve: bool = Field(default=False, description="publish the video (unticked: reject it)")
    note: str = Field(default="", description="why; kept in the video's hold.json")


@task(name="gate", cache_policy=NO_CACHE)
def gate_video(
    job: VideoJob, script: Script, quality: QualityReport, settings: Settings
) -> gate.Verdict:
    """Publish, or hold (``hold.json`` written, a ``video_held`` alert raised)."""
    folder = VideoFolder(settings.workspace, job.video_id)
    verdict = gate.decide(job, script.engine, quality, gate.read_hold(folder))
    if verdict.status == "held":
        # The job as asked (the flow's parameter): a release asks for it again, so its arms
        # are assigned again by their hash and its stages resume from their checkpoints.
        gate.hold(folder, asked_job() or job, verdict)
        alert = Alert(
            rule="video_held",
            subject=job.video_id,
            value=float(len(verdict.reasons)),
            threshold=0.0,
            severity="warning",
            message=f"{job.channel} video {job.video_id} held: {verdict.reason}; "
            f"release with `ytempire release {job.video_id}`",
        )
        raise_alert(alert, AnalyticsStore(settings.analytics_url), channel=job.channel)
    return verdict


def ask_operator(job: VideoJob, verdict: gate.Verdict, settings: Settings) -> gate.Verdict:
    """A held video's run waits for an operator's approve / reject in the Prefect UI, when
    it should pause (``gate_pause``); the answer is kept in ``hold.json``. Not paused, or
    not answered in time: the verdict stands and the video stays held."""
    if verdict.status != "held" or not _pauses(settings):
        return verdict
    logger = get_run_logger()
    form = PublishDecision.with_initial_data(
        description=(
            f"**Video {job.video_id} ({job.channel}) is held**: {verdict.reason}.\n\n"
            + "".join(
                f"- {c.item} {c.check} = {c.value} (expected {c.expected})"
                + (f": {c.recommendation}\n" if c.recommendation else "\n")
                for c in verdict.failing_checks
            )
            + "\nTick *approve* to publish it, or leave it unticked to reject it."
        ),
        approve=False,
    )
    try:
        answered = pause_flow_run(
            wait_for_input=form,
            timeout=settings.gate_pause_timeout_s,
            poll_interval=settings.gate_poll_s,
            key=f"gate-{job.video_id}",
        )
    except FlowPauseTimeout:
        logger.warning(
            "video %s stays held: no decision in %d s; release it with `ytempire release %s`",
            job.video_id,
            settings.gate_pause_timeout_s,
            job.video_id,
        )
        _run_again()
        return verdict
    except RuntimeError as exc:  # the server refused the pause
        logger.warning("video %s stays held: %s", job.video_id, one_line(exc))
        return verdict
    folder = VideoFolder(settings.workspace, job.video_id)
    decision = gate.Decision(approve=answered.approve, note=answered.note, by=UI)
    return gate.decided(gate.answer(folder, decision), decision)


@task(name="hold-video", cache_policy=NO_CACHE)
def hold_video(
    job: VideoJob,
    script: Script,
    narration: Narration,
    outputs: dict[str, StageOutput],
    verdict: gate.Verdict,
    settings: Settings,
    run_id: uuid.UUID,
) -> Upload:
    """The upload stage of a held (or rejected) video: its manifest in the outbox, marked."""
    folder = VideoFolder(settings.workspace, job.video_id)

    def keep() -> Upload:
        manifest = metadata.build(
            job, script, narration, outputs, video_ledger(settings, job.video_id)
        )
        return outbox.hold(folder, manifest, verdict.status, verdict.reason)

    # No checkpoint: the run after a release must upload.
    return run_stage(Stage.upload, run_id, settings, keep)


def _run_again() -> None:
    """Back to Running after an unanswered pause: the server runs no task of a paused run,
    and the held video's outbox stage is still to come."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    with get_client(sync_client=True) as client:
        current = client.read_flow_run(context.flow_run.id)
        if current.state is not None and current.state.is_paused():
            client.set_flow_run_state(current.id, Running(), force=True)


def _pauses(settings: Settings) -> bool:
    if settings.gate_pause == "never":
        return False
    if settings.gate_pause == "always":
        return True
    context = FlowRunContext.get()
    return bool(context and context.flow_run and context.flow_run.deployment_id)
