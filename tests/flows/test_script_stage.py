"""The script stage under Prefect: retries by error kind, fallbacks, recorded model and cost.

The real ``openai`` SDK talks over HTTP to a local OpenAI-compatible server that fails on
command; nothing of ours is patched.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from prefect import flow

from tasks.script import write_script
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Script, Topic, VideoJob
from ytempire.providers import catalog
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

KEY = "sk-test-THISKEYMUSTNEVERLEAK0123456789"
TOPIC = Topic(
    engine="requested",
    title="How black holes evaporate",
    keywords=["hawking radiation", "event horizon", "black holes evaporate"],
    reason="test",
)


@flow
def script_only(job: VideoJob, run_id: uuid.UUID) -> Script:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return write_script(job, TOPIC, settings, run_id)


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAICompatibleServer
) -> OpenAICompatibleServer:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    monkeypatch.setenv("YTEMPIRE_SCRIPT_TIMEOUT_S", "0.5")
    # Room for gpt-4-turbo's worst case (4 attempts × 6 calls, about $1.07 for a 1-minute
    # script): the default $0.50 skips it (tests/flows/test_costs.py).
    monkeypatch.setenv("YTEMPIRE_VIDEO_BUDGET_USD", "5")
    openai_server.hang_s = 3
    return openai_server


def run(job: VideoJob | None = None) -> tuple[Script, AnalyticsStore, uuid.UUID]:
    run_id = uuid.uuid4()
    script = script_only(job or VideoJob(topic=TOPIC.title), run_id)
    return script, AnalyticsStore(Settings().analytics_url), run_id


def models_called(server: OpenAICompatibleServer) -> list[str | None]:
    return [r.model for r in server.requests if r.path.endswith("/chat/completions")]


def test_primary_model_writes_the_script_and_usage_is_the_cost(
    env: OpenAICompatibleServer,
) -> None:
    env.reported_model = "gpt-4-turbo-2024-04-09"
    script, store, run_id = run()
    assert models_called(env) == ["gpt-4-turbo"]
    assert env.requests[0].authorization == f"Bearer {KEY}"
    assert script.engine == "gpt-4-turbo-2024-04-09"
    (call,) = store.model_calls("script_generation")
    assert call.model_name == "gpt-4-turbo-2024-04-09"
    (usage,) = env.usages
    assert call.tokens_used == usage["total_tokens"]
    spec = catalog.spec_for("gpt-4-turbo")
    expected = catalog.cost_usd(spec, usage["prompt_tokens"], usage["completion_tokens"])
    assert script.cost_usd == pytest.approx(expected, abs=1e-6)  # the ledger keeps millionths
    assert call.cost_cents == round(expected * 100)
    (event,) = store.events(run_id)
    assert event.model_used == "gpt-4-turbo-2024-04-09"
    assert event.status == "completed" and event.error_message is None
    assert script.quality_score is not None


def test_rate_limit_is_retried_after_the_servers_wait(env: OpenAICompatibleServer) -> None:
    env.queue("429", "ok")
    script, _, _ = run()
    assert models_called(env) == ["gpt-4-turbo", "gpt-4-turbo"]
    assert script.engine == "gpt-4-turbo"
    assert script.fallbacks == []


def test_provider_failing_every_call_gets_bounded_attempts_then_template(
    env: OpenAICompatibleServer,
) -> None:
    env.default = "500"
    script, store, run_id = run()
    calls = models_called(env)
    # The fifth failure in a row opens the openai circuit breaker: no more retries.
    assert calls == ["gpt-4-turbo"] * 4 + ["gpt-3.5-turbo"]
    assert script.engine == "template"
    assert [f.split(" failed")[0] for f in script.fallbacks] == ["gpt-4-turbo", "gpt-3.5-turbo"]
    assert "openai circuit opened after 5 failures" in script.fallbacks[1]
    (event,) = store.events(run_id)
    assert event.model_used == "template"
    assert "gpt-4-turbo failed" in (event.error_message or "")
    assert KEY not in (event.error_message or "")


def test_timeouts_are_retried_then_the_fallback_model_writes(
    env: OpenAICompatibleServer,
) -> None:
    env.queue("timeout", "timeout", "timeout", "timeout")
    script, _, _ = run()
    assert models_called(env) == ["gpt-4-turbo"] * 4 + ["gpt-3.5-turbo"]
    assert script.engine == "gpt-3.5-turbo"
    assert "timed out" in script.fallbacks[0] or "timeout" in script.fallbacks[0].lower()


def test_garbage_is_repaired_once_then_counts_as_that_models_failure(
    env: OpenAICompatibleServer,
) -> None:
    env.queue("garbage", "garbage", "ok")
    script, _, _ = run()
    assert models_called(env) == ["gpt-4-turbo", "gpt-4-turbo", "gpt-3.5-turbo"]
    assert script.engine == "gpt-3.5-turbo"


@pytest.mark.parametrize("behaviour", ["401", "quota"])
def test_rejections_and_exhausted_quota_are_not_retried(
    env: OpenAICompatibleServer, behaviour: str
) -> None:
    env.queue(behaviour)
    script, _, _ = run()
    assert models_called(env) == ["gpt-4-turbo", "gpt-3.5-turbo"]
    assert script.engine == "gpt-3.5-turbo"
    assert KEY not in " ".join(script.fallbacks)


def test_a_weak_script_is_regenerated_with_the_suites_failures_as_feedback(
    env: OpenAICompatibleServer,
) -> None:
    env.queue("low_quality", "ok")
    script, store, _ = run()
    assert models_called(env) == ["gpt-4-turbo", "gpt-4-turbo"]
    assert "script readability = " in env.requests[1].text
    assert len(store.model_calls("script_generation")) == 2
    assert script.quality_score == 1.0 and script.engine == "gpt-4-turbo"


def test_scripts_failing_quality_after_two_regenerations_fall_back_to_the_template(
    env: OpenAICompatibleServer,
) -> None:
    env.default = "low_quality"
    script, store, run_id = run()
    # Seed §5.1: a draft and two regenerations, no blind retries; then the template, not
    # another model.
    assert models_called(env) == ["gpt-4-turbo"] * 3
    assert script.engine == "template"
    first, second = script.fallbacks
    assert first.startswith("gpt-4-turbo failed: ") and first.endswith("[quality_failure]")
    assert "no script passed the script suite after 2 regenerations" in first
    assert second.startswith("gpt-3.5-turbo skipped: after a quality failure")
    (event,) = store.events(run_id)
    assert "gpt-4-turbo failed" in (event.error_message or "")
    assert len(store.model_calls("script_generation")) == 3


def test_a_model_over_the_cost_limit_is_skipped_before_any_call(
    env: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_SCRIPT_MAX_COST_USD", "0.01")
    script, _, _ = run()
    assert models_called(env) == ["gpt-3.5-turbo"]
    assert script.engine == "gpt-3.5-turbo"
    assert script.fallbacks[0].startswith("gpt-4-turbo skipped: estimated $")


def test_no_key_and_no_server_means_the_template_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    script, store, _ = run()
    assert script.engine == "template" and script.fallbacks == []
    assert store.model_calls() == []


def test_the_jobs_style_tone_and_audience_reach_the_prompt(env: OpenAICompatibleServer) -> None:
    job = VideoJob(
        topic=TOPIC.title,
        style="diagrams over stock footage",
        tone="curious and calm, no hype",
        audience="retired engineers",
    )
    run(job)
    prompt = env.requests[0].text
    assert "Style: diagrams over stock footage" in prompt
    assert "Tone: curious and calm, no hype" in prompt
    assert "Audience: retired engineers" in prompt
    assert "conversational" not in prompt and "new to the subject" not in prompt
