"""The optimization report (seed, "Next Steps for Analytics Engineer", item 5).

``build_report(store, window, limits)`` reads the views over the window and says, with
tables and PNG charts (matplotlib, Agg, no display needed):

- **cost savings opportunities**: videos over the cost alert, where their money went, what a
  cheaper model of acceptable quality would have saved, provider spend per day;
- **quality improvement areas**: stage × model means under the quality threshold, daily trend;
- **performance bottlenecks**: each stage's share of pipeline time and p95 against the seed's
  thresholds, slow models, failure hot spots;
- **model usage patterns**: calls, tokens, cost, latency, cache hits and fallback rates per
  model.

It renders as markdown (``to_markdown``; charts linked or embedded), self-contained HTML
(``to_html``) or long-format CSV (``to_csv``: section, table, key, metric, value).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ytempire import workspace
from ytempire.analytics import views
from ytempire.analytics.alerts import Alert, Thresholds, evaluate
from ytempire.analytics.store import AnalyticsStore, utc

# Seed §4.2 thresholds on generation time, in seconds, by stage.
STAGE_TIME_LIMITS_S = {"script": 90, "voice": 120, "render": 300}
FORMATS = ("md", "html", "csv")

_SPAN = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since_window(text: str, now: datetime | None = None) -> views.Window:
    """The window from ``text`` until now: ``7d``, ``24h``, ``30m``, ``2w`` or an ISO date.

    Raises ValueError with a message fit for a one-line error.
    """
    now = utc(now or datetime.now(UTC))
    match = _SPAN.match(text)
    if match:
        span = timedelta(**{_UNITS[match["unit"]]: float(match["n"])})
        if span <= timedelta(0):
            raise ValueError(f"must be a positive span like 7d or 24h, got {text!r}")
        return views.Window(now - span, now)
    try:
        since = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"must be a span like 7d, 24h, 30m, 2w or an ISO date, got {text!r}"
        ) from None
    if utc(since) >= now:
        raise ValueError(f"must be in the past, got {text!r}")
    return views.Window(since, now)


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (heading, str.format spec for the cells)
    rows: list[list[Any]]

    def cells(self) -> list[list[str]]:
        return [
            [
                "" if value is None else fmt.format(value)
                for value, (_, fmt) in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


@dataclass
class Chart:
    name: str
    title: str
    png: bytes


@dataclass
class Section:
    key: str
    title: str
    findings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class OptimizationReport:
    window: views.Window
    generated_at: datetime
    summary: dict[str, Any]
    alerts: list[Alert]
    sections: list[Section]
    seconds: float = 0.0

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]


# --- building --------------------------------------------------------------------------------


def build_report(
    store: AnalyticsStore,
    window: views.Window,
    limits: Thresholds | None = None,
    charts: bool = True,
) -> OptimizationReport:
    """Read the views over ``window`` and write the findings, tables and charts."""
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
        _cost_section(videos, spend, usage, quality, limits, charts),
        _quality_section(quality, trend, limits, charts),
        _bottleneck_section(stages, failures, stage_failures, latency, limits, charts),
        _usage_section(usage, latency, fallbacks, limits, charts),
    ]
    return OptimizationReport(
        window=window,
        generated_at=datetime.now(UTC),
        summary=summary,
        alerts=alerts,
        sections=sections,
        seconds=round(time.perf_counter() - started, 3),
    )


def _model_quality(
    usage: list[views.ModelUsage], quality: list[views.QualityPoint]
) -> dict[str, float]:
    """Mean quality per model: its calls' scores, else its stages' scores."""
    by_stage: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for point in quality:
        by_stage[views.model_family(point.model)].append((point.mean, point.events))
    means = {
        name: sum(m * n for m, n in values) / sum(n for _, n in values)
        for name, values in by_stage.items()
    }
    for u in usage:
        if u.mean_quality is not None:
            means[views.model_family(u.model)] = u.mean_quality
    return means


def _cost_section(
    videos: list[views.VideoCost],
    spend: list[views.ProviderDayCost],
    usage: list[views.ModelUsage],
    quality: list[views.QualityPoint],
    limits: Thresholds,
    charts: bool,
) -> Section:
    section = Section("cost", "Cost savings opportunities")
    groups = {"script": 0.0, "voice": 0.0, "thumbnails": 0.0, "processing": 0.0}
    for v in videos:
        for name, usd in zip(
            groups, (v.script_usd, v.voice_usd, v.thumbnail_usd, v.processing_usd), strict=True
        ):
            groups[name] += usd
    over = [v for v in videos if v.total_usd > limits.cost_per_video_usd]
    if over:
        share: dict[str, float] = defaultdict(float)
        for v in over:
            share["script"] += v.script_usd
            share["voice"] += v.voice_usd
            share["thumbnails"] += v.thumbnail_usd
            share["processing"] += v.processing_usd
        top = max(share, key=lambda k: share[k])
        section.findings.append(
            f"{len(over)} of {len(videos)} videos cost more than "
            f"${limits.cost_per_video_usd:.2f}; {top} is the largest part of their cost "
            f"(${share[top]:.4f} of ${sum(share.values()):.4f})."
        )
    elif videos:
        section.findings.append(
            f"All {len(videos)} videos cost at most ${limits.cost_per_video_usd:.2f}."
        )
    model_quality = _model_quality(usage, quality)
    for operation in sorted({u.operation for u in usage}):
        models = [u for u in usage if u.operation == operation and u.calls]
        for dear in sorted(models, key=lambda u: -u.cost_per_call_usd):
            cheaper = [
                u
                for u in models
                if u.cost_per_call_usd < dear.cost_per_call_usd
                and model_quality.get(views.model_family(u.model), 0.0) >= limits.min_quality
            ]
            if not cheaper:
                continue
            best = min(cheaper, key=lambda u: u.cost_per_call_usd)
            saving = dear.calls * (dear.cost_per_call_usd - best.cost_per_call_usd)
            q = model_quality.get(views.model_family(best.model))
            section.findings.append(
                f"{operation}: {dear.calls} calls to {dear.model} at "
                f"${dear.cost_per_call_usd:.4f} each; {best.model} costs "
                f"${best.cost_per_call_usd:.4f} with mean quality {q:.2f} (≥ "
                f"{limits.min_quality:.2f}): about ${saving:.2f} saved over this window."
            )
            break
    for u in usage:
        if u.cost_usd > 0 and u.calls >= 10 and u.cache_hit_rate < 0.1:
            section.findings.append(
                f"{u.model} {u.operation}: {u.cache_hit_rate * 100:.0f}% of {u.calls} paid "
                "calls hit a cache; repeated prompts could be served from it."
            )
    by_provider: dict[str, float] = defaultdict(float)
    for row in spend:
        by_provider[row.provider] += row.cost_usd
    api_total = sum(by_provider.values())
    if api_total > 0:
        top_provider = max(by_provider, key=lambda k: by_provider[k])
        section.findings.append(
            f"{top_provider} is {by_provider[top_provider] / api_total * 100:.0f}% of API spend "
            f"(${by_provider[top_provider]:.4f} of ${api_total:.4f})."
        )
    money = "{:.4f}"
    section.tables.append(
        Table(
            "Cost per video (most expensive first)",
            [
                ("video", "{}"),
                ("channel", "{}"),
                ("title", "{}"),
                ("script $", money),
                ("voice $", money),
                ("thumbnails $", money),
                ("processing $", money),
                ("total $", money),
            ],
            [
                [
                    v.video_id,
                    v.channel,
                    v.title,
                    v.script_usd,
                    v.voice_usd,
                    v.thumbnail_usd,
                    v.processing_usd,
                    v.total_usd,
                ]
                for v in videos[:20]
            ],
        )
    )
    section.tables.append(
        Table(
            "API spend by provider and day (UTC)",
            [
                ("day", "{}"),
                ("provider", "{}"),
                ("service", "{}"),
                ("calls", "{}"),
                ("tokens", "{}"),
                ("cost $", money),
            ],
            [[r.day, r.provider, r.service, r.calls, r.tokens, r.cost_usd] for r in spend],
        )
    )
    if charts and videos:
        section.charts.append(_cost_chart(videos[:20], limits.cost_per_video_usd))
    if charts and spend:
        section.charts.append(_spend_chart(spend))
    return section


def _quality_section(
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
        section.charts.append(_quality_chart(trend, limits.min_quality))
    return section


def _bottleneck_section(
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
        section.charts.append(_stage_chart(stages))
    return section


def _usage_section(
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
        section.charts.append(_latency_chart(latency, limits.max_p95_latency_ms))
    return section


# --- charts ----------------------------------------------------------------------------------


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def _figure(height: float = 3.2) -> Any:
    # The object API renders with Agg and never touches a display or pyplot's global state.
    from matplotlib.figure import Figure

    return Figure(figsize=(7.5, height), layout="constrained")


def _cost_chart(videos: list[views.VideoCost], limit: float) -> Chart:
    fig = _figure()
    ax = fig.subplots()
    labels = [v.video_id[:8] for v in videos]
    bottom = [0.0] * len(videos)
    parts = [
        ("script", [v.script_usd for v in videos]),
        ("voice", [v.voice_usd for v in videos]),
        ("thumbnails", [v.thumbnail_usd for v in videos]),
        ("processing", [v.processing_usd for v in videos]),
    ]
    for name, values in parts:
        ax.bar(labels, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.axhline(limit, color="red", linestyle="--", linewidth=1, label=f"alert ${limit:.2f}")
    ax.set_ylabel("USD")
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    ax.legend(fontsize=7)
    return Chart("cost_per_video", "Cost per video by part", _png(fig))


def _spend_chart(spend: list[views.ProviderDayCost]) -> Chart:
    fig = _figure()
    ax = fig.subplots()
    days = sorted({r.day for r in spend})
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in spend:
        totals[r.provider][r.day] += r.cost_usd
    bottom = [0.0] * len(days)
    for provider, per_day in sorted(totals.items()):
        values = [per_day.get(d, 0.0) for d in days]
        ax.bar(days, values, bottom=bottom, label=provider)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("USD")
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(fontsize=7)
    return Chart("api_spend_by_day", "API spend per day by provider", _png(fig))


def _quality_chart(trend: list[views.QualityPoint], limit: float) -> Chart:
    fig = _figure()
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
    return Chart("quality_trend", "Daily mean quality by stage", _png(fig))


def _stage_chart(stages: list[views.Percentiles]) -> Chart:
    fig = _figure()
    ax = fig.subplots()
    ordered = sorted(stages, key=lambda s: s.p95_ms)
    ax.barh([s.key[0] for s in ordered], [s.p95_ms / 1000 for s in ordered], label="p95")
    ax.barh([s.key[0] for s in ordered], [s.mean_ms / 1000 for s in ordered], label="mean")
    ax.set_xlabel("seconds")
    ax.legend(fontsize=7)
    return Chart("stage_time", "Stage time: p95 and mean", _png(fig))


def _latency_chart(latency: list[views.Percentiles], limit_ms: float) -> Chart:
    fig = _figure(max(2.0, 0.4 * len(latency) + 1))
    ax = fig.subplots()
    ordered = sorted(latency, key=lambda p: p.p95_ms)
    ax.barh([f"{p.key[0]} / {p.key[1]}" for p in ordered], [p.p95_ms for p in ordered])
    ax.axvline(limit_ms, color="red", linestyle="--", linewidth=1, label=f"alert {limit_ms:.0f}")
    ax.set_xlabel("p95 latency (ms)")
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=7)
    return Chart("model_latency_p95", "p95 latency by model and operation", _png(fig))


# --- rendering -------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> list[str]:
    if not table.rows:
        return [f"**{table.title}**: no data in this window.", ""]
    return [
        f"**{table.title}**",
        "",
        "| " + " | ".join(name for name, _ in table.columns) + " |",
        "|" + "---|" * len(table.columns),
        *("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.cells()),
        "",
    ]


def _data_uri(chart: Chart) -> str:
    return "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")


def _window_line(report: OptimizationReport) -> str:
    w = report.window
    return (
        f"{w.since:%Y-%m-%d %H:%M} to {w.until:%Y-%m-%d %H:%M} UTC "
        f"(built in {report.seconds:.2f} s)"
    )


def to_markdown(report: OptimizationReport, images: dict[str, str] | str | None = None) -> str:
    """Markdown; ``images`` maps chart names to links, ``"embed"`` inlines them as data URIs,
    ``None`` leaves them out."""
    lines = ["# Optimization report", "", _window_line(report), "", "## Summary", ""]
    lines += ["| figure | value |", "|---|---:|"]
    lines += [f"| {k} | {'' if v is None else v} |" for k, v in report.summary.items()]
    lines += ["", "## Alerts", ""]
    if report.alerts:
        lines += ["| rule | subject | severity | value | threshold | message |"]
        lines += ["|---|---|---|---:|---:|---|"]
        lines += [
            f"| {a.rule} | {_md_cell(a.subject)} | {a.severity} | {a.value:g} | "
            f"{a.threshold:g} | {_md_cell(a.message)} |"
            for a in report.alerts
        ]
    else:
        lines.append("No alert fired in this window.")
    lines.append("")
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        lines += [f"- {finding}" for finding in section.findings] or ["- Nothing to report."]
        lines.append("")
        for table in section.tables:
            lines += _md_table(table)
        for chart in section.charts:
            if images == "embed":
                lines += [f"![{chart.title}]({_data_uri(chart)})", ""]
            elif isinstance(images, dict) and chart.name in images:
                lines += [f"![{chart.title}]({images[chart.name]})", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_html(report: OptimizationReport) -> str:
    """One self-contained HTML page (charts embedded, no outside styles or scripts)."""
    e = html.escape

    def table(t: Table) -> str:
        if not t.rows:
            return f"<p><b>{e(t.title)}</b>: no data in this window.</p>"
        head = "".join(f"<th>{e(name)}</th>" for name, _ in t.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in t.cells()
        )
        return f"<h3>{e(t.title)}</h3><table><tr>{head}</tr>{body}</table>"

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Optimization report</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:72em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;font-size:.9em}"
        "th{background:#f4f4f4}.high{color:#b00}</style></head><body>",
        "<h1>Optimization report</h1>",
        f"<p>{e(_window_line(report))}</p><h2>Summary</h2><table>",
        *(
            f"<tr><th>{e(k)}</th><td>{e('' if v is None else str(v))}</td></tr>"
            for k, v in report.summary.items()
        ),
        "</table><h2>Alerts</h2>",
    ]
    if report.alerts:
        parts.append(
            "<table><tr><th>rule</th><th>subject</th><th>severity</th><th>value</th>"
            "<th>threshold</th><th>message</th></tr>"
        )
        parts += [
            f"<tr class='{e(a.severity)}'><td>{e(a.rule)}</td><td>{e(a.subject)}</td>"
            f"<td>{e(a.severity)}</td><td>{a.value:g}</td><td>{a.threshold:g}</td>"
            f"<td>{e(a.message)}</td></tr>"
            for a in report.alerts
        ]
        parts.append("</table>")
    else:
        parts.append("<p>No alert fired in this window.</p>")
    for section in report.sections:
        parts.append(f"<h2>{e(section.title)}</h2><ul>")
        parts += [f"<li>{e(f)}</li>" for f in section.findings] or ["<li>Nothing to report.</li>"]
        parts.append("</ul>")
        parts += [table(t) for t in section.tables]
        parts += [
            f"<figure><img alt='{e(c.title)}' src='{_data_uri(c)}'>"
            f"<figcaption>{e(c.title)}</figcaption></figure>"
            for c in section.charts
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def to_csv(report: OptimizationReport) -> str:
    """Long-format CSV: section, table, key (the row's first cell), metric, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "table", "key", "metric", "value"])
    for name, value in report.summary.items():
        writer.writerow(["summary", "summary", "", name, "" if value is None else value])
    for a in report.alerts:
        key = f"{a.rule}:{a.subject}"
        writer.writerow(["alerts", "alerts", key, "value", a.value])
        writer.writerow(["alerts", "alerts", key, "threshold", a.threshold])
        writer.writerow(["alerts", "alerts", key, "severity", a.severity])
    for section in report.sections:
        for t in section.tables:
            for row in t.rows:
                key = "/".join(str(v) for v in row[:2] if v is not None)
                for (column, _), value in zip(t.columns[2:], row[2:], strict=True):
                    writer.writerow(
                        [section.key, t.title, key, column, "" if value is None else value]
                    )
    return out.getvalue()


def render(report: OptimizationReport, fmt: str) -> str:
    """The report as text in ``fmt`` (markdown without charts, HTML with, CSV)."""
    if fmt == "md":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    if fmt == "csv":
        return to_csv(report)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def write(report: OptimizationReport, path: Path, fmt: str) -> list[Path]:
    """Write the report to ``path``; markdown gets its charts as PNGs beside it.

    Returns every file written. Each is written to a temporary name and renamed into place.
    """
    written: list[Path] = []
    images: dict[str, str] = {}
    if fmt == "md":
        for chart in report.charts:
            png = path.with_name(f"{path.stem}-{chart.name}.png")
            workspace.write_bytes(png, chart.png)
            images[chart.name] = png.name
            written.append(png)
    text = to_markdown(report, images) if fmt == "md" else render(report, fmt)
    workspace.write_text(path, text)
    return [path, *written]
