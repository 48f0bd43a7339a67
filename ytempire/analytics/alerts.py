"""Alert rules (seed, "Next Steps for Analytics Engineer"), evaluated over a window.

| rule | fires when (subject) | default |
|---|---|---|
| ``cost_per_video`` | a video's total cost > threshold (video id) | $0.45 |
| ``quality`` | a stage × model's mean quality score < threshold (``stage/model``) | 0.75 |
| ``failure_rate`` | failed runs / runs (``pipeline``), or a stage's failed / all attempts | 5% |
| ``fallback_rate`` | a primary model's fallback rate > threshold (``stage/primary``) | 20% |
| ``p95_latency`` | a model's p95 latency > threshold (``model/operation``) | 5000 ms |
| ``provider_budget`` | a provider's spend on one UTC day > its budget (``provider/day``) | $100 |

Thresholds are settings (``YTEMPIRE_ALERT_*``, ``YTEMPIRE_PROVIDER_*``). The rules only
say what is wrong; the ``analytics-report`` flow turns each alert into a Prefect event, which
Prefect automations can route to people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ytempire.analytics import views
from ytempire.analytics.store import AnalyticsStore
from ytempire.settings import Settings

RULES = (
    "cost_per_video",
    "quality",
    "failure_rate",
    "fallback_rate",
    "p95_latency",
    "provider_budget",
)


@dataclass(frozen=True)
class Thresholds:
    cost_per_video_usd: float = 0.45
    min_quality: float = 0.75
    max_failure_rate: float = 0.05
    max_fallback_rate: float = 0.20
    max_p95_latency_ms: float = 5000
    provider_daily_budget_usd: float = 100.0
    provider_budgets_usd: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(
            cost_per_video_usd=settings.alert_cost_per_video_usd,
            min_quality=settings.alert_min_quality,
            max_failure_rate=settings.alert_max_failure_rate,
            max_fallback_rate=settings.alert_max_fallback_rate,
            max_p95_latency_ms=settings.alert_max_p95_latency_ms,
            provider_daily_budget_usd=settings.provider_daily_budget_usd,
            provider_budgets_usd=dict(settings.provider_budgets_usd),
        )

    def budget_for(self, provider: str) -> float:
        return self.provider_budgets_usd.get(provider, self.provider_daily_budget_usd)


@dataclass(frozen=True)
class Alert:
    rule: str
    subject: str
    value: float
    threshold: float
    severity: str  # "high" or "warning"
    message: str

    @property
    def event_name(self) -> str:
        """The Prefect event this alert is emitted as."""
        return f"ytempire.alert.{self.rule}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def evaluate(store: AnalyticsStore, window: views.Window, limits: Thresholds) -> list[Alert]:
    """Every rule's alerts over ``window``, in the order of ``RULES``."""
    alerts: list[Alert] = []
    for video in views.cost_per_video(store, window):
        if video.total_usd > limits.cost_per_video_usd:
            alerts.append(
                Alert(
                    "cost_per_video",
                    video.video_id,
                    video.total_usd,
                    limits.cost_per_video_usd,
                    "high",
                    f"video {video.video_id} ({video.title or 'untitled'}) cost "
                    f"${video.total_usd:.4f} (script ${video.script_usd:.4f}, voice "
                    f"${video.voice_usd:.4f}, thumbnails ${video.thumbnail_usd:.4f}, processing "
                    f"${video.processing_usd:.4f}), over ${limits.cost_per_video_usd:.2f}",
                )
            )
    for point in views.quality_trends(store, window, by_day=False):
        if point.mean < limits.min_quality:
            alerts.append(
                Alert(
                    "quality",
                    f"{point.stage}/{point.model}",
                    point.mean,
                    limits.min_quality,
                    "warning",
                    f"{point.stage} by {point.model}: mean quality {point.mean:.2f} over "
                    f"{point.events} outputs (lowest {point.lowest:.2f}), under "
                    f"{limits.min_quality:.2f}",
                )
            )
    runs = views.run_failure_rate(store, window)
    if runs.rate > limits.max_failure_rate:
        alerts.append(
            Alert(
                "failure_rate",
                "pipeline",
                runs.rate,
                limits.max_failure_rate,
                "high",
                f"{runs.failed} of {runs.runs} pipeline runs failed ({_pct(runs.rate)}), over "
                f"{_pct(limits.max_failure_rate)}",
            )
        )
    for stage in views.stage_failure_rates(store, window):
        if stage.rate > limits.max_failure_rate:
            alerts.append(
                Alert(
                    "failure_rate",
                    stage.stage,
                    stage.rate,
                    limits.max_failure_rate,
                    "warning",
                    f"{stage.stage}: {stage.failures} of {stage.attempts} attempts failed "
                    f"({_pct(stage.rate)}), over {_pct(limits.max_failure_rate)}",
                )
            )
    for rate in views.fallback_rates(store, window):
        if rate.rate > limits.max_fallback_rate:
            used = ", ".join(f"{name} ×{n}" for name, n in rate.fallback_models.items())
            alerts.append(
                Alert(
                    "fallback_rate",
                    f"{rate.stage}/{rate.primary_model}",
                    rate.rate,
                    limits.max_fallback_rate,
                    "warning",
                    f"{rate.stage}: {rate.primary_model} was passed over in {rate.fallbacks} of "
                    f"{rate.events} runs ({_pct(rate.rate)}; {used}), over "
                    f"{_pct(limits.max_fallback_rate)}",
                )
            )
    for latency in views.latency_p95(store, window):
        if latency.p95_ms > limits.max_p95_latency_ms:
            model, operation = latency.key
            alerts.append(
                Alert(
                    "p95_latency",
                    f"{model}/{operation}",
                    latency.p95_ms,
                    limits.max_p95_latency_ms,
                    "warning",
                    f"{model} {operation}: p95 latency {latency.p95_ms} ms over {latency.count} "
                    f"calls, over {limits.max_p95_latency_ms:.0f} ms",
                )
            )
    spend: dict[tuple[str, str], float] = defaultdict(float)
    for row in views.api_cost_by_provider(store, window):
        spend[(row.provider, row.day)] += row.cost_usd
    for (provider, day), usd in sorted(spend.items()):
        budget = limits.budget_for(provider)
        if usd > budget:
            alerts.append(
                Alert(
                    "provider_budget",
                    f"{provider}/{day}",
                    round(usd, 4),
                    budget,
                    "high",
                    f"{provider} spent ${usd:.4f} on {day} (UTC), over its ${budget:.2f} "
                    "daily budget",
                )
            )
    return alerts
