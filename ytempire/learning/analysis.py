"""How the arms of an experiment compare, and the decision the rule in docs/experiments.md
draws from it.

Per arm: n, the mean, a 95% interval and the probability of beating control, then the
samples still needed. Means (quality score, cost, latency, views, view duration) are
compared by bootstrap: 2,000 resamples of each arm, seeded, the interval their 2.5 and 97.5
percentiles and P(beat) the share of paired resamples where the arm is better. Rates (CTR)
are Beta-Binomial: each arm's clicks and impressions give Beta(1 + clicks, 1 + misses),
the interval its quantiles and P(beat) the share of 20,000 paired draws where the arm's
rate is higher. Both are numpy only, seeded, so a table printed twice is the same table.

Samples still needed: per arm, what a two-sided test at α = 0.05 with 80% power needs to
see a difference the size of the one observed, or of ``MIN_EFFECT`` of control's mean when
that is larger (a difference smaller than that is "no difference"), less what the arm has.

The observations come from the analytics store (``observations``): offline metrics as soon
as a video is made, YouTube metrics once ``track-performance`` has brought them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from math import ceil
from typing import Literal

import numpy as np
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import (
    CostLedgerLine,
    ExperimentAssignment,
    PipelineEvent,
    Video,
    VideoPerformance,
)
from ytempire.learning.experiments import CONTROL, Experiment

WIN_PROBABILITY = 0.95
MIN_SAMPLES = 10  # videos per arm before any decision (rates: MIN_IMPRESSIONS impressions)
MIN_IMPRESSIONS = 1_000
MIN_EFFECT = 0.05  # of control's mean: smaller differences do not matter
BOOTSTRAP = 2_000
DRAWS = 20_000
SEED = 14
Z_ALPHA, Z_POWER = 1.959964, 0.841621  # two-sided 5%, 80% power
RATE_METRICS = {"ctr"}

Decision = Literal["candidate wins", "no difference", "keep running"]


class Rate(BaseModel):
    """One video's clicks out of impressions."""

    clicks: int
    impressions: int


class ArmResult(BaseModel):
    arm: str
    n: int
    mean: float | None
    low: float | None
    high: float | None
    p_beats_control: float | None
    samples_needed: int | None


class Analysis(BaseModel):
    experiment: str
    metric: str
    arms: list[ArmResult]
    decision: Decision
    winner: str | None
    reason: str

    def rows(self) -> list[dict[str, object]]:
        """The arms as table rows (the CLI's table, the report's artifact)."""
        return [
            {
                "arm": a.arm,
                "n": a.n,
                "mean": _round(a.mean),
                "95% low": _round(a.low),
                "95% high": _round(a.high),
                "P(beats control)": _round(a.p_beats_control),
                "samples needed": a.samples_needed,
            }
            for a in self.arms
        ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _needed(sd: float, delta: float, have: int) -> int:
    if delta <= 0:
        return 0
    per_arm = ceil(2 * (Z_ALPHA + Z_POWER) ** 2 * sd**2 / delta**2)
    return max(0, per_arm - have)


def _means(
    samples: Mapping[str, Sequence[float]], higher_is_better: bool, rng: np.random.Generator
) -> list[ArmResult]:
    boots: dict[str, np.ndarray] = {}
    for arm, values in samples.items():
        data = np.asarray(values, dtype=float)
        if len(data):
            picks = rng.integers(0, len(data), size=(BOOTSTRAP, len(data)))
            boots[arm] = data[picks].mean(axis=1)
    control = np.asarray(samples.get(CONTROL, ()), dtype=float)
    results = []
    for arm, values in samples.items():
        data = np.asarray(values, dtype=float)
        if not len(data):
            results.append(
                ArmResult(
                    arm=arm,
                    n=0,
                    mean=None,
                    low=None,
                    high=None,
                    p_beats_control=None,
                    samples_needed=MIN_SAMPLES,
                )
            )
            continue
        p_beat = None
        needed = None
        if arm != CONTROL and CONTROL in boots:
            diff = boots[arm] - boots[CONTROL]
            p_beat = float(np.mean(diff > 0 if higher_is_better else diff < 0))
            sd = float(
                np.sqrt(
                    (data.var(ddof=1) if len(data) > 1 else 0.0) / 2
                    + (control.var(ddof=1) if len(control) > 1 else 0.0) / 2
                )
            )
            delta = max(
                abs(float(data.mean() - control.mean())), MIN_EFFECT * abs(float(control.mean()))
            )
            needed = max(_needed(sd, delta, len(data)), MIN_SAMPLES - len(data), 0)
        low, high = np.percentile(boots[arm], [2.5, 97.5])
        results.append(
            ArmResult(
                arm=arm,
                n=len(data),
                mean=float(data.mean()),
                low=float(low),
                high=float(high),
                p_beats_control=p_beat,
                samples_needed=needed,
            )
        )
    return results


def _rates(samples: Mapping[str, Sequence[Rate]], rng: np.random.Generator) -> list[ArmResult]:
    totals = {
        arm: (sum(r.clicks for r in rates), sum(r.impressions for r in rates))
        for arm, rates in samples.items()
    }
    draws = {
        arm: rng.beta(1 + clicks, 1 + max(0, shown - clicks), size=DRAWS)
        for arm, (clicks, shown) in totals.items()
    }
    c_clicks, c_shown = totals.get(CONTROL, (0, 0))
    results = []
    for arm, (clicks, shown) in totals.items():
        p_beat = needed = None
        if arm != CONTROL and CONTROL in draws:
            p_beat = float(np.mean(draws[arm] > draws[CONTROL]))
            base = c_clicks / c_shown if c_shown else 0.0
            rate = clicks / shown if shown else 0.0
            pooled = (clicks + c_clicks) / (shown + c_shown) if shown + c_shown else 0.0
            delta = max(abs(rate - base), MIN_EFFECT * base)
            sd = float(np.sqrt(pooled * (1 - pooled)))
            needed = max(_needed(sd, delta, shown), MIN_IMPRESSIONS - shown, 0)
        low, high = np.quantile(draws[arm], [0.025, 0.975])
        results.append(
            ArmResult(
                arm=arm,
                n=len(samples[arm]),
                mean=clicks / shown if shown else None,
                low=float(low),
                high=float(high),
                p_beats_control=p_beat,
                samples_needed=needed,
            )
        )
    return results


def decide(arms: Sequence[ArmResult]) -> tuple[Decision, str | None, str]:
    """The rule (docs/experiments.md): an arm whose P(beats control) is at least
    ``WIN_PROBABILITY`` with no samples still needed wins (the likelier, if several);
    when no arm needs more samples and none wins, no difference; otherwise keep running."""
    candidates = [a for a in arms if a.arm != CONTROL]
    ready = [a for a in candidates if a.samples_needed == 0 and a.p_beats_control is not None]
    winners = [a for a in ready if (a.p_beats_control or 0) >= WIN_PROBABILITY]
    if winners:
        best = max(winners, key=lambda a: a.p_beats_control or 0)
        return (
            "candidate wins",
            best.arm,
            (f"{best.arm} beats control with probability {best.p_beats_control:.3f}"),
        )
    if candidates and len(ready) == len(candidates):
        return (
            "no difference",
            None,
            (f"no arm beats control with probability ≥ {WIN_PROBABILITY} on enough samples"),
        )
    waiting = sum(a.samples_needed or 0 for a in candidates) or MIN_SAMPLES
    return "keep running", None, f"{waiting} more samples needed across the candidate arms"


def analyse(
    experiment: Experiment,
    samples: Mapping[str, Sequence[float]] | Mapping[str, Sequence[Rate]],
    seed: int = SEED,
) -> Analysis:
    """The experiment's table and decision from each arm's observations (floats, or
    ``Rate``s for a rate metric). Arms with no observations are listed with n 0."""
    rng = np.random.default_rng(seed)
    full = {arm: list(samples.get(arm, ())) for arm in experiment.arms}
    if experiment.metric in RATE_METRICS:
        arms = _rates({a: [r for r in v if isinstance(r, Rate)] for a, v in full.items()}, rng)
    else:
        floats = {a: [x for x in v if isinstance(x, float | int)] for a, v in full.items()}
        arms = _means(floats, experiment.higher_is_better, rng)
    decision, winner, reason = decide(arms)
    return Analysis(
        experiment=experiment.name,
        metric=experiment.metric,
        arms=arms,
        decision=decision,
        winner=winner,
        reason=reason,
    )


def observations(
    store: AnalyticsStore, experiment: Experiment
) -> dict[str, list[float]] | dict[str, list[Rate]]:
    """Each arm's observations of the experiment's metric, one per video that has it."""
    with store.session() as s:
        arm_of = {
            row.video_id: row.arm
            for row in s.scalars(
                select(ExperimentAssignment).where(
                    ExperimentAssignment.experiment == experiment.name
                )
            )
        }
        values = _metric(s, experiment.metric, list(arm_of))
    found: dict[str, list] = defaultdict(list)
    for video, value in values.items():
        found[arm_of[video]].append(value)
    return dict(found)


def _metric(s: Session, metric: str, videos: list[uuid.UUID]) -> dict[uuid.UUID, float | Rate]:
    if not videos:
        return {}
    if metric == "cost_usd":
        query = (
            select(CostLedgerLine.video_id, func.sum(CostLedgerLine.cost_micro_usd))
            .where(CostLedgerLine.video_id.in_(videos))
            .group_by(CostLedgerLine.video_id)
        )
        return {video: micro / 1e6 for video, micro in s.execute(query)}
    if metric in ("quality_score", "latency_s"):
        return _from_last_run(s, metric, videos)
    rows = s.scalars(
        select(VideoPerformance)
        .where(VideoPerformance.video_id.in_(videos))
        .order_by(VideoPerformance.day)
    )
    days: dict[uuid.UUID, list[VideoPerformance]] = defaultdict(list)
    for row in rows:
        days[row.video_id].append(row)
    published: dict[uuid.UUID, datetime] = {
        video: at
        for video, at in s.execute(
            select(Video.video_id, Video.published_at).where(Video.video_id.in_(videos))
        )
    }
    found: dict[uuid.UUID, float | Rate] = {}
    for video, rows_ in days.items():
        if metric == "views_48h":
            start = published[video].date() if video in published else rows_[0].day
            if rows_[-1].day >= start + timedelta(days=1):  # both days are in
                found[video] = float(
                    sum(r.views for r in rows_ if r.day <= start + timedelta(days=1))
                )
        elif metric == "average_view_duration_s":
            views = sum(r.views for r in rows_)
            if views:
                found[video] = sum(r.average_view_duration_s * r.views for r in rows_) / views
        else:  # ctr
            shown = [
                (r.impressions, r.impressions_ctr)
                for r in rows_
                if r.impressions and r.impressions_ctr is not None
            ]
            if shown:
                found[video] = Rate(
                    clicks=round(sum(n * ctr for n, ctr in shown)),
                    impressions=sum(n for n, _ in shown),
                )
    return found


def _from_last_run(
    s: Session, metric: str, videos: list[uuid.UUID]
) -> dict[uuid.UUID, float | Rate]:
    """The quality stage's score, or the stages' seconds, of each video's latest run (the
    cost ledger ties runs to videos)."""
    runs = s.execute(
        select(
            CostLedgerLine.video_id,
            CostLedgerLine.pipeline_run_id,
            func.max(CostLedgerLine.created_at),
        )
        .where(CostLedgerLine.video_id.in_(videos))
        .group_by(CostLedgerLine.video_id, CostLedgerLine.pipeline_run_id)
    ).all()
    latest: dict[uuid.UUID, tuple[object, uuid.UUID]] = {}
    for video, run, at in runs:
        if video not in latest or at > latest[video][0]:
            latest[video] = (at, run)
    run_video = {run: video for video, (_at, run) in latest.items()}
    events = s.scalars(select(PipelineEvent).where(PipelineEvent.pipeline_run_id.in_(run_video)))
    found: dict[uuid.UUID, float | Rate] = {}
    for event in events:
        video = run_video[event.pipeline_run_id]
        if metric == "latency_s":
            found[video] = float(found.get(video, 0.0)) + event.duration_ms / 1000  # type: ignore[arg-type]
        elif event.stage == "quality" and event.quality_score is not None:
            found[video] = float(event.quality_score)
    return found
