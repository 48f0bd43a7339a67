"""The alert rules on the fixed fixture, with the seed's thresholds and with settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analytics.fixture import V2, WINDOW
from ytempire.analytics import alerts
from ytempire.analytics.store import AnalyticsStore
from ytempire.settings import Settings


def test_the_seed_thresholds_fire_these_alerts(loaded: AnalyticsStore) -> None:
    fired = alerts.evaluate(loaded, WINDOW, alerts.Thresholds())
    assert [(a.rule, a.subject, round(a.value, 4), a.threshold, a.severity) for a in fired] == [
        ("cost_per_video", V2, 0.54, 0.45, "high"),
        ("quality", "script/template", 0.70, 0.75, "warning"),
        ("failure_rate", "pipeline", 0.5, 0.05, "high"),  # runs B and D of 4
        ("failure_rate", "render", 0.3333, 0.05, "warning"),  # 1 of 3 attempts
        ("failure_rate", "voice", 0.4, 0.05, "warning"),  # 2 of 5 attempts
        ("fallback_rate", "script/gpt-4-turbo", 0.5, 0.2, "warning"),  # 2 of 4 runs
        ("p95_latency", "gpt-3.5-turbo/script_generation", 8000, 5000, "warning"),
    ]
    assert fired[0].message == (
        f"video {V2} (Compound interest) cost $0.5400 (script $0.2000, voice $0.3000, "
        "thumbnails $0.0400, processing $0.0000), over $0.45"
    )
    assert all("\n" not in a.message for a in fired)
    assert {a.event_name for a in fired} >= {"ytempire.alert.cost_per_video"}


def test_a_provider_over_its_daily_budget(loaded: AnalyticsStore) -> None:
    limits = alerts.Thresholds(provider_budgets_usd={"openai": 0.32})
    budget = [a for a in alerts.evaluate(loaded, WINDOW, limits) if a.rule == "provider_budget"]
    # openai spent $0.30 on 11-20 and $0.33 on 11-21; ElevenLabs $0.30 under the default $100.
    assert [(a.subject, a.value, a.threshold) for a in budget] == [
        ("openai/2026-11-21", 0.33, 0.32)
    ]


def test_thresholds_are_settings(
    loaded: AnalyticsStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_ALERT_COST_PER_VIDEO_USD", "0.60")
    monkeypatch.setenv("YTEMPIRE_ALERT_MIN_QUALITY", "0.5")
    monkeypatch.setenv("YTEMPIRE_ALERT_MAX_FAILURE_RATE", "0.5")
    monkeypatch.setenv("YTEMPIRE_ALERT_MAX_FALLBACK_RATE", "0.5")
    monkeypatch.setenv("YTEMPIRE_ALERT_MAX_P95_LATENCY_MS", "9000")
    monkeypatch.setenv("YTEMPIRE_PROVIDER_DAILY_BUDGET_USD", "0.25")
    monkeypatch.setenv("YTEMPIRE_PROVIDER_BUDGETS_USD", '{"openai": 1.0}')
    limits = alerts.Thresholds.from_settings(Settings(workspace=tmp_path))
    fired = alerts.evaluate(loaded, WINDOW, limits)
    # Rates equal to a threshold do not fire; only ElevenLabs' $0.30 is over its $0.25.
    assert [(a.rule, a.subject) for a in fired] == [("provider_budget", "elevenlabs/2026-11-20")]
