"""Alerts reach someone: ``deployments.setup --notify`` on the session's real Prefect server
(whose triggers and actions services run the automation), a custom webhook block pointed at
a local receiver, and an alert emitted the way the stages emit theirs (tasks/alerts.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from prefect.events.clients import PrefectEventsClient
from prefect.events.worker import EventsWorker

from deployments import setup
from deployments.automations import (
    ALERTS_AUTOMATION,
    NotifyError,
    NotifyTarget,
    ensure_alerts_automation,
)
from tasks.alerts import emit_alert
from tests.deployments.prefect_server import PrefectServer
from tests.servers.webhook import WebhookServer
from ytempire.analytics.alerts import Alert

# Bounded: the event goes through the server's event pipeline, triggers and actions services.
ARRIVAL_S = 60


def test_notify_takes_block_type_slash_name() -> None:
    assert NotifyTarget.parse("custom-webhook/ops-alerts") == NotifyTarget(
        "custom-webhook", "ops-alerts"
    )
    for bad in ("ops-alerts", "/ops", "custom-webhook/", "a/b/c"):
        with pytest.raises(NotifyError, match="expected BLOCK_TYPE/NAME"):
            NotifyTarget.parse(bad)


def test_setup_refuses_a_malformed_notify_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        setup.main(["--notify", "ops-alerts"])
    assert exited.value.code == 2
    assert "--notify: expected BLOCK_TYPE/NAME" in capsys.readouterr().err.splitlines()[-1]


@pytest.fixture(scope="module")
def server(prefect_server: PrefectServer) -> Iterator[PrefectServer]:
    """The session's server as this process's API; the alerts automation removed after."""
    with prefect_server.as_client():
        yield prefect_server
        with get_client(sync_client=True) as client:
            for automation in client.read_automations_by_name(ALERTS_AUTOMATION):
                assert automation.id is not None
                client.delete_automation(automation.id)


@pytest.fixture
def receiver() -> Iterator[WebhookServer]:
    with WebhookServer() as hooks:
        yield hooks


@pytest.mark.slow
def test_without_notify_alerts_stay_in_the_event_feed(server: PrefectServer) -> None:
    with get_client(sync_client=True) as client:
        said = ensure_alerts_automation(client, None)
        assert "stay in the event feed only" in said
        assert client.read_automations_by_name(ALERTS_AUTOMATION) == []


@pytest.mark.slow
def test_a_missing_or_non_notification_block_is_refused_in_one_line(
    server: PrefectServer,
) -> None:
    Secret(value="not-a-notifier").save("not-a-notifier", overwrite=True)
    with get_client(sync_client=True) as client:
        with pytest.raises(NotifyError, match="no block custom-webhook/nowhere on the server"):
            ensure_alerts_automation(client, NotifyTarget("custom-webhook", "nowhere"))
        with pytest.raises(NotifyError, match="secret/not-a-notifier cannot send"):
            ensure_alerts_automation(client, NotifyTarget("secret", "not-a-notifier"))
        assert client.read_automations_by_name(ALERTS_AUTOMATION) == []


@pytest.mark.slow
def test_an_alert_reaches_the_webhook_with_its_severity_and_message(
    server: PrefectServer, receiver: WebhookServer, capsys: pytest.CaptureFixture[str]
) -> None:
    CustomWebhookNotificationBlock(
        name="ops",
        url=f"{receiver.url}/hooks/ops",
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    ).save("ops-alerts", overwrite=True)
    # Twice: the second run updates the automation instead of adding one.
    for _ in range(2):
        assert setup.main(["--notify", "custom-webhook/ops-alerts"]) == 0
    assert "alerts: ytempire.alert.* → custom-webhook/ops-alerts" in capsys.readouterr().out
    with get_client(sync_client=True) as client:
        (automation,) = client.read_automations_by_name(ALERTS_AUTOMATION)
        assert automation.enabled
        assert "(unchanged)" in ensure_alerts_automation(client, None)

    alert = Alert(
        "cost_per_video",
        "vid-0001",
        0.61,
        0.45,
        "high",
        "video vid-0001 cost $0.61, over the $0.45 alert line",
    )
    emitted = time.monotonic()
    event_id = _emit(server.api_url, alert, video_id="vid-0001", stage="script")
    assert event_id is not None

    (received,) = receiver.wait_for(1, ARRIVAL_S)
    print(f"alert to webhook: {time.monotonic() - emitted:.1f} s")
    assert received.path == "/hooks/ops"
    assert received.body["subject"] == "[ytempire HIGH] cost_per_video: vid-0001"
    body = received.body["body"]
    assert body.splitlines()[0] == alert.message
    for line in (
        "severity: high",
        "rule: cost_per_video",
        "value: 0.61 (threshold 0.45)",
        "video_id: vid-0001",
        "stage: script",
        f"event: ytempire.alert.cost_per_video {event_id}",
    ):
        assert line in body.splitlines(), body
    # One automation, one notification: nothing else arrives for this alert.
    time.sleep(3)
    assert len(receiver.received) == 1


def _emit(api_url: str, alert: Alert, **context: str) -> str | None:
    """Emit ``alert`` to the server at ``api_url`` (whatever events client an earlier test of
    this process left behind) and wait until it is sent."""
    EventsWorker.set_client_override(PrefectEventsClient, api_url=api_url)
    try:
        event_id = emit_alert(alert, **context)
        EventsWorker.drain_all()
    finally:
        EventsWorker.set_client_override(None)
    return event_id


@pytest.mark.slow
def test_a_webhook_that_fails_gets_the_alert_again(
    server: PrefectServer, receiver: WebhookServer
) -> None:
    """The server's actions service retries a notification whose webhook answered an error.
    (The automation of the test above notifies the same block, saved anew for this receiver.)"""
    CustomWebhookNotificationBlock(
        name="ops",
        url=f"{receiver.url}/hooks/ops",
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    ).save("ops-alerts", overwrite=True)
    receiver.queue("500")
    alert = Alert("quality", "script/gpt-4o-mini", 0.61, 0.75, "warning", "script quality 0.61")
    _emit(server.api_url, alert)
    failed, retried = receiver.wait_for(2, ARRIVAL_S)
    assert failed.body == retried.body
    assert retried.body["subject"] == "[ytempire WARNING] quality: script/gpt-4o-mini"
