"""Budgets: worst cases refused before a call, actual costs reported after it, spend so far per
video (its cost ledger, across runs) and per provider per UTC day (the store's model calls)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, StageRecord
from ytempire.resilience import budgets
from ytempire.resilience.budgets import Budgets
from ytempire.settings import Settings
from ytempire.voice import elevenlabs_tts, google_tts

VIDEO = "5f0c1a52-9d7e-4a43-8a0e-3f1f4b2c9e11"
LIMITS = Budgets(video_usd=0.50, video_alert_usd=0.45, provider_budgets_usd={"openai": 1.0})


def over(estimate: float, video: float = 0.0, day: float = 0.0) -> budgets.Crossing | None:
    return budgets.over(
        LIMITS, VIDEO, "openai", estimate, video_spent_usd=video, provider_spent_usd=day
    )


def test_an_estimate_within_both_budgets_passes() -> None:
    assert over(0.10, video=0.30, day=0.80) is None
    assert over(0.20, video=0.30) is None  # exactly at the budget is within it
    assert over(0.0, video=0.90, day=5.0) is None  # a free call always passes


def test_an_estimate_over_the_video_budget_is_refused_first() -> None:
    line = over(0.25, video=0.30, day=5.0)
    assert line is not None
    assert (line.rule, line.subject, line.threshold) == ("cost_exceeded", VIDEO, 0.50)
    assert line.value == pytest.approx(0.55)
    assert line.message == "estimated $0.2500 over the $0.2000 left of the video's $0.50 budget"


def test_the_worst_case_is_attempts_times_calls_and_the_reason_says_so() -> None:
    worst = budgets.WorstCase(per_call_usd=0.0446, calls=6, attempts=4)
    assert worst.usd == pytest.approx(1.0704)
    assert over(0.0446, video=0.10) is None  # one call would fit
    line = over(worst, video=0.10)  # type: ignore[arg-type]
    assert line is not None
    assert line.message == (
        "worst case $1.0704 = 4 attempts × 6 calls × $0.0446 over the $0.4000 left of the "
        "video's $0.50 budget"
    )
    assert line.value == pytest.approx(1.1704)
    one = budgets.WorstCase(0.08, attempts=4)
    assert one.describe() == "worst case $0.3200 = 4 attempts × 1 call × $0.0800"


def test_an_estimate_over_the_providers_day_is_refused() -> None:
    line = over(0.08, video=0.10, day=0.95)
    assert line is not None
    assert (line.subject, line.threshold, line.value) == ("openai", 1.0, 1.03)
    assert "openai's spend today to $1.0300, over its $1.00 daily budget" in line.message
    # A provider without its own budget has the default one.
    assert LIMITS.daily_for("google") == 100.0


def test_a_long_narration_is_over_the_video_budget_on_elevenlabs_only() -> None:
    characters = 3_933  # about five minutes of speech
    eleven = budgets.speech_estimate_usd(characters, elevenlabs_tts.PRICE_PER_1K_CHARS)
    google = budgets.speech_estimate_usd(characters, google_tts.PRICE_PER_1K_CHARS)
    assert eleven == pytest.approx(0.59, abs=0.001)
    assert over(eleven) is not None
    assert over(google) is None


def test_actual_costs_report_each_line_once_when_crossed() -> None:
    def crossed(before: float, after: float, day_before: float = 0, day_after: float = 0) -> list:
        return [
            (c.rule, c.subject)
            for c in budgets.crossings(
                LIMITS,
                VIDEO,
                "openai",
                video_before_usd=before,
                video_after_usd=after,
                provider_before_usd=day_before,
                provider_after_usd=day_after,
            )
        ]

    assert crossed(0.30, 0.44) == []
    assert crossed(0.30, 0.46) == [("cost_per_video", VIDEO)]
    assert crossed(0.46, 0.48) == []  # already over the alert line: said before
    assert crossed(0.40, 0.55) == [("cost_per_video", VIDEO), ("cost_exceeded", VIDEO)]
    assert crossed(0.10, 0.20, day_before=0.9, day_after=1.1) == [("cost_exceeded", "openai")]
    assert crossed(0.10, 0.20, day_before=1.1, day_after=1.2) == []


def test_a_videos_spend_is_its_ledger_across_all_its_runs(store: AnalyticsStore) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    ledger = Ledger(store)
    video, other = uuid.uuid4().hex, uuid.uuid4().hex

    def paid(video_id: str, run: uuid.UUID, which: Stage, usd: float) -> None:
        ledger.record(
            video_id, run, which, "x", kind="call", quantity=1, unit="calls", cost_usd=usd
        )

    paid(video, first, Stage.script, 0.04)  # the first run paid for its script, then crashed
    paid(video, second, Stage.voice, 0.21)  # the re-run resumed the script: no new row
    paid(other, second, Stage.script, 0.30)
    # The stage records of the re-run say nothing of the first run's $0.04.
    now = datetime.now(UTC)
    store.record_stage(
        second,
        StageRecord(stage=Stage.script, status="resumed", started_at=now, completed_at=now),
    )
    assert budgets.video_spent(store, video) == pytest.approx(0.25)
    assert budgets.video_spent(store, uuid.uuid4().hex) == 0.0


def test_a_providers_spend_today_counts_its_calls_since_midnight_utc(
    store: AnalyticsStore,
) -> None:
    # A day of its own, so rows other tests wrote to a shared database do not count.
    now = datetime(2031, 3, 14, 15, 0, tzinfo=UTC)
    calls = [
        ("gpt-4-turbo-2024-04-09", 0.12, now - timedelta(hours=2)),
        ("dall-e-3", 0.08, now - timedelta(hours=1)),  # images are billed by OpenAI too
        ("gpt-3.5-turbo", 0.50, now - timedelta(hours=16)),  # yesterday (UTC)
        ("elevenlabs:eleven_multilingual_v2", 0.30, now - timedelta(minutes=5)),
        ("gpt-4o", 0.70, now + timedelta(minutes=5)),  # after `now`
    ]
    for model, usd, when in calls:
        store.record_model_call(
            model, "x", latency_ms=1, tokens_used=1, cost_usd=usd, timestamp=when
        )
    assert budgets.provider_spent_today(store, "openai", now) == pytest.approx(0.20)
    assert budgets.provider_spent_today(store, "elevenlabs", now) == pytest.approx(0.30)
    assert budgets.provider_spent_today(store, "google", now) == 0.0


def test_the_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Budgets.from_settings(Settings()) == Budgets()  # the seed's figures by default
    monkeypatch.setenv("YTEMPIRE_VIDEO_BUDGET_USD", "0.8")
    monkeypatch.setenv("YTEMPIRE_ALERT_COST_PER_VIDEO_USD", "0.7")
    monkeypatch.setenv("YTEMPIRE_PROVIDER_BUDGETS_USD", '{"elevenlabs": 5}')
    limits = Budgets.from_settings(Settings())
    assert (limits.video_usd, limits.video_alert_usd) == (0.8, 0.7)
    assert (limits.daily_for("elevenlabs"), limits.daily_for("openai")) == (5, 100)
