"""How every stage task runs its core function: timed, recorded, reported, errors named.

Each stage writes one ``ai_pipeline_events`` row per attempt, success or failure, sends its
seed §4.2 observations (generation times, cost per video) to the metrics queue, and tells
the progress listeners. A failure is re-raised as ``StageFailed`` so the flow (and the CLI)
can say which stage broke, in one line.

Given the video's folder and the stage's output type, a stage is resumable: its output is
kept as a checkpoint (``ytempire.checkpoints``) when it succeeds, with the inputs that made
it (``ytempire.stage_inputs``: the job, the settings the stage reads, engine versions), and a
re-run of the same video whose checkpoint is still valid and was made with the same inputs
returns it without running the stage again. Such a
stage is recorded with status ``resumed``, its engine and quality as before and no cost:
nothing was spent this time, so cost views never count it twice (the video's cost ledger
still holds what the run that made it paid).

A stage's cost is what its run's rows in the cost ledger add up to (``tasks/costs.py``):
every paid call, the failed and rejected ones included, and its compute.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from prefect import get_run_logger
from prefect.runtime import flow_run

from tasks.fallback import noted_kind
from tasks.progress_artifact import ProgressArtifact
from ytempire import progress, redact
from ytempire.analytics import metrics, queue
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.checkpoints import file_paths, read_checkpoint, stale_inputs, write_checkpoint
from ytempire.errors import StageFailed, one_line
from ytempire.models import Stage, StageOutput, StageRecord, VideoJob
from ytempire.resilience.errors import ProviderError, kind_of
from ytempire.settings import Settings
from ytempire.stage_inputs import inputs_of
from ytempire.workspace import Bucket, VideoFolder, workspace_bucket

T = TypeVar("T", bound=StageOutput)


def run_stage(
    stage: Stage,
    run_id: uuid.UUID,
    settings: Settings,
    produce: Callable[[], T],
    *,
    folder: VideoFolder | None = None,
    output_type: type[T] | None = None,
) -> T:
    """Run ``produce`` as ``stage`` of run ``run_id`` and record how it went.

    With ``folder`` and ``output_type`` the stage resumes from a valid checkpoint instead of
    running, and a successful run leaves its checkpoint for the next one.
    """
    if (folder is None) != (output_type is None):
        raise TypeError("run_stage resumes with both folder and output_type, or neither")
    redact.remember_settings(settings)  # blocks' credentials are masked in messages too
    store = AnalyticsStore(settings.analytics_url)
    progress.started(stage)
    started_at = datetime.now(UTC)
    # What the output depends on (job, settings, engine versions): a checkpoint made with
    # other inputs is not reused.
    inputs = inputs_of(stage, asked_job(), settings)
    # A bucket workspace: the video folder is this worker's scratch copy, brought up to date
    # before the stage and pushed back after it.
    bucket = workspace_bucket(settings.workspace_url) if folder is not None else None
    if folder is not None and output_type is not None:
        if bucket is not None:
            _pull(stage, bucket, folder)
        kept = read_checkpoint(folder, stage, output_type, inputs)
        if kept is not None:
            return _resumed(stage, run_id, settings, store, started_at, kept)
        _say_why_not_resumed(folder, stage, inputs)
    # Each attempt's row holds what that attempt spent, so a stage retried by its task adds
    # up to the ledger instead of counting the earlier attempts' spend again.
    spent_before = _spent(store, run_id, stage)
    try:
        with progress.reporting(ProgressArtifact(stage)):
            output = produce()
        # What this run's stage cost: its ledger rows (every call, rejected drafts and failed
        # attempts too, and compute), not only what the engine that won reported.
        output = output.model_copy(update={"cost_usd": _spent(store, run_id, stage)})
        if folder is not None:
            write_checkpoint(folder, stage, output, inputs)
        if bucket is not None and folder is not None:
            bucket.push(folder, file_paths(output))
    except Exception as exc:
        record = StageRecord(
            stage=stage,
            status="failed",
            started_at=started_at,
            completed_at=datetime.now(UTC),
            cost_usd=_spent(store, run_id, stage) - spent_before,
            error=one_line(exc),
            error_kind=kind_of(exc) or "other",
        )
        store.record_stage(run_id, record)
        _observe(record, run_id, settings, store)
        progress.finished(record)
        raise StageFailed(stage.value, record.error or type(exc).__name__) from exc
    record = StageRecord(
        stage=stage,
        status="completed",
        engine=output.engine,
        started_at=started_at,
        completed_at=datetime.now(UTC),
        cost_usd=output.cost_usd - spent_before,
        quality_score=output.quality_score,
        error="; ".join(output.fallbacks) or None,
        error_kind=noted_kind(output.fallbacks),
    )
    store.record_stage(run_id, record)
    _observe(record, run_id, settings, store)
    progress.finished(record)
    get_run_logger().info(
        "%s: %s in %.2f s, $%.4f",
        stage.value,
        output.engine,
        record.duration_ms / 1000,
        output.cost_usd,
    )
    return output


def _pull(stage: Stage, bucket: Bucket, folder: VideoFolder) -> None:
    """The video's files from the bucket into scratch; a store that fails fails the stage
    (retried by the error's strategy: an unreachable store is an API error)."""
    try:
        folder.create()
        bucket.pull(folder)
    except ProviderError as exc:
        raise StageFailed(stage.value, one_line(exc)) from exc


def _spent(store: AnalyticsStore, run_id: uuid.UUID, stage: Stage) -> float:
    """What ``stage`` of the run has cost so far, from the cost ledger."""
    return float(Ledger(store).run_stage_total(run_id, stage))


def _resumed(
    stage: Stage,
    run_id: uuid.UUID,
    settings: Settings,
    store: AnalyticsStore,
    started_at: datetime,
    output: T,
) -> T:
    """Record a stage served from its checkpoint: engine and quality kept, nothing spent."""
    record = StageRecord(
        stage=stage,
        status="resumed",
        engine=output.engine,
        started_at=started_at,
        completed_at=datetime.now(UTC),
        quality_score=output.quality_score,
    )
    store.record_stage(run_id, record)
    _observe(record, run_id, settings, store)
    progress.finished(record)
    get_run_logger().info("%s: resumed from its checkpoint (%s)", stage.value, output.engine)
    return output


def _say_why_not_resumed(folder: VideoFolder, stage: Stage, inputs: dict[str, Any]) -> None:
    """Log which inputs changed when a checkpoint is there but was made with others."""
    if not folder.checkpoint(stage.value).exists():
        return
    stale = stale_inputs(folder, stage, inputs)
    if stale:
        get_run_logger().info(
            "%s: runs again: its checkpoint was made with other inputs (%s)",
            stage.value,
            ", ".join(stale),
        )


def asked_job() -> VideoJob | None:
    """The ``job`` parameter of the flow run this stage belongs to: the video as it was asked
    for, before its experiment arms were applied (they are a function of it, so it keys the
    checkpoints' inputs). Also the metric labels'."""
    job = flow_run.parameters.get("job")
    if isinstance(job, VideoJob) or job is None:
        return job
    return VideoJob.model_validate(job)


def _observe(
    record: StageRecord, run_id: uuid.UUID, settings: Settings, store: AnalyticsStore
) -> None:
    """Queue the stage's metric observations. A metrics failure is logged, never fatal: the
    stage's own row is already in the store."""
    try:
        total = None
        job = asked_job()
        if record.stage is Stage.tracking and record.status == "completed":
            # The video's whole cost, resumed stages included (this run's rows hold only
            # what it spent): the breakdown the tracking stage has just written.
            breakdown = store.cost_breakdown(job.video_id) if job else None
            total = (
                float(breakdown.total_cost)
                if breakdown
                else sum(r.cost_usd for r in store.stage_records(run_id))
            )
        samples = metrics.stage_samples(record, job, total)
        if samples:
            metrics_queue = queue.for_settings(settings)
            for sample in samples:
                metrics_queue.record_metric(sample)
    except Exception as exc:
        get_run_logger().warning(
            "metrics of stage %s not recorded: %s", record.stage.value, one_line(exc)
        )
