"""Drift: whether a monitored metric's recent window looks like its baseline window
(docs/experiments.md, "Drift").

Each metric's recent values (the last ``recent_days``) are compared with the
``baseline_days`` before them by the population stability index (PSI, ten bins cut at the
baseline's deciles) and the two-sample Kolmogorov-Smirnov test (scipy, imported on first
use: it costs seconds). A metric drifts when PSI ≥ ``PSI_DRIFT`` (the usual "significant
shift" line) and the KS test's p-value is below ``KS_ALPHA``: both must agree, so a
lumpy but unshifted window (PSI alone) or a tiny but consistent nudge (KS alone on many
samples) does not alert. Either window with fewer than ``MIN_SAMPLES`` values is not judged.

The values come from the analytics store: the quality checks (script readability and
keyword density, speech pace, loudness), the quality stage's score, cost per video, the
share of stages that fell back, LLM call latency, and YouTube's daily numbers when
``track-performance`` has brought them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ytempire.analytics.store import AnalyticsStore, utc
from ytempire.analytics.tables import (
    CostLedgerLine,
    ModelPerformance,
    PipelineEvent,
    QualityResult,
    VideoPerformance,
)
from ytempire.analytics.views import primary_of

PSI_DRIFT = 0.2
KS_ALPHA = 0.01
MIN_SAMPLES = 8
BINS = 10
_FLOOR = 1e-4  # a bin's smallest share, so an empty bin does not make PSI infinite

Sample = tuple[datetime, float]


class DriftResult(BaseModel):
    """One metric's comparison of its recent window with its baseline."""

    metric: str
    baseline_n: int
    recent_n: int
    baseline_mean: float | None
    recent_mean: float | None
    psi: float | None
    ks_statistic: float | None
    ks_p_value: float | None
    drifted: bool
    note: str

    @property
    def shift(self) -> str:
        """The size of the shift in words (the alert's message)."""
        if self.baseline_mean is None or self.recent_mean is None:
            return self.note
        change = self.recent_mean - self.baseline_mean
        return (
            f"mean {self.baseline_mean:.4g} → {self.recent_mean:.4g} ({change:+.4g}), "
            f"PSI {self.psi:.3f}, KS {self.ks_statistic:.3f} (p {self.ks_p_value:.2g})"
        )


def psi(baseline: Sequence[float], recent: Sequence[float], bins: int = BINS) -> float:
    """Population stability index of ``recent`` against ``baseline``: Σ (r - b)·ln(r / b)
    over bins cut at the baseline's quantiles (equal edges merged)."""
    base = np.asarray(baseline, dtype=float)
    now = np.asarray(recent, dtype=float)
    edges = np.unique(np.quantile(base, np.linspace(0, 1, bins + 1))[1:-1])
    b = np.bincount(np.searchsorted(edges, base, side="right"), minlength=len(edges) + 1)
    r = np.bincount(np.searchsorted(edges, now, side="right"), minlength=len(edges) + 1)
    b_share = np.maximum(b / len(base), _FLOOR)
    r_share = np.maximum(r / len(now), _FLOOR)
    return float(np.sum((r_share - b_share) * np.log(r_share / b_share)))


def compare(metric: str, baseline: Sequence[float], recent: Sequence[float]) -> DriftResult:
    """The drift verdict for one metric's two windows (module docstring)."""
    counts: dict[str, Any] = {
        "metric": metric,
        "baseline_n": len(baseline),
        "recent_n": len(recent),
    }
    if len(baseline) < MIN_SAMPLES or len(recent) < MIN_SAMPLES:
        return DriftResult(
            **counts,
            baseline_mean=float(np.mean(baseline)) if len(baseline) else None,
            recent_mean=float(np.mean(recent)) if len(recent) else None,
            psi=None,
            ks_statistic=None,
            ks_p_value=None,
            drifted=False,
            note=f"not judged: fewer than {MIN_SAMPLES} values in a window",
        )
    from scipy.stats import ks_2samp  # seconds to import: only when there is work

    ks = ks_2samp(baseline, recent)
    index = psi(baseline, recent)
    p_value = float(ks.pvalue)
    drifted = index >= PSI_DRIFT and p_value < KS_ALPHA
    return DriftResult(
        **counts,
        baseline_mean=float(np.mean(baseline)),
        recent_mean=float(np.mean(recent)),
        psi=round(index, 4),
        ks_statistic=round(float(ks.statistic), 4),
        ks_p_value=p_value,
        drifted=drifted,
        note="drift" if drifted else "stable",
    )


def _checks(name: str) -> Callable[[Session, datetime], list[Sample]]:
    def read(s: Session, since: datetime) -> list[Sample]:
        rows = s.execute(
            select(QualityResult.created_at, QualityResult.observed).where(
                QualityResult.check == name, QualityResult.created_at >= since
            )
        )
        found = []
        for at, observed in rows:
            try:
                found.append((at, float(observed)))
            except (TypeError, ValueError):  # a check whose value is not a number
                continue
        return found

    return read


def _quality_score(s: Session, since: datetime) -> list[Sample]:
    rows = s.execute(
        select(PipelineEvent.completed_at, PipelineEvent.quality_score).where(
            PipelineEvent.stage == "quality",
            PipelineEvent.quality_score.is_not(None),
            PipelineEvent.completed_at >= since,
        )
    )
    return [(at, float(score)) for at, score in rows]


def _cost_per_video(s: Session, since: datetime) -> list[Sample]:
    rows = s.execute(
        select(func.max(CostLedgerLine.created_at), func.sum(CostLedgerLine.cost_micro_usd))
        .where(CostLedgerLine.created_at >= since)
        .group_by(CostLedgerLine.video_id)
    )
    return [(at, micro / 1e6) for at, micro in rows]


def _fallbacks(s: Session, since: datetime) -> list[Sample]:
    rows = s.execute(
        select(PipelineEvent.completed_at, PipelineEvent.model_used, PipelineEvent.error_message)
        .where(PipelineEvent.status == "completed", PipelineEvent.completed_at >= since)
        .where(PipelineEvent.model_used.is_not(None))
    )
    return [
        (at, 0.0 if primary_of(model, message)[1] is None else 1.0) for at, model, message in rows
    ]


def _llm_latency(s: Session, since: datetime) -> list[Sample]:
    rows = s.execute(
        select(ModelPerformance.timestamp, ModelPerformance.latency_ms).where(
            ModelPerformance.timestamp >= since
        )
    )
    return [(at, float(ms)) for at, ms in rows]


def _youtube(column: str) -> Callable[[Session, datetime], list[Sample]]:
    def read(s: Session, since: datetime) -> list[Sample]:
        field = getattr(VideoPerformance, column)
        rows = s.execute(
            select(VideoPerformance.fetched_at, field).where(
                VideoPerformance.fetched_at >= since, field.is_not(None)
            )
        )
        return [(at, float(value)) for at, value in rows]

    return read


MONITORED: dict[str, Callable[[Session, datetime], list[Sample]]] = {
    "readability": _checks("readability"),
    "keyword_density": _checks("keyword_density"),
    "words_per_minute": _checks("words_per_minute"),
    "integrated_loudness_lufs": _checks("integrated_loudness_lufs"),
    "quality_score": _quality_score,
    "cost_per_video_usd": _cost_per_video,
    "fallback_rate": _fallbacks,
    "llm_latency_ms": _llm_latency,
    "views": _youtube("views"),
    "average_view_duration_s": _youtube("average_view_duration_s"),
    "impressions_ctr": _youtube("impressions_ctr"),
}


def evaluate(
    store: AnalyticsStore,
    recent_days: float = 1.0,
    baseline_days: float = 7.0,
    now: datetime | None = None,
) -> list[DriftResult]:
    """Every monitored metric's verdict: the last ``recent_days`` against the
    ``baseline_days`` before them. Metrics with no values in either window are left out."""
    until = utc(now or datetime.now(UTC))
    split = until - timedelta(days=recent_days)
    since = split - timedelta(days=baseline_days)
    results = []
    with store.session() as s:
        for metric, read in MONITORED.items():
            samples = [(utc(at), v) for at, v in read(s, since) if utc(at) < until]
            if not samples:
                continue
            baseline = [v for at, v in samples if at < split]
            recent = [v for at, v in samples if at >= split]
            results.append(compare(metric, baseline, recent))
    return results
