"""Cost savings opportunities: videos over the alert, where the money went, cheaper models
of acceptable quality, provider spend per day."""

from __future__ import annotations

from collections import defaultdict

from ytempire.analytics import views
from ytempire.analytics.alerts import Thresholds
from ytempire.analytics.report import charts
from ytempire.analytics.report.model import Chart, Section, Table


def mean_quality_by_model(
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


def section(
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
    model_quality = mean_quality_by_model(usage, quality)
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
        section.charts.append(cost_chart(videos[:20], limits.cost_per_video_usd))
    if charts and spend:
        section.charts.append(spend_chart(spend))
    return section


def cost_chart(videos: list[views.VideoCost], limit: float) -> Chart:
    fig = charts.figure()
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
    return Chart("cost_per_video", "Cost per video by part", charts.png(fig))


def spend_chart(spend: list[views.ProviderDayCost]) -> Chart:
    fig = charts.figure()
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
    return Chart("api_spend_by_day", "API spend per day by provider", charts.png(fig))
