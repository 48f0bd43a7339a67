"""A/B experiments: what an experiments file declares, which arm a video gets, and what the
arm changes in the job (docs/experiments.md).

The file (``YTEMPIRE_EXPERIMENTS_FILE``, ``experiments.yaml`` at the repository root by
default; on a server the ``ytempire_experiments`` Prefect Variable wins, read by
``tasks/experiments.py``) lists experiments, each with one factor, its arms (``control`` and
one or more others), their weights, the channels it runs on and the metric that decides it.

Assignment is a hash of the experiment's name and the video id, mapped onto the weights: a
re-run of a video keeps its arm, and nothing needs to be stored for that to hold. The
store's ``experiment_assignments`` rows record it for the analysis, ``metadata.json`` keeps
it with the video (``"experiments": {"<name>": "<arm>"}``), and the MLflow record turns that
into params.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select

from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import ExperimentAssignment
from ytempire.models import SLUG_PATTERN, VideoJob, VoiceProfile
from ytempire.settings import Settings
from ytempire.visuals.thumbnails import TEMPLATES

CONTROL = "control"
Factor = Literal[
    "voice", "script_prompt", "script_model", "thumbnail_template", "title_style", "music"
]
# The metrics an experiment may be decided by; True where higher is better.
METRICS: dict[str, bool] = {
    "quality_score": True,
    "cost_usd": False,
    "latency_s": False,
    "views_48h": True,
    "average_view_duration_s": True,
    "ctr": True,
}
# Factors the pipeline has no setting for yet: the arm is recorded, the job is unchanged.
NOT_APPLIED = {"title_style": "the script stage has no title style setting"}
TEMPLATE_NAMES = tuple(t.name for t in TEMPLATES)
# A music arm's value that turns the music bed off; any other value is a folder of tracks.
NO_MUSIC = ("off", "none")


class Experiment(BaseModel):
    """One experiment of the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=SLUG_PATTERN, max_length=100)
    factor: Factor
    arms: dict[str, str] = Field(min_length=2)
    weights: dict[str, float] | None = None
    channels: Literal["all"] | list[str] = "all"
    metric: Literal[
        "quality_score", "cost_usd", "latency_s", "views_48h", "average_view_duration_s", "ctr"
    ] = "quality_score"

    @field_validator("arms")
    @classmethod
    def _arms(cls, arms: dict[str, str]) -> dict[str, str]:
        if CONTROL not in arms:
            raise ValueError(f"no {CONTROL!r} arm")
        for arm, value in arms.items():
            if not arm or len(arm) > 50 or not str(value).strip():
                raise ValueError(f"arm {arm!r} needs a name of 1-50 characters and a value")
        return {arm: str(value) for arm, value in arms.items()}

    @model_validator(mode="after")
    def _weights(self) -> Experiment:
        if self.weights is None:
            return self
        if set(self.weights) != set(self.arms):
            raise ValueError("weights must name exactly the arms")
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise ValueError("weights must be ≥ 0 and not all 0")
        return self

    @property
    def higher_is_better(self) -> bool:
        return METRICS[self.metric]

    def share(self, arm: str) -> float:
        """The arm's share of the videos (weights normalised; equal shares without)."""
        weights = self.weights or dict.fromkeys(self.arms, 1.0)
        return weights[arm] / sum(weights.values())

    def runs_on(self, channel: str) -> bool:
        return self.channels == "all" or channel in self.channels

    def assign(self, video_id: str) -> str:
        """The video's arm: the first 8 bytes of SHA-256 of ``name:video_id`` as a point in
        [0, 1), placed on the arms' cumulative shares in the file's order."""
        digest = hashlib.sha256(f"{self.name}:{video_id}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") / 2**64
        edge = 0.0
        arms = list(self.arms)
        for arm in arms:
            edge += self.share(arm)
            if point < edge:
                return arm
        return arms[-1]  # rounding of the last edge


class Assignment(BaseModel):
    """One video's arm of one experiment and what it sets."""

    experiment: str
    arm: str
    factor: str
    value: str


class Applied(BaseModel):
    """The job with the arms applied, the settings they change (names and values, no
    secrets, so the result can be stored) and a line per arm that changed nothing."""

    job: VideoJob
    settings_update: dict[str, str | None] = Field(default_factory=dict)
    not_applied: list[str] = Field(default_factory=list)

    def settings(self, settings: Settings) -> Settings:
        """``settings`` with the arms' changes."""
        update: dict[str, object] = dict(self.settings_update)
        if update.get("music_dir") is not None:
            update["music_dir"] = Path(str(update["music_dir"]))
        return settings.model_copy(update=update) if update else settings


def parse(data: Any, source: str) -> list[Experiment]:
    """The experiments in ``data`` (YAML text or its parsed form); ``ValueError`` naming the
    source and the experiment on bad input."""
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            raise ValueError(f"{source}: not YAML ({type(exc).__name__})") from None
    if data is None:
        return []
    items = data.get("experiments") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise ValueError(f"{source}: expected a list under 'experiments'")
    found: list[Experiment] = []
    for i, item in enumerate(items):
        label = item.get("name", f"#{i + 1}") if isinstance(item, Mapping) else f"#{i + 1}"
        try:
            found.append(Experiment.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "experiment"
            raise ValueError(f"{source}: experiment {label}: {where}: {error['msg']}") from None
    names = [e.name for e in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{source}: experiment {twice[0]} is declared twice")
    return found


def load(path: Path) -> list[Experiment]:
    """The experiments of the file at ``path``; none when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return parse(text, str(path))


def for_settings(settings: Settings) -> list[Experiment]:
    return load(settings.experiments_file)


def named(experiments: Iterable[Experiment], name: str) -> Experiment:
    for experiment in experiments:
        if experiment.name == name:
            return experiment
    raise ValueError(f"no experiment named {name!r}")


def assign(experiments: Iterable[Experiment], job: VideoJob) -> list[Assignment]:
    """The video's arm of every experiment that runs on its channel."""
    return [
        Assignment(experiment=e.name, arm=arm, factor=e.factor, value=e.arms[arm])
        for e in experiments
        if e.runs_on(job.channel)
        for arm in [e.assign(job.video_id)]
    ]


def apply(job: VideoJob, assignments: Iterable[Assignment]) -> Applied:
    """``job`` and the settings as the arms make them, the arms kept on the job
    (``job.experiments``, which ``metadata.json`` records)."""
    update: dict[str, Any] = {}
    settings_update: dict[str, str | None] = {}
    not_applied: list[str] = []
    pairs: list[tuple[str, str]] = []
    for a in assignments:
        pairs.append((a.experiment, a.arm))
        if a.factor == "voice":
            try:
                update["voice"] = VoiceProfile(a.value)
            except ValueError:
                choices = ", ".join(v.value for v in VoiceProfile)
                raise ValueError(
                    f"experiment {a.experiment}: arm {a.arm}: voice {a.value!r} is not one of "
                    f"{choices}"
                ) from None
        elif a.factor == "script_model":
            settings_update["script_primary_model"] = a.value
        elif a.factor == "script_prompt":  # <prompt>@<alias>: the script prompts by that alias
            settings_update["script_prompt_alias"] = a.value.rpartition("@")[2]
        elif a.factor == "thumbnail_template":
            if a.value not in TEMPLATE_NAMES:
                raise ValueError(
                    f"experiment {a.experiment}: arm {a.arm}: thumbnail template {a.value!r} "
                    f"is not one of {', '.join(TEMPLATE_NAMES)}"
                )
            settings_update["thumbnail_template"] = a.value
        elif a.factor == "music":
            settings_update["music_dir"] = None if a.value.lower() in NO_MUSIC else a.value
        else:
            not_applied.append(
                f"experiment {a.experiment}: {a.factor} arm {a.arm} ({a.value}) recorded, "
                f"not applied: {NOT_APPLIED[a.factor]}"
            )
    return Applied(
        job=job.model_copy(update={**update, "experiments": tuple(pairs)}),
        settings_update=settings_update,
        not_applied=not_applied,
    )


def record(store: AnalyticsStore, job: VideoJob, assignments: Iterable[Assignment]) -> int:
    """Write the video's assignments (a re-run's rows are left as they are: the same arm).
    Returns how many rows were new."""
    now = datetime.now(UTC)
    video = uuid.UUID(job.video_id)
    new = 0
    with store.session() as s:
        for a in assignments:
            if s.get(ExperimentAssignment, (a.experiment, video)) is not None:
                continue
            s.add(
                ExperimentAssignment(
                    experiment=a.experiment,
                    video_id=video,
                    arm=a.arm,
                    factor=a.factor,
                    value=a.value,
                    channel=job.channel,
                    assigned_at=now,
                )
            )
            new += 1
    return new


def recorded(store: AnalyticsStore, experiment: str) -> list[ExperimentAssignment]:
    """The experiment's assignments, oldest first."""
    with store.session() as s:
        query = select(ExperimentAssignment).where(ExperimentAssignment.experiment == experiment)
        return list(s.scalars(query.order_by(ExperimentAssignment.assigned_at)))
