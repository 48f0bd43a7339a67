"""The report built from the views over a window: summary, alerts, one section each."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from ytempire.analytics import views
from ytempire.analytics.alerts import Thresholds, evaluate
from ytempire.analytics.report.model import OptimizationReport, Section
from ytempire.analytics.report.sections import bottlenecks, cost
from ytempire.analytics.report.sections import quality as quality_section
from ytempire.analytics.report.sections import usage as usage_section
from ytempire.analytics.store import AnalyticsStore


def build_report(
    store: AnalyticsStore,
    window: views.Window,
    limits: Thresholds | None = None,
    charts: bool = True,
    extra: Sequence[Section] = (),
) -> OptimizationReport:
    """Read the views over ``window`` and write the findings, tables and charts; ``extra``
    sections (experiments, drift: built by their flows) follow the four of the views."""
    started = time.perf_counter()
    limits = limits or Thresholds()
    videos = views.cost_per_video(store, window)
    spend = views.api_cost_by_provider(store, window)
    quality = views.quality_trends(store, window, by_day=False)
    trend = views.quality_trends(store, window)
    stages = views.stage_times(store, window)
    failures = views.failure_rates(store, window)
    stage_failures = views.stage_failure_rates(store, window)
    runs = views.run_failure_rate(store, window)
    latency = views.latency_p95(store, window)
    usage = views.model_usage(store, window)
    fallbacks = views.fallback_rates(store, window)
    alerts = evaluate(store, window, limits)

    total = sum(v.total_usd for v in videos)
    summary = {
        "videos": len(videos),
        "video cost (USD)": round(total, 4),
        "mean cost per video (USD)": round(total / len(videos), 4) if videos else None,
        "pipeline runs": runs.runs,
        "failed runs": runs.failed,
        "run failure rate": round(runs.rate, 4),
        "model calls": sum(u.calls for u in usage),
        "API spend (USD)": round(sum(r.cost_usd for r in spend), 4),
        "alerts": len(alerts),
    }
    sections = [
        cost.section(videos, spend, usage, quality, limits, charts),
        quality_section.section(quality, trend, limits, charts),
        bottlenecks.section(stages, failures, stage_failures, latency, limits, charts),
        usage_section.section(usage, latency, fallbacks, limits, charts),
        *extra,
    ]
    return OptimizationReport(
        window=window,
        generated_at=datetime.now(UTC),
        summary=summary,
        alerts=alerts,
        sections=sections,
        seconds=round(time.perf_counter() - started, 3),
    )
