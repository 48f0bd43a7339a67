"""How a day's batch is described: one row per video, read back from the video folders.

Each row is built from the video's stage checkpoints (``ytempire.checkpoints``), whichever
machine made it and however many runs it took, so a video made through a deployment on a
worker is described the same way as one made in-process.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.batch_plan import BatchPlan, PlannedVideo
from ytempire.checkpoints import STAGE_OUTPUTS, read_checkpoint
from ytempire.models import (
    Narration,
    QualityReport,
    RenderedVideo,
    Script,
    Stage,
    StageOutput,
    ThumbnailSet,
    Upload,
)
from ytempire.publish import gate
from ytempire.workspace import VideoFolder


class BatchVideo(BaseModel):
    """How one planned video ended."""

    video_id: str
    channel: str
    language: str = Field(default="en", description="BCP-47 tag of the video's language")
    topic: str
    status: Literal["completed", "held", "rejected", "failed"] = Field(
        description="held or rejected: made, but waiting in the outbox (ytempire.publish.gate)"
    )
    cost_usd: float = Field(description="what it cost, over all its runs (its cost ledger)")
    quality_score: float | None = None
    quality_passed: bool | None = None
    engines: str = ""
    location: str = Field(description="where it was published, else its folder")
    resumed_stages: int = Field(default=0, description="stages served from checkpoints")
    error: str | None = None
    held: str | None = Field(default=None, description="why the gate keeps it in the outbox")


class BatchResult(BaseModel):
    day: date
    channels_source: str
    plan: BatchPlan
    videos: list[BatchVideo]

    @property
    def completed(self) -> int:
        return sum(v.status == "completed" for v in self.videos)

    @property
    def held(self) -> int:
        """Videos made but kept in the outbox by the gate (waiting for, or refused, release)."""
        return sum(v.status in ("held", "rejected") for v in self.videos)

    @property
    def failed(self) -> int:
        return sum(v.status == "failed" for v in self.videos)

    @property
    def total_cost_usd(self) -> float:
        return sum(v.cost_usd for v in self.videos)


def describe(
    planned: PlannedVideo,
    folder: VideoFolder,
    store: AnalyticsStore,
    run_id: uuid.UUID | None,
    error: str | None,
    link: str | None = None,
) -> BatchVideo:
    """The row of ``planned``, from its folder's checkpoints and its last run's events;
    unpublished, it points at ``link`` (the video in a bucket workspace) or its folder.

    It is completed when its run raised nothing and its tracking stage has a checkpoint; held
    (or rejected) instead when the gate keeps it in the outbox (``hold.json``)."""
    outputs: dict[Stage, StageOutput] = {}
    for stage, model in STAGE_OUTPUTS.items():
        output = read_checkpoint(folder, stage, model)
        if output is not None:
            outputs[stage] = output
    done = error is None and Stage.tracking in outputs
    quality = outputs.get(Stage.quality)
    upload = outputs.get(Stage.upload)
    records = store.stage_records(run_id) if run_id else []
    hold = gate.read_hold(folder) if done else None
    status: Literal["completed", "held", "rejected", "failed"] = "completed" if done else "failed"
    if hold is not None and hold.status != "approved":
        status = hold.status
    return BatchVideo(
        video_id=planned.job.video_id,
        channel=planned.job.channel,
        language=planned.job.language,
        topic=planned.job.topic or "",
        status=status,
        cost_usd=float(Ledger(store).video_total(planned.job.video_id)),
        quality_score=quality.quality_score if isinstance(quality, QualityReport) else None,
        quality_passed=quality.passed if isinstance(quality, QualityReport) else None,
        engines=_engines(outputs),
        location=upload.location if isinstance(upload, Upload) else link or str(folder.path),
        resumed_stages=sum(r.status == "resumed" for r in records),
        error=error or (None if done else "unfinished: its tracking stage never completed"),
        held=hold.reason if status in ("held", "rejected") and hold is not None else None,
    )


def _engines(outputs: dict[Stage, StageOutput]) -> str:
    """The engines that made what is seen and heard: script, voice, render, thumbnails."""
    parts = []
    for stage, kind in (
        (Stage.script, Script),
        (Stage.voice, Narration),
        (Stage.render, RenderedVideo),
        (Stage.thumbnails, ThumbnailSet),
    ):
        output = outputs.get(stage)
        if isinstance(output, kind):
            engine = output.encoder if isinstance(output, RenderedVideo) else output.engine
            parts.append(f"{stage.value}: {engine}")
    return ", ".join(parts)


def table_rows(result: BatchResult) -> list[dict[str, Any]]:
    """The batch table: one row per video, then one per video left out of the plan."""
    rows: list[dict[str, Any]] = [
        {
            "video": v.video_id,
            "channel": v.channel,
            "language": v.language,
            "topic": v.topic,
            "status": v.status,
            "cost_usd": round(v.cost_usd, 4),
            "quality": "" if v.quality_score is None else round(v.quality_score, 2),
            "engines": v.engines,
            "resumed": v.resumed_stages,
            "link": v.location,
            "notes": v.error or "",
        }
        for v in result.videos
    ]
    rows += [
        {
            "video": "",
            "channel": d.channel,
            "language": "",
            "topic": "",
            "status": "dropped",
            "cost_usd": 0.0,
            "quality": "",
            "engines": "",
            "resumed": 0,
            "link": "",
            "notes": d.reason,
        }
        for d in result.plan.dropped
    ]
    return rows


def _link(location: str) -> str:
    """A URL as a link a browser opens; a path as code to copy."""
    if location.startswith(("http://", "https://")):
        return f"[open]({location})"
    return f"`{location}`"


def markdown(result: BatchResult) -> str:
    """The batch summary for the Prefect UI: totals, plan, videos, what was left out."""
    plan = result.plan
    quota = f"{plan.quota_units:,} of {plan.quota_units_per_day:,} YouTube quota units" + (
        "" if plan.quota_enforced else " (outbox: none spent)"
    )
    lines = [
        f"# Daily batch {result.day.isoformat()}",
        "",
        f"- channels from: {result.channels_source}",
        f"- videos: {result.completed} completed, {result.held} held, {result.failed} failed, "
        f"{len(plan.dropped)} left out of the plan",
        f"- cost: ${result.total_cost_usd:.4f} (planned at most "
        f"${sum(v.estimate_total_usd for v in plan.videos):.4f})",
        f"- upload quota: {quota}",
        "",
        "| video | channel | language | topic | status | cost ($) | quality | resumed stages "
        "| link |",
        "|---|---|---|---|---|---:|---:|---:|---|",
        *(
            f"| `{v.video_id}` | {v.channel} | {v.language} | {v.topic} | {v.status} "
            f"| {v.cost_usd:.4f} "
            f"| {'' if v.quality_score is None else f'{v.quality_score:.2f}'} "
            f"| {v.resumed_stages} | {_link(v.location)} |"
            for v in result.videos
        ),
    ]
    held = [v for v in result.videos if v.held]
    if held:
        lines += [
            "",
            "## Held in the outbox",
            "",
            *(
                f"- `{v.video_id}` ({v.channel}, {v.status}): {v.held} — "
                f"`ytempire release {v.video_id}`"
                for v in held
            ),
        ]
    failed = [v for v in result.videos if v.error]
    if failed:
        lines += [
            "",
            "## Failed",
            "",
            *(f"- `{v.video_id}` ({v.channel}): {v.error}" for v in failed),
        ]
    if plan.dropped:
        lines += [
            "",
            "## Left out of the plan",
            "",
            *(f"- {d.channel} video {d.slot + 1}: {d.reason}" for d in plan.dropped),
        ]
    notes = [(v, n) for v in plan.videos for n in v.notes]
    if notes:
        lines += ["", "## Plan notes", "", *(f"- `{v.job.video_id}`: {n}" for v, n in notes)]
    return "\n".join(lines) + "\n"
