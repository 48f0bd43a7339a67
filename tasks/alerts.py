"""Alerts as Prefect events, the one way the report flow and the stages raise them.

Every alert is the event ``ytempire.alert.<rule>`` with the rule, subject, value, threshold,
severity ("high" is the seed's high priority) and message in its payload, and rule and
severity as resource labels, so one Prefect automation on ``ytempire.alert.*`` routes them
all (``python -m deployments.setup --notify``, deployments/automations.py). Stages raise
theirs as they happen (a circuit opened, a budget exceeded) and keep them in the analytics
store too; the report flow's alerts are derived from the store already.
"""

from __future__ import annotations

from prefect import get_run_logger
from prefect.events import emit_event

from ytempire.analytics.alerts import Alert
from ytempire.analytics.store import AnalyticsStore


def emit_alert(alert: Alert, **context: str) -> str | None:
    """Emit ``alert`` as a Prefect event (``context`` joins its payload); the event's id, or
    None where events are off."""
    event = emit_event(
        event=alert.event_name,
        resource={
            "prefect.resource.id": f"ytempire.alert.{alert.rule}.{alert.subject}",
            "prefect.resource.name": f"{alert.rule}: {alert.subject}",
            "ytempire.alert.rule": alert.rule,
            "ytempire.alert.severity": alert.severity,
        },
        payload={
            "rule": alert.rule,
            "subject": alert.subject,
            "value": alert.value,
            "threshold": alert.threshold,
            "severity": alert.severity,
            "message": alert.message,
            **context,
        },
    )
    return None if event is None else str(event.id)


def raise_alert(alert: Alert, store: AnalyticsStore, **context: str) -> str | None:
    """Raise an alert from a running stage: the event, a warning in the run's log, and an
    ``alert_raised`` sample in the store. Returns the event's id."""
    get_run_logger().warning("alert %s (%s): %s", alert.rule, alert.severity, alert.message)
    store.record_alert(alert.rule, alert.subject, alert.severity, alert.value)
    return emit_alert(alert, **context)
