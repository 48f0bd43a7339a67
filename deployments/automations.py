"""Alerts that reach someone: one Prefect automation sends every ``ytempire.alert.*`` event
(tasks/alerts.py) to a notification block the operator names.

    python -m deployments.setup --notify custom-webhook/ops-alerts

``--notify`` takes ``BLOCK_TYPE/NAME`` as ``prefect block ls`` lists it: any block with the
``notify`` capability (a custom webhook, Slack, Microsoft Teams, PagerDuty, Sendgrid e-mail,
…). The notification's subject carries the severity, rule and subject; its body the
alert's message, value and threshold and the context the stage added (video, stage). The
automation is found by its name, so a re-run updates it instead of adding a second one;
without ``--notify`` an existing automation is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient
from prefect.events.actions import SendNotification
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.exceptions import ObjectNotFound

ALERTS_AUTOMATION = "ytempire-alerts"
ALERT_EVENTS = "ytempire.alert.*"
# The payload keys every alert has (tasks/alerts.py); any other key is context from the stage.
_ALERT_FIELDS = ("rule", "subject", "value", "threshold", "severity", "message")

# Jinja, rendered by the server for each event.
SUBJECT = (
    "[ytempire {{ event.payload.severity | upper }}] "
    "{{ event.payload.rule }}: {{ event.payload.subject }}"
)
BODY = (
    "{{ event.payload.message }}\n"
    "\n"
    "severity: {{ event.payload.severity }}\n"
    "rule: {{ event.payload.rule }}\n"
    "subject: {{ event.payload.subject }}\n"
    "value: {{ event.payload.value }} (threshold {{ event.payload.threshold }})\n"
    "{% for key, value in event.payload.items() if key not in "
    + repr(_ALERT_FIELDS)
    + " %}{{ key }}: {{ value }}\n{% endfor %}"
    "at: {{ event.occurred }}\n"
    "event: {{ event.event }} {{ event.id }}"
)


class NotifyError(ValueError):
    """The notification block named cannot be used."""


@dataclass(frozen=True)
class NotifyTarget:
    """A saved block, as ``BLOCK_TYPE/NAME`` (``custom-webhook/ops-alerts``)."""

    block_type: str
    name: str

    @classmethod
    def parse(cls, value: str) -> NotifyTarget:
        block_type, _, name = value.partition("/")
        if not block_type or not name or "/" in name:
            raise NotifyError(f"expected BLOCK_TYPE/NAME (e.g. custom-webhook/ops), got {value!r}")
        return cls(block_type, name)

    def __str__(self) -> str:
        return f"{self.block_type}/{self.name}"


def alerts_automation(block_document_id: UUID) -> AutomationCore:
    """The automation: each ``ytempire.alert.*`` event, one notification through the block."""
    return AutomationCore(
        name=ALERTS_AUTOMATION,
        description="Every ytempire alert (budget, failures, circuits, quality) to people.",
        enabled=True,
        trigger=EventTrigger(
            expect={ALERT_EVENTS}, posture=Posture.Reactive, threshold=1, within=0
        ),
        actions=[SendNotification(block_document_id=block_document_id, subject=SUBJECT, body=BODY)],
    )


def notification_block_id(client: SyncPrefectClient, target: NotifyTarget) -> UUID:
    """The id of the saved block ``target``, which must be a notification block."""
    try:
        document = client.read_block_document_by_name(
            target.name, target.block_type, include_secrets=False
        )
    except ObjectNotFound:
        raise NotifyError(
            f"no block {target} on the server (save one first; `prefect block ls` lists them)"
        ) from None
    capabilities = document.block_schema.capabilities if document.block_schema else []
    if "notify" not in capabilities:
        raise NotifyError(f"block {target} cannot send notifications (a {target.block_type})")
    return document.id


def ensure_alerts_automation(client: SyncPrefectClient, target: NotifyTarget | None) -> str:
    """Create or update the alerts automation to notify ``target``; with None, leave an
    existing one alone. Returns a line saying where alerts go."""
    existing = client.read_automations_by_name(ALERTS_AUTOMATION)
    if target is None:
        if not existing:
            return (
                f"{ALERT_EVENTS} events stay in the event feed only "
                "(--notify BLOCK_TYPE/NAME sends them to a notification block)"
            )
        return f"{ALERT_EVENTS} → {_target_of(client, existing[0])} (unchanged)"
    automation = alerts_automation(notification_block_id(client, target))
    if existing:
        first, *duplicates = existing
        assert first.id is not None
        client.update_automation(first.id, automation)
        for duplicate in duplicates:
            assert duplicate.id is not None
            client.delete_automation(duplicate.id)
    else:
        client.create_automation(automation)
    return f"{ALERT_EVENTS} → {target} (automation {ALERTS_AUTOMATION})"


def _target_of(client: SyncPrefectClient, automation: AutomationCore) -> str:
    """``BLOCK_TYPE/NAME`` of the block an automation notifies, as far as it can be read."""
    for action in automation.actions:
        if isinstance(action, SendNotification):
            try:
                document = client.read_block_document(action.block_document_id)
            except ObjectNotFound:
                return f"a deleted block ({action.block_document_id})"
            slug = document.block_type.slug if document.block_type else "block"
            return f"{slug}/{document.name}"
    return f"automation {ALERTS_AUTOMATION}, which sends no notification"
