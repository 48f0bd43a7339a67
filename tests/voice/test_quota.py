"""Today's characters per provider, from the recorded voice calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import ModelPerformance
from ytempire.settings import Settings
from ytempire.voice.quota import OPERATION, characters_used_today

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def add(store: AnalyticsStore, model: str, chars: int, when: datetime, op: str = OPERATION) -> None:
    with store.session() as session:
        session.add(
            ModelPerformance(
                model_name=model,
                operation=op,
                timestamp=when,
                latency_ms=10,
                tokens_used=chars,
                cost_cents=0,
                quality_score=None,
                cache_hit=False,
            )
        )


def test_counts_only_todays_calls_to_that_provider(settings: Settings) -> None:
    store = AnalyticsStore(settings.analytics_url)
    add(store, "elevenlabs:eleven_multilingual_v2", 1000, NOW - timedelta(hours=9))
    add(store, "elevenlabs:eleven_turbo_v2_5", 250, NOW - timedelta(minutes=5))
    add(store, "elevenlabs:eleven_multilingual_v2", 7000, NOW - timedelta(hours=10))  # yesterday
    add(store, "google:en-US-Neural2-D", 500, NOW)
    add(store, "elevenlabs:eleven_multilingual_v2", 900, NOW, op="script_generation")
    assert characters_used_today(store, "elevenlabs", now=NOW) == 1250
    assert characters_used_today(store, "google", now=NOW) == 500
    assert characters_used_today(store, "piper", now=NOW) == 0


def test_postgres_agrees(postgres_url: str) -> None:
    store = AnalyticsStore(postgres_url)
    add(store, "google:en-US-Neural2-F", 300, NOW - timedelta(hours=1))
    add(store, "google:en-US-Neural2-F", 400, NOW - timedelta(days=1))
    assert characters_used_today(store, "google", now=NOW) == 300
