"""The model-evaluation flow: each monitored metric's recent window against its baseline
(PSI and a KS test, ``ytempire.learning.drift``) → a drift table artifact → one
``ytempire.alert.drift`` event per drifting metric, naming it and the size of the shift.
Deployed daily as ``model-evaluation`` (prefect.yaml)."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel

from tasks.alerts import emit_alert
from ytempire.analytics.alerts import Alert
from ytempire.analytics.report.sections import drift as drift_section
from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import drift
from ytempire.settings import Settings

ARTIFACT_KEY = "model-drift"


class EvaluationRun(BaseModel):
    """What one evaluation found."""

    results: list[drift.DriftResult]
    drifted: list[str]
    events: list[str]
    artifact_key: str


@task(name="evaluate-drift", cache_policy=NO_CACHE)
def evaluate_drift(
    settings: Settings, recent_days: float, baseline_days: float, until: datetime | None
) -> list[drift.DriftResult]:
    store = AnalyticsStore(settings.analytics_url)
    return drift.evaluate(store, recent_days, baseline_days, now=until)


@task(name="emit-drift-alerts", cache_policy=NO_CACHE)
def emit_drift_alerts(results: list[drift.DriftResult]) -> list[str]:
    """One ``ytempire.alert.drift`` event per drifting metric; the events' ids."""
    emitted = []
    for r in results:
        if not r.drifted or r.psi is None:
            continue
        alert = Alert(
            "drift", r.metric, r.psi, drift.PSI_DRIFT, "warning", f"{r.metric}: {r.shift}"
        )
        get_run_logger().warning("drift %s", alert.message)
        event_id = emit_alert(alert, shift=r.shift)
        if event_id is not None:
            emitted.append(event_id)
    return emitted


@flow(name="model-evaluation", flow_run_name="model-evaluation-{recent_days}d")
def model_evaluation(
    recent_days: float = 1.0,
    baseline_days: float = 7.0,
    until: datetime | None = None,
    workspace: str | None = None,
) -> EvaluationRun:
    """Compare the last ``recent_days`` with the ``baseline_days`` before them."""
    settings = Settings() if workspace is None else Settings(workspace=workspace)
    results = evaluate_drift(settings, recent_days, baseline_days, until)
    table = drift_section.section(results).tables[0]
    headings = [name for name, _ in table.columns]
    create_table_artifact(
        [dict(zip(headings, row, strict=True)) for row in table.cells()],
        key=ARTIFACT_KEY,
        description=f"Drift: last {recent_days} d against the {baseline_days} d before",
    )
    events = emit_drift_alerts(results)
    return EvaluationRun(
        results=results,
        drifted=[r.metric for r in results if r.drifted],
        events=events,
        artifact_key=ARTIFACT_KEY,
    )
