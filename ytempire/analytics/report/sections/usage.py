"""Model usage patterns: calls, tokens, cost, latency, cache hits and fallbacks per model."""

from __future__ import annotations

from collections import defaultdict

from ytempire.analytics import views
from ytempire.analytics.alerts import Thresholds
from ytempire.analytics.report import charts
from ytempire.analytics.report.model import Chart, Section, Table


def section(
    usage: list[views.ModelUsage],
    latency: list[views.Percentiles],
    fallbacks: list[views.FallbackRate],
    limits: Thresholds,
    charts: bool,
) -> Section:
    section = Section("usage", "Model usage patterns")
    p95 = {p.key: p.p95_ms for p in latency}
    calls_by_op: dict[str, int] = defaultdict(int)
    for u in usage:
        calls_by_op[u.operation] += u.calls
    for operation, calls in sorted(calls_by_op.items()):
        top = max((u for u in usage if u.operation == operation), key=lambda u: u.calls)
        section.findings.append(
            f"{operation}: {calls} calls, {top.calls / calls * 100:.0f}% to {top.model}."
        )
    for f in fallbacks:
        if f.rate > limits.max_fallback_rate:
            section.findings.append(
                f"{f.stage}: {f.primary_model} fell back in {f.fallbacks} of {f.events} runs "
                f"({f.rate * 100:.0f}%), over {limits.max_fallback_rate * 100:.0f}%."
            )
    section.tables.append(
        Table(
            "Calls per model and operation",
            [
                ("model", "{}"),
                ("operation", "{}"),
                ("calls", "{}"),
                ("share", "{:.1%}"),
                ("tokens", "{}"),
                ("cost $", "{:.4f}"),
                ("$ per call", "{:.4f}"),
                ("mean ms", "{:.0f}"),
                ("p95 ms", "{}"),
                ("cache hits", "{:.1%}"),
                ("mean quality", "{:.2f}"),
            ],
            [
                [
                    u.model,
                    u.operation,
                    u.calls,
                    u.calls / calls_by_op[u.operation],
                    u.tokens,
                    u.cost_usd,
                    u.cost_per_call_usd,
                    u.mean_latency_ms,
                    p95.get((u.model, u.operation)),
                    u.cache_hit_rate,
                    u.mean_quality,
                ]
                for u in usage
            ],
        )
    )
    section.tables.append(
        Table(
            "Fallback rate by primary model",
            [
                ("stage", "{}"),
                ("primary", "{}"),
                ("runs", "{}"),
                ("fallbacks", "{}"),
                ("rate", "{:.1%}"),
                ("produced instead", "{}"),
            ],
            [
                [
                    f.stage,
                    f.primary_model,
                    f.events,
                    f.fallbacks,
                    f.rate,
                    ", ".join(f"{k} ×{n}" for k, n in f.fallback_models.items()),
                ]
                for f in fallbacks
            ],
        )
    )
    if charts and latency:
        section.charts.append(latency_chart(latency, limits.max_p95_latency_ms))
    return section


def latency_chart(latency: list[views.Percentiles], limit_ms: float) -> Chart:
    fig = charts.figure(max(2.0, 0.4 * len(latency) + 1))
    ax = fig.subplots()
    ordered = sorted(latency, key=lambda p: p.p95_ms)
    ax.barh([f"{p.key[0]} / {p.key[1]}" for p in ordered], [p.p95_ms for p in ordered])
    ax.axvline(limit_ms, color="red", linestyle="--", linewidth=1, label=f"alert {limit_ms:.0f}")
    ax.set_xlabel("p95 latency (ms)")
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=7)
    return Chart("model_latency_p95", "p95 latency by model and operation", charts.png(fig))
