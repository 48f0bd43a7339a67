"""Performance bottlenecks: each stage's share of time and p95 against the seed's limits,
slow models, failure hot spots."""

from __future__ import annotations

from ytempire.analytics import views
from ytempire.analytics.alerts import Thresholds
from ytempire.analytics.report import charts
from ytempire.analytics.report.model import Chart, Section, Table

# Seed §4.2 thresholds on generation time, in seconds, by stage.
STAGE_TIME_LIMITS_S = {"script": 90, "voice": 120, "render": 300}


def section(
    stages: list[views.Percentiles],
    failures: list[views.FailureRate],
    stage_failures: list[views.FailureRate],
    latency: list[views.Percentiles],
    limits: Thresholds,
    charts: bool,
) -> Section:
    section = Section("bottlenecks", "Performance bottlenecks")
    total = sum(s.total_ms for s in stages)
    if total:
        slowest = max(stages, key=lambda s: s.total_ms)
        section.findings.append(
            f"{slowest.key[0]} takes {slowest.total_ms / total * 100:.0f}% of stage time "
            f"(mean {slowest.mean_ms / 1000:.1f} s, p95 {slowest.p95_ms / 1000:.1f} s)."
        )
    for s in stages:
        limit = STAGE_TIME_LIMITS_S.get(s.key[0])
        if limit and s.p95_ms / 1000 > limit:
            section.findings.append(
                f"{s.key[0]}: p95 {s.p95_ms / 1000:.1f} s, over the seed's {limit} s."
            )
    for p in latency:
        if p.p95_ms > limits.max_p95_latency_ms:
            section.findings.append(
                f"{p.key[0]} {p.key[1]}: p95 latency {p.p95_ms} ms over {p.count} calls, over "
                f"{limits.max_p95_latency_ms:.0f} ms."
            )
    for stage in stage_failures:
        if stage.rate > limits.max_failure_rate:
            kinds = [f for f in failures if f.stage == stage.stage]
            top = max(kinds, key=lambda f: f.failures).error_type if kinds else "other"
            section.findings.append(
                f"{stage.stage}: {stage.failures} of {stage.attempts} attempts failed "
                f"({stage.rate * 100:.1f}%), mostly {top}."
            )
    seconds = "{:.2f}"
    section.tables.append(
        Table(
            "Stage time (completed stages)",
            [
                ("stage", "{}"),
                ("runs", "{}"),
                ("mean s", seconds),
                ("p50 s", seconds),
                ("p95 s", seconds),
                ("max s", seconds),
                ("share of time", "{:.1%}"),
            ],
            [
                [
                    s.key[0],
                    s.count,
                    s.mean_ms / 1000,
                    s.p50_ms / 1000,
                    s.p95_ms / 1000,
                    s.max_ms / 1000,
                    s.total_ms / total if total else 0.0,
                ]
                for s in sorted(stages, key=lambda s: -s.total_ms)
            ],
        )
    )
    section.tables.append(
        Table(
            "Failures by stage and error type",
            [
                ("stage", "{}"),
                ("error type", "{}"),
                ("failures", "{}"),
                ("attempts", "{}"),
                ("rate", "{:.1%}"),
            ],
            [[f.stage, f.error_type, f.failures, f.attempts, f.rate] for f in failures],
        )
    )
    if charts and stages:
        section.charts.append(stage_chart(stages))
    return section


def stage_chart(stages: list[views.Percentiles]) -> Chart:
    fig = charts.figure()
    ax = fig.subplots()
    ordered = sorted(stages, key=lambda s: s.p95_ms)
    ax.barh([s.key[0] for s in ordered], [s.p95_ms / 1000 for s in ordered], label="p95")
    ax.barh([s.key[0] for s in ordered], [s.mean_ms / 1000 for s in ordered], label="mean")
    ax.set_xlabel("seconds")
    ax.legend(fontsize=7)
    return Chart("stage_time", "Stage time: p95 and mean", charts.png(fig))
