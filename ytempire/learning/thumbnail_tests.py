"""Thumbnail tests on YouTube: a published video's variants take turns as its live thumbnail,
each day's reach (impressions, clicks) is credited to the variant that was live that day,
and when every variant has had its turns the one with the higher measured CTR stays
(docs/experiments.md, "Thumbnail tests").

The test lives in the video's folder as ``thumbnail_test.json`` (written atomically): the
variants in rotation order, the first day, days per turn and rounds, which variant was set
on which day, and the result once decided. A day is credited only to a variant that was
set before that day began and was still live at its end, so the change-over day (on either
side) counts for none. ``refit_weights`` fits the CTR heuristic's weights
(``ytempire.quality.ctr``) to what finished tests measured, as a new version.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from ytempire.learning import mlflow_store
from ytempire.learning.reach import ReachDay
from ytempire.quality import ctr
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder, write_json

TEST_FILE = "thumbnail_test.json"
WEIGHTS_DIR = "ctr_weights"  # under the workspace: v1.json, v2.json, ... (FittedWeights)
REGISTERED_WEIGHTS = "ytempire-ctr-weights"  # in MLflow: the experiment and the model
MIN_IMPRESSIONS = 100  # per variant, before its CTR is trusted


class VariantReach(BaseModel):
    variant: str
    impressions: int = 0
    clicks: float = 0.0
    days: int = 0

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None


class ThumbnailTest(BaseModel):
    """One video's test: its plan, what was set when, and the result."""

    video_id: str
    youtube_video_id: str
    variants: list[str] = Field(min_length=2, description="paths in the video's folder")
    start: date
    # The day a variant is set counts for none, so a turn needs two days at least.
    days_per_turn: int = Field(default=3, ge=2)
    rounds: int = Field(default=2, ge=1)
    set_on: dict[date, str] = Field(default_factory=dict, description="day → variant set")
    reach: list[VariantReach] = Field(default_factory=list)
    winner: str | None = None

    @property
    def end(self) -> date:
        """The first day after the last turn."""
        turns = len(self.variants) * self.rounds
        return self.start + timedelta(days=turns * self.days_per_turn)

    def due(self, day: date) -> str | None:
        """The variant whose turn ``day`` is; None before the start and after the end."""
        if day < self.start or day >= self.end:
            return None
        turn = (day - self.start).days // self.days_per_turn
        return self.variants[turn % len(self.variants)]

    def live_on(self, day: date) -> str | None:
        """The variant live all of ``day``: set before it, and not replaced on it."""
        earlier = [d for d in self.set_on if d < day]
        if not earlier or day in self.set_on:
            return None
        return self.set_on[max(earlier)]


def start(
    folder: VideoFolder,
    video_id: str,
    youtube_video_id: str,
    variants: Sequence[Path],
    first_day: date,
    days_per_turn: int = 3,
    rounds: int = 2,
) -> ThumbnailTest:
    """Plan the test (ranked variants first) and keep it in the folder; an existing test of
    the video is returned as it is."""
    existing = load(folder)
    if existing is not None:
        return existing
    test = ThumbnailTest(
        video_id=video_id,
        youtube_video_id=youtube_video_id,
        variants=[p.relative_to(folder.path).as_posix() for p in variants],
        start=first_day,
        days_per_turn=days_per_turn,
        rounds=rounds,
    )
    save(folder, test)
    return test


def load(folder: VideoFolder) -> ThumbnailTest | None:
    try:
        text = (folder / TEST_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return ThumbnailTest.model_validate_json(text)


def save(folder: VideoFolder, test: ThumbnailTest) -> None:
    write_json(folder / TEST_FILE, test)


def attribute(test: ThumbnailTest, days: Sequence[ReachDay]) -> list[VariantReach]:
    """Each variant's impressions and clicks over the days it was live all day."""
    sums = {v: VariantReach(variant=v) for v in test.variants}
    for d in days:
        live = test.live_on(d.day) if d.youtube_video_id == test.youtube_video_id else None
        if live is None:
            continue
        s = sums[live]
        s.impressions += d.impressions
        s.clicks += d.clicks
        s.days += 1
    return list(sums.values())


def best(reach: Sequence[VariantReach]) -> str | None:
    """The variant with the highest measured CTR, once every variant has
    ``MIN_IMPRESSIONS``; None before."""
    if not reach or any(r.impressions < MIN_IMPRESSIONS for r in reach):
        return None
    return max(reach, key=lambda r: r.ctr or 0.0).variant


def next_step(
    test: ThumbnailTest, today: date, days: Sequence[ReachDay]
) -> tuple[str | None, ThumbnailTest]:
    """What to set live today (None: leave it) and the test brought up to date: during the
    test, the variant whose turn it is; after it, the best measured one (kept for good).
    The caller sets the thumbnail, then saves the test with ``mark_set``."""
    reach = attribute(test, days)
    test = test.model_copy(update={"reach": reach})
    if test.winner is not None:
        return None, test
    if today >= test.end:
        winner = best(reach)
        if winner is None:  # too few impressions: another round
            test = test.model_copy(update={"rounds": test.rounds + 1})
        else:
            return winner, test.model_copy(update={"winner": winner})
    due = test.due(today)
    current = test.set_on[max(test.set_on)] if test.set_on else None
    return (due if due != current else None), test


def mark_set(test: ThumbnailTest, day: date, variant: str) -> ThumbnailTest:
    return test.model_copy(update={"set_on": {**test.set_on, day: variant}})


def ranked_variants(folder: VideoFolder) -> list[Path]:
    """The video's thumbnail variants best first (``thumbnails/ranking.json``), those that
    exist; none without a ranking."""
    try:
        ranking = json.loads((folder.thumbnails / "ranking.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    paths = [Path(v["path"]) for v in ranking.get("variants", []) if "path" in v]
    return [folder.thumbnails / p.name for p in paths if (folder.thumbnails / p.name).is_file()]


def advance(
    folder: VideoFolder,
    video_id: str,
    youtube_video_id: str,
    reach: Callable[[str], list[ReachDay]],
    set_thumbnail: Callable[[Path], None],
    today: date,
) -> ThumbnailTest | None:
    """One day of the video's test: started from its ranked variants when it has none yet
    (first turn today), the reach so far attributed (``reach(youtube_video_id)``), today's
    variant set live when it changes (``set_thumbnail``), the test saved. None: the video
    has fewer than two variants, nothing to test."""
    test = load(folder)
    if test is None:
        variants = ranked_variants(folder)
        if len(variants) < 2:
            return None
        test = start(folder, video_id, youtube_video_id, variants, today)
    variant, test = next_step(test, today, reach(youtube_video_id))
    if variant is not None:
        set_thumbnail(folder.path / variant)
        test = mark_set(test, today, variant)
    save(folder, test)
    return test


def measured(folder: VideoFolder, test: ThumbnailTest) -> list[tuple[dict[str, float], float]]:
    """(the heuristic's factor scores, the measured CTR) of each variant of a finished test
    that has both: the samples ``refit_weights`` learns from."""
    if test.winner is None:
        return []
    try:
        ranking = json.loads((folder.thumbnails / "ranking.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    factors = {Path(v["path"]).name: v.get("ctr_factors") or {} for v in ranking["variants"]}
    return [
        (factors[Path(r.variant).name], r.ctr)
        for r in test.reach
        if r.ctr is not None and factors.get(Path(r.variant).name)
    ]


class FittedWeights(BaseModel):
    """A version of the CTR heuristic's weights, fitted to measured CTRs."""

    version: int
    weights: dict[str, float]
    base_ctr: float
    ctr_span: float
    samples: int
    fitted_at: datetime


def refit_weights(samples: Sequence[tuple[dict[str, float], float]]) -> dict[str, float]:
    """Weights (≥ 0, summing to 1) that best map the factor scores onto the measured CTRs
    through ``ctr.BASE_CTR + ctr.CTR_SPAN × Σ weight × score``: least squares, negative
    weights clipped to 0 and the rest rescaled. Fewer samples than factors: the current
    weights (nothing to learn from)."""
    names = list(ctr.WEIGHTS)
    if len(samples) < len(names):
        return dict(ctr.WEIGHTS)
    x = np.array([[factors.get(n, 0.0) for n in names] for factors, _ in samples])
    y = np.array([(measured - ctr.BASE_CTR) / ctr.CTR_SPAN for _, measured in samples])
    solution, *_ = np.linalg.lstsq(x, y, rcond=None)
    clipped = np.clip(solution, 0.0, None)
    if clipped.sum() <= 0:
        return dict(ctr.WEIGHTS)
    return {n: round(float(w / clipped.sum()), 4) for n, w in zip(names, clipped, strict=True)}


def save_weights(folder: Path, weights: dict[str, float], samples: int) -> FittedWeights:
    """Keep ``weights`` as the next version, ``ctr_weights/v<N>.json`` under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    versions = [int(p.stem[1:]) for p in folder.glob("v*.json") if p.stem[1:].isdigit()]
    fitted = FittedWeights(
        version=max(versions, default=0) + 1,
        weights=weights,
        base_ctr=ctr.BASE_CTR,
        ctr_span=ctr.CTR_SPAN,
        samples=samples,
        fitted_at=datetime.now(UTC),
    )
    write_json(folder / f"v{fitted.version}.json", fitted)
    return fitted


def register_weights(settings: Settings, fitted: FittedWeights) -> int:
    """Keep ``fitted`` in MLflow as well: a run of the ``ytempire-ctr-weights`` experiment
    (the weights as params, the sample count as a metric, the version's JSON as an
    artifact) and a version of the registered model ``ytempire-ctr-weights`` with the
    ``production`` alias moved to it. Returns the registry's version number."""
    mlflow = mlflow_store.connect(settings)
    experiment = mlflow_store.experiment_id(settings, REGISTERED_WEIGHTS)
    with mlflow.start_run(
        experiment_id=experiment, run_name=f"ctr-weights-v{fitted.version}"
    ) as run:
        mlflow.log_params({f"weight.{k}": v for k, v in fitted.weights.items()})
        mlflow.log_params({"base_ctr": fitted.base_ctr, "ctr_span": fitted.ctr_span})
        mlflow.log_metric("samples", fitted.samples)
        mlflow.log_dict(fitted.model_dump(mode="json"), f"ctr_weights/v{fitted.version}.json")
    client = mlflow.MlflowClient()
    if client.search_registered_models(filter_string=f"name = '{REGISTERED_WEIGHTS}'") == []:
        client.create_registered_model(REGISTERED_WEIGHTS)
    made = client.create_model_version(
        REGISTERED_WEIGHTS,
        source=f"{run.info.artifact_uri}/ctr_weights",
        run_id=run.info.run_id,
        tags={"ytempire.weights_version": str(fitted.version)},
    )
    client.set_registered_model_alias(REGISTERED_WEIGHTS, "production", made.version)
    return int(made.version)


def latest_weights(folder: Path) -> FittedWeights | None:
    versions = sorted((int(p.stem[1:]), p) for p in folder.glob("v*.json") if p.stem[1:].isdigit())
    if not versions:
        return None
    return FittedWeights.model_validate(json.loads(versions[-1][1].read_text(encoding="utf-8")))
