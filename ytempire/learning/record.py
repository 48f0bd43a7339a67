"""One MLflow run per video: every version that made it, what it cost, how long it took and
how good it was, with its script, quality report, subtitles and thumbnails.

``build`` gathers the record from a finished run (its result, stage outputs, cost ledger and
the files in the video's folder); ``keep`` writes it into the folder as ``mlflow-pending.json``
(no MLflow needed, so a video never waits on or fails for MLflow); ``flush`` records every
pending record of a workspace and removes each one recorded, writing ``mlflow.json`` (the run's
id and store) in its place. A record that cannot be recorded (the server is down) stays
pending, and the next ``flush`` (the next video's, or ``ytempire mlflow flush``) records it.

A video re-made later is still one run: recording it again replaces the earlier run (deleted,
so it leaves the experiment's views), because MLflow params cannot change once logged.

Tags: ``ytempire.video_id``, ``ytempire.channel``, ``prefect.flow_run_id`` and
``prefect.flow_run_url``. Param names: ``prompt.<name>`` (version), ``model.script``,
``engine.<stage>``, ``voice.engine``, ``voice.profile``, ``thumbnail.template``,
``render.<setting>``, ``experiment.<name>`` (arm), ``git.revision``. Metric names:
``quality.score``, ``quality.<item>.<check>``, ``cost.<stage>_usd``, ``cost.total_usd``,
``seconds.<stage>``, ``tokens.input``/``tokens.output``/``tokens.total``, ``render.speed_x``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ytempire import redact
from ytempire.analytics.ledger import Line
from ytempire.learning import mlflow_store, prompts
from ytempire.models import (
    Narration,
    QualityReport,
    RenderedVideo,
    Stage,
    StageOutput,
    ThumbnailSet,
    VideoResult,
)
from ytempire.settings import REPO_ROOT, Settings
from ytempire.workspace import VideoFolder, write_json

PENDING = "mlflow-pending.json"
RECORDED = "mlflow.json"
VIDEO_TAG = "ytempire.video_id"
# MLflow's limits: a param value of 6000 characters, names of word characters and -./ space.
_NAME = re.compile(r"[^\w\-. /]")


class RunRecord(BaseModel):
    """Everything one video's MLflow run holds, as plain data (so it can wait in a file)."""

    video_id: str
    run_name: str
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    artifacts: dict[str, list[Path]] = Field(
        description="artifact folder in the run → files (missing ones are skipped)"
    )
    made_at: datetime


class Recorded(BaseModel):
    """Where a video's record went (``mlflow.json`` in its folder)."""

    video_id: str
    run_id: str
    experiment_id: str
    tracking_uri: str
    recorded_at: datetime


class Outcome(BaseModel):
    """What ``flush`` did with one pending record: recorded, or why not."""

    video_id: str
    recorded: Recorded | None = None
    error: str | None = None


def build(
    result: VideoResult,
    outputs: Mapping[str, StageOutput],
    ledger: Sequence[Line],
    settings: Settings,
    *,
    flow_run_id: str | None = None,
    flow_run_url: str | None = None,
) -> RunRecord:
    """The record of ``result``'s video: params, metrics, artifacts and tags (module doc)."""
    folder = VideoFolder(settings.workspace, result.job.video_id)
    tags = {
        VIDEO_TAG: result.job.video_id,
        "ytempire.channel": result.job.channel,
        "ytempire.title": result.title,
    }
    if flow_run_id:
        tags["prefect.flow_run_id"] = flow_run_id
    if flow_run_url:
        tags["prefect.flow_run_url"] = flow_run_url
    return RunRecord(
        video_id=result.job.video_id,
        run_name=f"video-{result.job.video_id}",
        params=_params(result, outputs, settings, folder),
        metrics=_metrics(result, outputs, ledger),
        tags=tags,
        artifacts=_artifacts(outputs, folder),
        made_at=datetime.now(UTC),
    )


def keep(record: RunRecord, settings: Settings) -> Path:
    """Write ``record`` into its video's folder as the pending record; returns its path."""
    return write_json(VideoFolder(settings.workspace, record.video_id) / PENDING, record)


def pending(settings: Settings) -> list[Path]:
    """Every pending record in the workspace."""
    root = settings.workspace
    return sorted(root.glob(f"*/{PENDING}")) if root.is_dir() else []


def flush(settings: Settings, only: str | None = None) -> list[Outcome]:
    """Record every pending record of the workspace (``only``: that video's), oldest first.

    Never raises for MLflow: a store that is unreachable or refuses leaves the records
    pending and says why in each ``Outcome``. A record claimed by another flush at the same
    moment is skipped."""
    paths = [p for p in pending(settings) if only is None or p.parent.name == only]
    if not paths:
        return []
    reason = mlflow_store.unreachable(settings)
    if reason is not None:
        return [Outcome(video_id=p.parent.name, error=reason) for p in paths]
    return [outcome for path in paths if (outcome := _flush_one(path, settings)) is not None]


def _flush_one(path: Path, settings: Settings) -> Outcome | None:
    claimed = path.with_name(f"{PENDING}.{os.getpid()}")
    try:
        path.rename(claimed)  # one flush per record, even with several at once
    except FileNotFoundError:
        return None
    video_id = path.parent.name
    try:
        record = RunRecord.model_validate_json(claimed.read_text(encoding="utf-8"))
        done = log(record, settings)
    except ValidationError as exc:
        claimed.rename(path)
        return Outcome(video_id=video_id, error=f"{PENDING} is not a record: {redact.line(exc)}")
    except Exception as exc:  # MLflow's own errors are many kinds; none may fail a video
        claimed.rename(path)
        return Outcome(video_id=video_id, error=redact.line(f"MLflow refused: {exc}"))
    write_json(path.with_name(RECORDED), done)
    claimed.unlink()
    return Outcome(video_id=video_id, recorded=done)


def log(record: RunRecord, settings: Settings) -> Recorded:
    """Log ``record`` as its video's one run (replacing an earlier run of the same video)."""
    from mlflow.entities import Metric, Param, RunTag

    mlflow = mlflow_store.connect(settings)
    client = mlflow.MlflowClient()
    experiment = mlflow_store.experiment_id(settings)
    for earlier in client.search_runs(
        [experiment], filter_string=f"tags.`{VIDEO_TAG}` = '{record.video_id}'"
    ):
        client.delete_run(earlier.info.run_id)
    run = client.create_run(
        experiment,
        start_time=int(record.made_at.timestamp() * 1000),
        tags=record.tags,
        run_name=record.run_name,
    )
    run_id = run.info.run_id
    stamp = int(record.made_at.timestamp() * 1000)
    client.log_batch(
        run_id,
        metrics=[Metric(_name(k), v, stamp, 0) for k, v in sorted(record.metrics.items())],
        params=[Param(_name(k), v[:6000]) for k, v in sorted(record.params.items())],
    )
    client.log_batch(run_id, tags=[RunTag("mlflow.note.content", _note(record))])
    for folder, files in record.artifacts.items():
        for file in files:
            if file.is_file():
                client.log_artifact(run_id, str(file), artifact_path=folder or None)
    client.set_terminated(run_id)
    return Recorded(
        video_id=record.video_id,
        run_id=run_id,
        experiment_id=experiment,
        tracking_uri=mlflow_store.shown(settings),
        recorded_at=datetime.now(UTC),
    )


def git_revision(root: Path = REPO_ROOT) -> str:
    """The code's git revision (``+dirty`` with uncommitted changes), or ``unknown`` for an
    installed package outside a checkout."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _params(
    result: VideoResult,
    outputs: Mapping[str, StageOutput],
    settings: Settings,
    folder: VideoFolder,
) -> dict[str, str]:
    job = result.job
    params = {
        "channel": job.channel,
        "content_type": job.content_type.value,
        "minutes": f"{job.minutes:g}",
        "aspect": job.aspect.value,
        "voice.profile": job.voice.value,
        "style_preset": job.style_preset or "house",
        "git.revision": git_revision(),
        "render.crf": str(settings.render_crf),
        "render.preset": settings.render_preset,
        "render.workers": str(settings.render_workers),
        "render.transition": settings.transition,
        "render.burn_subtitles": str(settings.burn_subtitles),
    }
    params |= {f"engine.{stage}": out.engine for stage, out in outputs.items() if out.engine}
    script = outputs.get(Stage.script)
    if script is not None:
        params["model.script"] = script.engine
    narration = outputs.get(Stage.voice)
    if isinstance(narration, Narration):
        params["voice.engine"] = narration.engine
    video = outputs.get(Stage.render)
    if isinstance(video, RenderedVideo):
        params["render.encoder"] = video.encoder
        params["render.resolution"] = f"{video.info.width}x{video.info.height}"
    thumbnails = outputs.get(Stage.thumbnails)
    if isinstance(thumbnails, ThumbnailSet):
        params["thumbnail.template"] = thumbnails.primary.template
    used = _json(folder / prompts.USED)
    params |= {f"prompt.{name}": str(version or "file") for name, version in used.items()}
    params |= {f"experiment.{name}": arm for name, arm in job.experiments}
    return params


def _metrics(
    result: VideoResult, outputs: Mapping[str, StageOutput], ledger: Sequence[Line]
) -> dict[str, float]:
    metrics: dict[str, float] = {"quality.passed": float(result.quality_passed)}
    for record in result.stages:
        stage = record.stage.value
        metrics[f"seconds.{stage}"] = record.duration_ms / 1000
        if record.quality_score is not None:
            metrics[f"quality.{stage}_score"] = record.quality_score
            if record.stage is Stage.quality:
                metrics["quality.score"] = record.quality_score
    by_stage: dict[str, float] = {}
    tokens = {"input": 0.0, "output": 0.0}
    for line in ledger:
        by_stage[line.stage.value] = by_stage.get(line.stage.value, 0.0) + float(line.cost_usd)
        if line.unit == "tokens":
            found = re.match(r"(\d+) in \+ (\d+) out", line.note or "")
            if found:
                tokens["input"] += float(found[1])
                tokens["output"] += float(found[2])
    metrics |= {f"cost.{stage}_usd": usd for stage, usd in by_stage.items()}
    metrics["cost.total_usd"] = sum(by_stage.values())
    metrics |= {f"tokens.{kind}": count for kind, count in tokens.items()}
    metrics["tokens.total"] = tokens["input"] + tokens["output"]
    quality = outputs.get(Stage.quality)
    if isinstance(quality, QualityReport):
        for check in quality.checks:
            value = check.value
            if isinstance(value, bool | int | float) and value is not None:
                metrics[f"quality.{check.item}.{check.name}"] = float(value)
    video = outputs.get(Stage.render)
    if isinstance(video, RenderedVideo) and video.seconds_to_render > 0:
        metrics["render.speed_x"] = video.info.duration_s / video.seconds_to_render
    return metrics


def _artifacts(outputs: Mapping[str, StageOutput], folder: VideoFolder) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {"": [folder / "metadata.json", folder / prompts.USED]}
    script = outputs.get(Stage.script)
    if script is not None and (path := getattr(script, "markdown_path", None)):
        files[""].append(Path(path))
    quality = outputs.get(Stage.quality)
    if isinstance(quality, QualityReport):
        files[""].append(quality.path)
    narration = outputs.get(Stage.voice)
    if isinstance(narration, Narration):
        files["subtitles"] = [narration.subtitles_path]
    thumbnails = outputs.get(Stage.thumbnails)
    if isinstance(thumbnails, ThumbnailSet):
        files["thumbnails"] = [t.path for t in thumbnails.variants]
    return files


def _note(record: RunRecord) -> str:
    """The run's description in MLflow's UI: what the video is and where its files are."""
    return (
        f"Video `{record.video_id}` of channel `{record.tags.get('ytempire.channel')}`: "
        f"{record.tags.get('ytempire.title', '')}. "
        + (
            f"Prefect run: {record.tags['prefect.flow_run_url']}"
            if "prefect.flow_run_url" in record.tags
            else ""
        )
    )


def _name(key: str) -> str:
    return _NAME.sub("_", key)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
