"""Quality improvement areas: stage × model means under the threshold, the daily trend."""

from __future__ import annotations

from collections import defaultdict

from ytempire.analytics import views
from ytempire.analytics.alerts import Thresholds
from ytempire.analytics.report import charts
from ytempire.analytics.report.model import Chart, Section, Table


def section(
    quality: list[views.QualityPoint],
    trend: list[views.QualityPoint],
    limits: Thresholds,
    charts: bool,
) -> Section:
    section = Section("quality", "Quality improvement areas")
    low = sorted((p for p in quality if p.mean < limits.min_quality), key=lambda p: p.mean)
    for p in low:
        section.findings.append(
            f"{p.stage} by {p.model}: mean {p.mean:.2f} over {p.events} outputs (lowest "
            f"{p.lowest:.2f}), under {limits.min_quality:.2f}."
        )
    if quality and not low:
        worst = min(quality, key=lambda p: p.mean)
        section.findings.append(
            f"Every stage × model mean is at least {limits.min_quality:.2f}; the lowest is "
            f"{worst.stage} by {worst.model} at {worst.mean:.2f}."
        )
    section.tables.append(
        Table(
            "Quality by stage and model",
            [
                ("stage", "{}"),
                ("model", "{}"),
                ("outputs", "{}"),
                ("mean", "{:.2f}"),
                ("lowest", "{:.2f}"),
            ],
            [[p.stage, p.model, p.events, p.mean, p.lowest] for p in quality],
        )
    )
    if charts and trend:
        section.charts.append(quality_chart(trend, limits.min_quality))
    return section


def quality_chart(trend: list[views.QualityPoint], limit: float) -> Chart:
    fig = charts.figure()
    ax = fig.subplots()
    series: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for p in trend:
        series[p.stage].append((p.day, p.mean, p.events))
    for stage, points in sorted(series.items()):
        per_day: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for day, mean, n in points:
            per_day[day][0] += mean * n
            per_day[day][1] += n
        days = sorted(per_day)
        ax.plot(days, [per_day[d][0] / per_day[d][1] for d in days], marker="o", label=stage)
    ax.axhline(limit, color="red", linestyle="--", linewidth=1, label=f"alert {limit:.2f}")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean quality")
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(fontsize=7)
    return Chart("quality_trend", "Daily mean quality by stage", charts.png(fig))
