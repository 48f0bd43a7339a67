"""The daily batch: channel profiles → topics per channel → a plan within budgets and quota →
``make_video`` for each planned video, a few at a time → a table of how each one ended.

Videos run in-process (threads, ``batch_concurrency`` at once), or, when the settings name
the ``make-video`` deployment (``video_deployment``), as runs of it on the workers. A video
that fails does not stop the others. Re-running a date resumes it: the day's plan keeps each
slot's job, the video ids are the same, and every stage with a valid checkpoint is served
from it, so nothing is paid for or uploaded twice (docs/batch.md).
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run

from blocks.channel import channel_profiles
from blocks.credentials import settings_from_blocks, youtube_identity
from flows.deployed import run_and_wait
from flows.video import make_video
from tasks.trends import trends_for
from tasks.workspace import video_files
from ytempire import batch_plan, batch_report
from ytempire.analytics.store import AnalyticsStore
from ytempire.batch_plan import BatchPlan, PlannedVideo
from ytempire.batch_report import BatchResult, BatchVideo
from ytempire.channels import Channel
from ytempire.channels import choose as choose_channels
from ytempire.errors import one_line
from ytempire.publish.identity import IdentityError
from ytempire.settings import Settings

# How often the batch asks whether a video's deployment run has finished.
POLL_S = 5.0


def _run_name() -> str:
    day = flow_run.parameters.get("date")
    return f"batch-{day or 'today'}"


@flow(name="daily-batch", flow_run_name=_run_name)
def daily_batch(
    date: datetime.date | None = None,
    channels: list[str] | None = None,
    videos_per_channel: int | None = None,
    workspace: str | None = None,
) -> BatchResult:
    """Make the day's videos for ``channels`` (all by default); ``date`` defaults to today
    (UTC), ``videos_per_channel`` to each profile's ``videos_per_day``."""
    base = Settings() if workspace is None else Settings(workspace=workspace)
    settings = settings_from_blocks(base)
    day = date or datetime.datetime.now(datetime.UTC).date()
    profiles, source = channel_profiles(settings)
    chosen = choose_channels(profiles, channels, source)
    plan = _plan(day, chosen, source, videos_per_channel, settings)
    get_run_logger().info(
        "%s: %d videos planned, %d left out (channels from %s)",
        day,
        len(plan.videos),
        len(plan.dropped),
        source,
    )
    videos = _make_all(plan, settings)
    result = BatchResult(day=day, channels_source=source, plan=plan, videos=videos)
    create_table_artifact(
        batch_report.table_rows(result),
        key=f"batch-{day.isoformat()}",
        description="Each video of the day: status, cost, quality, engines, link",
    )
    create_markdown_artifact(
        batch_report.markdown(result),
        key=f"batch-summary-{day.isoformat()}",
        description=f"Daily batch {day.isoformat()}",
    )
    return result


def _plan(
    day: datetime.date,
    chosen: list[Channel],
    source: str,
    videos_per_channel: int | None,
    settings: Settings,
) -> BatchPlan:
    """The day's plan: each channel's best unproduced trends, within budgets and quota; the
    slots an earlier run of the day planned keep their jobs. Kept for the next run."""
    store = AnalyticsStore(settings.analytics_url)
    profiles = {c.name: c for c in chosen}
    earlier = [_identity_now(v, profiles) for v in batch_plan.read_planned(settings.workspace, day)]
    topics = {
        c.name: batch_plan.topic_candidates(
            trends_for(c.niche, settings, c.spoken_languages[0], c.region),
            store.produced_topics(c.name),
            c.videos_per_day if videos_per_channel is None else videos_per_channel,
            c.spoken_languages[0],
        )
        for c in chosen
    }
    budgets = batch_plan.budgets_for(settings, store, day)
    if not budgets.quota_enforced and any(_uploads(settings, c) for c in chosen):
        # The global identity is the default channel's: the channels' own ones spend quota.
        budgets = budgets.model_copy(update={"quota_enforced": True})
    plan = batch_plan.plan_day(
        day,
        chosen,
        topics,
        budgets,
        lambda job: batch_plan.estimate_costs(job, settings),
        channels_source=source,
        videos_per_channel=videos_per_channel,
        earlier=earlier,
    )
    batch_plan.keep_planned(settings.workspace, plan, earlier)
    return plan


def _identity_now(video: PlannedVideo, profiles: dict[str, Channel]) -> PlannedVideo:
    """A kept job with its channel's YouTube identity as the profile names it now (set after
    an upload was refused, say), not as when the slot was first planned."""
    profile = profiles.get(video.job.channel)
    if profile is None:
        return video
    names = {
        "youtube_credentials": profile.youtube_credentials,
        "youtube_channel_id": profile.youtube_channel_id,
    }
    if all(getattr(video.job, field) == value for field, value in names.items()):
        return video
    return video.model_copy(update={"job": video.job.model_copy(update=names)})


def _uploads(settings: Settings, channel: Channel) -> bool:
    """Whether ``channel``'s videos go to YouTube (spend upload quota): it has an identity,
    or one so misconfigured that its runs will say so (counted, to be safe)."""
    try:
        identity = youtube_identity(
            settings, channel.name, channel.youtube_credentials, channel.youtube_channel_id
        )
    except IdentityError:
        return True
    return identity.oauth is not None


def _make_all(plan: BatchPlan, settings: Settings) -> list[BatchVideo]:
    """Every planned video, ``batch_concurrency`` at a time, in plan order."""
    with ThreadPoolExecutor(max_workers=settings.batch_concurrency) as pool:
        # Each thread runs in a copy of this flow's context, so the videos are its subflows.
        futures = [
            pool.submit(contextvars.copy_context().run, _make, video, settings)
            for video in plan.videos
        ]
        return [made for future in futures for made in future.result()]


def _make(video: PlannedVideo, settings: Settings) -> list[BatchVideo]:
    """Make the planned video, then each of its translations (which need its script), and
    describe how each ended; never raises."""
    return [_make_one(version, settings) for version in video.in_languages()]


def _make_one(video: PlannedVideo, settings: Settings) -> BatchVideo:
    """Make one video (in-process or on a worker) and describe how it ended; never raises."""
    run = _on_worker if settings.video_deployment else _in_process
    try:
        run_id, error = run(video, settings)
    except Exception as exc:
        run_id, error = None, one_line(exc)
    store = AnalyticsStore(settings.analytics_url)
    with video_files(settings, video.job.video_id) as (folder, link):
        return batch_report.describe(video, folder, store, run_id, error, link)


def _in_process(video: PlannedVideo, settings: Settings) -> tuple[uuid.UUID | None, str | None]:
    """``make_video`` as a subflow: its run id, and why it failed (None: it completed)."""
    state = make_video(video.job, workspace=settings.workspace_location, return_state=True)
    if state.is_completed():
        return state.state_details.flow_run_id, None
    failure = state.result(raise_on_failure=False)
    why = one_line(failure) if isinstance(failure, BaseException) else state.name
    return state.state_details.flow_run_id, why


def _on_worker(video: PlannedVideo, settings: Settings) -> tuple[uuid.UUID | None, str | None]:
    """A run of the ``make-video`` deployment, waited for: its id, and why it failed."""
    assert settings.video_deployment is not None
    child, failed = run_and_wait(
        settings.video_deployment,
        {"job": video.job, "workspace": settings.workspace_location},
        timeout_s=settings.video_deployment_timeout_s,
        poll_s=POLL_S,
        idempotency_key=_idempotency_key(video),
    )
    return child.id, failed


def _idempotency_key(video: PlannedVideo) -> str:
    """One run of a job per attempt of this batch run: a retried or duplicated request does
    not start a second run, while a later batch run (a re-run after a crash) starts one that
    resumes from the checkpoints."""
    content = hashlib.sha256(video.job.model_dump_json().encode()).hexdigest()[:16]
    return f"video-{video.job.video_id}-{content}-{flow_run.id}-{flow_run.run_count}"
