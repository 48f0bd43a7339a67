"""Every view against figures computed by hand from ``fixture.py``, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.analytics.fixture import V1, V2, WINDOW
from ytempire.analytics import views
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, StageRecord


def test_cost_per_video_with_breakdown(loaded: AnalyticsStore) -> None:
    rows = views.cost_per_video(loaded, WINDOW)
    assert [
        (
            r.video_id,
            r.channel,
            r.script_usd,
            r.voice_usd,
            r.thumbnail_usd,
            r.processing_usd,
            r.total_usd,
        )
        for r in rows
    ] == [
        (V2, "money", 0.20, 0.30, 0.04, 0.0, 0.54),
        (V1, "science", 0.03, 0.0, 0.04, 0.10, 0.17),
    ]
    assert rows[0].timestamp == datetime(2026, 11, 21, 15, 0, 10, tzinfo=UTC)


def test_api_cost_by_provider_per_day(loaded: AnalyticsStore) -> None:
    assert views.api_cost_by_provider(loaded, WINDOW) == [
        views.ProviderDayCost("2026-11-20", "elevenlabs", "voice_synthesis", 2, 0, 0.30),
        views.ProviderDayCost("2026-11-20", "openai", "script_generation", 10, 10000, 0.30),
        # gpt-4-turbo 10 × $0.03 + gpt-3.5-turbo 3 × $0.01
        views.ProviderDayCost("2026-11-21", "openai", "script_generation", 13, 11500, 0.33),
    ]


def test_fallback_rate_by_primary_model(loaded: AnalyticsStore) -> None:
    rates = {(r.stage, r.primary_model): r for r in views.fallback_rates(loaded, WINDOW)}
    assert sorted(rates) == [
        ("render", "ffmpeg-libx264"),
        ("script", "gpt-4-turbo"),
        ("tracking", "analytics-db"),
        ("trends", "local-topics-file"),
        ("voice", "piper:en_US-joe-medium"),
    ]
    # A (gpt-4-turbo), B (→ template), C (→ gpt-3.5-turbo), D (a gpt-4-turbo snapshot).
    script = rates[("script", "gpt-4-turbo")]
    assert (script.events, script.fallbacks, script.rate) == (4, 2, 0.5)
    assert script.fallback_models == {"gpt-3.5-turbo": 1, "template": 1}
    assert script.fallback_kinds == {"api_error": 1, "model_timeout": 1}
    voice = rates[("voice", "piper:en_US-joe-medium")]
    assert (voice.events, voice.fallbacks, voice.rate) == (3, 0, 0.0)


def test_failure_rate_by_stage_and_error_type(loaded: AnalyticsStore) -> None:
    found = [
        (r.stage, r.error_type, r.failures, r.attempts) for r in views.failure_rates(loaded, WINDOW)
    ]
    assert found == [
        ("render", "other", 1, 3),
        ("voice", "api_error", 1, 5),
        ("voice", "cost_exceeded", 1, 5),
    ]
    stages = {r.stage: (r.failures, r.attempts) for r in views.stage_failure_rates(loaded, WINDOW)}
    assert stages == {
        "render": (1, 3),
        "script": (0, 4),
        "tracking": (0, 1),
        "trends": (0, 1),
        "voice": (2, 5),
    }
    runs = views.run_failure_rate(loaded, WINDOW)
    assert (runs.runs, runs.failed, runs.rate) == (4, 2, 0.5)  # B and D end on a failure


def test_quality_trends_by_stage_and_model(loaded: AnalyticsStore) -> None:
    trend = [
        (p.day, p.stage, p.model, p.events, p.mean, p.lowest)
        for p in views.quality_trends(loaded, WINDOW)
    ]
    assert trend == [
        ("2026-11-20", "render", "ffmpeg-libx264", 1, 0.80, 0.80),
        ("2026-11-20", "script", "gpt-4-turbo", 1, 0.90, 0.90),
        ("2026-11-20", "script", "template", 1, 0.70, 0.70),
        ("2026-11-20", "voice", "piper:en_US-joe-medium", 2, 0.90, 0.85),
        ("2026-11-21", "render", "ffmpeg-libx264", 1, 0.80, 0.80),
        ("2026-11-21", "script", "gpt-3.5-turbo", 1, 0.80, 0.80),
        ("2026-11-21", "script", "gpt-4-turbo-2024-04-09", 1, 0.92, 0.92),
        ("2026-11-21", "voice", "piper:en_US-joe-medium", 1, 0.90, 0.90),
    ]
    whole = {
        (p.stage, p.model): (p.events, p.mean)
        for p in views.quality_trends(loaded, WINDOW, by_day=False)
    }
    assert whole[("voice", "piper:en_US-joe-medium")] == (3, 0.90)  # (.95 + .85 + .90) / 3
    assert whole[("render", "ffmpeg-libx264")] == (2, 0.80)


def test_p95_latency_by_model_and_operation(loaded: AnalyticsStore) -> None:
    stats = {p.key: p for p in views.latency_p95(loaded, WINDOW)}
    # 20 calls of 100..2000 ms: nearest rank ceil(.95 × 20) = 19 → 1900; rank 10 → 1000.
    gpt4 = stats[("gpt-4-turbo", "script_generation")]
    assert (gpt4.count, gpt4.p50_ms, gpt4.p95_ms, gpt4.max_ms, gpt4.mean_ms) == (
        20,
        1000,
        1900,
        2000,
        1050.0,
    )
    # 3 calls: rank ceil(2.85) = 3 → 8000; ceil(1.5) = 2 → 7000.
    gpt35 = stats[("gpt-3.5-turbo", "script_generation")]
    assert (gpt35.count, gpt35.p50_ms, gpt35.p95_ms) == (3, 7000, 8000)
    eleven = stats[("eleven_multilingual_v2", "voice_synthesis")]
    assert (eleven.count, eleven.p50_ms, eleven.p95_ms, eleven.total_ms) == (2, 1500, 2500, 4000)
    assert len(stats) == 3  # the 99999 ms call of 11-10 is outside


def test_stage_times(loaded: AnalyticsStore) -> None:
    times = {
        p.key[0]: (p.count, p.mean_ms, p.p50_ms, p.p95_ms, p.total_ms)
        for p in views.stage_times(loaded, WINDOW)
    }
    assert times == {
        "render": (2, 11000.0, 10000, 12000, 22000),
        "script": (4, 1750.0, 1500, 2500, 7000),
        "tracking": (1, 50.0, 50, 50, 50),
        "trends": (1, 200.0, 200, 200, 200),
        "voice": (3, 3500.0, 3500, 4000, 10500),
    }


def test_model_usage(loaded: AnalyticsStore) -> None:
    usage = views.model_usage(loaded, WINDOW)
    assert [
        (u.model, u.calls, u.tokens, u.cost_usd, u.cache_hits, u.mean_latency_ms, u.mean_quality)
        for u in usage
    ] == [
        ("gpt-4-turbo", 20, 20000, 0.60, 0, 1050.0, 0.90),
        ("gpt-3.5-turbo", 3, 1500, 0.03, 1, 7000.0, 0.80),
        ("eleven_multilingual_v2", 2, 0, 0.30, 0, 2000.0, None),
    ]
    assert usage[1].cache_hit_rate == pytest.approx(1 / 3)


def test_an_empty_window_has_empty_views(loaded: AnalyticsStore) -> None:
    empty = views.Window(datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 2, tzinfo=UTC))
    assert views.cost_per_video(loaded, empty) == []
    assert views.latency_p95(loaded, empty) == []
    assert views.run_failure_rate(loaded, empty).rate == 0.0


def test_error_types_are_the_stored_kinds_never_guessed_from_messages(
    store: AnalyticsStore,
) -> None:
    run = uuid.uuid4()
    at = datetime(2026, 11, 20, 10, tzinfo=UTC)

    def failed(message: str, kind: str | None) -> StageRecord:
        return StageRecord(
            stage=Stage.voice,
            status="failed",
            started_at=at,
            completed_at=at,
            error=message,
            error_kind=kind,
        )

    # A message that reads like a timeout but was stored as an API error counts as stored.
    store.record_stage(run, failed("elevenlabs: timed out waiting; HTTP 503", "api_error"))
    # A row from before migration 0007: no kind, and its message is not read for one.
    store.record_stage(run, failed("elevenlabs: 429 Too Many Requests", None))
    found = {(r.error_type, r.failures) for r in views.failure_rates(store, WINDOW)}
    assert found == {("api_error", 1), (views.UNRECORDED, 1)}
    assert [r.error_kind for r in store.stage_records(run)] == ["api_error", None]


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("gpt-4-turbo", "openai"),
        ("dall-e-3", "openai"),
        ("eleven_multilingual_v2", "elevenlabs"),
        ("elevenlabs:rachel", "elevenlabs"),
        ("piper:en_US-joe-medium", "local"),
        ("template", "local"),
        ("llama3.1:8b", "llama3.1"),
        ("mistral-7b", "other"),
    ],
)
def test_provider_of(model: str, provider: str) -> None:
    assert views.provider_of(model) == provider


def test_primary_of_reads_the_fallback_notes() -> None:
    assert views.primary_of("template", "gpt-4 failed: x; gpt-3.5-turbo skipped: y") == (
        "gpt-4",
        "template",
    )
    assert views.primary_of("gpt-4-0613", None) == ("gpt-4", None)
    assert views.primary_of("gpt-4", "something else entirely") == ("gpt-4", None)
