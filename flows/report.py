"""The analytics report flow: flush the metrics queue → analyse the experiments → read the
views → evaluate the alert rules → one Prefect event per alert → markdown and table
artifacts (and ``experiment-<name>`` per experiment) → push the metrics.

Prefect automations turn the events into notifications: trigger on ``ytempire.alert.*``
(every event carries the rule, subject, value, threshold and severity in its payload and
resource labels). Schedule it as the ``analytics-report`` deployment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel

from tasks.alerts import emit_alert
from tasks.experiments import declared as experiments_declared
from ytempire.analytics import metrics, queue, report, views
from ytempire.analytics.alerts import Alert, Thresholds
from ytempire.analytics.report.formats.as_markdown import section_markdown
from ytempire.analytics.report.sections import experiments as experiments_section
from ytempire.analytics.store import AnalyticsStore
from ytempire.learning.analysis import Analysis, analyse, observations
from ytempire.settings import Settings

ARTIFACT_KEY = "analytics-report"
ALERTS_KEY = "analytics-alerts"


class ReportRun(BaseModel):
    """What one report run found and where it put it."""

    since: str
    until: str
    alerts: list[dict[str, object]]
    events: list[str]
    artifact_key: str
    seconds: float
    pushed: bool


@task(name="flush-metrics-queue", cache_policy=NO_CACHE)
def flush_metrics(settings: Settings) -> int:
    return queue.for_settings(settings).flush()


@task(name="analyse-experiments", cache_policy=NO_CACHE)
def analyse_experiments(settings: Settings) -> list[Analysis]:
    """Each declared experiment's table and decision; none when the file cannot be read
    (the report goes on, the log says why)."""
    try:
        declared = experiments_declared(settings)
    except ValueError as exc:
        get_run_logger().error("experiments: %s", exc)
        return []
    store = AnalyticsStore(settings.analytics_url)
    return [analyse(e, observations(store, e)) for e in declared]


@task(name="build-report", cache_policy=NO_CACHE)
def build(
    settings: Settings, window: views.Window, analyses: list[Analysis]
) -> report.OptimizationReport:
    store = AnalyticsStore(settings.analytics_url)
    extra = [experiments_section.section(analyses)] if analyses else []
    return report.build_report(store, window, Thresholds.from_settings(settings), extra=extra)


@task(name="emit-alert-events", cache_policy=NO_CACHE)
def emit_alerts(alerts: list[Alert], window: views.Window) -> list[str]:
    """One Prefect event per alert; returns the ids of the events emitted."""
    emitted = []
    for alert in alerts:
        event_id = emit_alert(alert, since=window.since.isoformat(), until=window.until.isoformat())
        if event_id is not None:
            emitted.append(event_id)
    get_run_logger().info("%d alerts, %d events emitted", len(alerts), len(emitted))
    return emitted


@task(name="push-metrics", cache_policy=NO_CACHE)
def push_metrics(settings: Settings) -> bool:
    """Push the seed's metrics to the Pushgateway, when one is configured."""
    if not settings.pushgateway_url:
        return False
    collector = metrics.StoreCollector(
        AnalyticsStore(settings.analytics_url), timedelta(hours=settings.metrics_window_hours)
    )
    metrics.push(collector, settings.pushgateway_url)
    return True


@flow(name="analytics-report", flow_run_name="analytics-report-{since}")
def analytics_report(
    since: str = "24h", until: datetime | None = None, workspace: str | None = None
) -> ReportRun:
    """Report on the window ``since`` (``24h``, ``7d``, an ISO date) until ``until`` (now)."""
    settings = Settings() if workspace is None else Settings(workspace=workspace)
    window = report.since_window(since, until)

    flush_metrics(settings)
    analyses = analyse_experiments(settings)
    built = build(settings, window, analyses)
    for a in analyses:  # one artifact per experiment, for analysts to follow it by key
        one = experiments_section.section([a], title=f"Experiment {a.experiment}")
        create_markdown_artifact(
            "\n".join(section_markdown(one)),
            key=f"experiment-{a.experiment}",
            description=f"{a.experiment}: {a.decision}",
        )
    events = emit_alerts(built.alerts, window)
    create_markdown_artifact(
        report.to_markdown(built, images="embed"),
        key=ARTIFACT_KEY,
        description=f"Optimization report and alerts, last {since}",
    )
    create_table_artifact(
        [
            {
                "rule": a.rule,
                "subject": a.subject,
                "severity": a.severity,
                "value": a.value,
                "threshold": a.threshold,
                "message": a.message,
            }
            for a in built.alerts
        ],
        key=ALERTS_KEY,
        description="Alerts fired in the window",
    )
    pushed = push_metrics(settings)
    return ReportRun(
        since=window.since.isoformat(),
        until=window.until.isoformat(),
        alerts=[
            {"rule": a.rule, "subject": a.subject, "value": a.value, "severity": a.severity}
            for a in built.alerts
        ],
        events=events,
        artifact_key=ARTIFACT_KEY,
        seconds=built.seconds,
        pushed=pushed,
    )
