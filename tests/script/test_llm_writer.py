"""The writer through the real SDK and a real local OpenAI-compatible server."""

from __future__ import annotations

import json

import pytest

from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.models import Topic, VideoJob
from ytempire.providers.catalog import PRICES, cost_usd, local_spec
from ytempire.providers.openai_chat import ChatCall, make_client
from ytempire.quality.suites import Suite
from ytempire.resilience.errors import ErrorKind, InvalidOutput, ProviderUnavailable, QualityFailure
from ytempire.script.llm_writer import (
    LLMScript,
    max_output_tokens,
    token_budget,
    write_with_model,
)
from ytempire.script.prompts import PromptParams

TOPIC = Topic(
    engine="test",
    title="How black holes evaporate",
    keywords=["hawking radiation", "event horizon"],
    reason="trending",
)
JOB = VideoJob(minutes=1)
SPEC = PRICES["gpt-4-turbo"]


def _write(
    server: OpenAICompatibleServer, suite: Suite, seen: list[ChatCall] | None = None
) -> LLMScript:
    client = make_client("sk-test-key", server.url, timeout_s=5)
    return write_with_model(
        client,
        SPEC,
        JOB,
        TOPIC,
        PromptParams(),
        script_suite=suite,
        on_call=None if seen is None else seen.append,
    )


def test_good_answer_takes_one_call(server: OpenAICompatibleServer, script_suite: Suite) -> None:
    seen: list[ChatCall] = []
    result = _write(server, script_suite, seen)
    assert len(server.requests) == 1 and result.calls == seen and len(seen) == 1
    assert result.quality_score == 1.0 and all(c.passed for c in result.checks)
    assert {c.name for c in result.checks} == {
        "readability",
        "engagement",
        "length_ratio",
        "keyword_density",
    }
    assert result.model_used == "gpt-4-turbo"
    assert result.draft.sections and result.draft.cta
    call = result.calls[0]
    assert result.cost_usd == pytest.approx(cost_usd(SPEC, call.input_tokens, call.output_tokens))
    assert server.requests[0].body["max_tokens"] == max_output_tokens(JOB, SPEC)


def test_garbage_is_repaired_once(server: OpenAICompatibleServer, script_suite: Suite) -> None:
    server.queue("garbage", "ok")
    seen: list[ChatCall] = []
    result = _write(server, script_suite, seen)
    assert len(server.requests) == 2 and len(seen) == 2
    repair = server.requests[1]
    assert "Sure! Here is a great script" in repair.text  # the bad answer is quoted back
    assert "no JSON object" in repair.text
    assert result.quality_score == 1.0
    assert result.cost_usd == pytest.approx(sum(c.cost_usd for c in seen))


def test_garbage_twice_is_invalid_output(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    server.queue("garbage", "garbage", "ok")
    seen: list[ChatCall] = []
    with pytest.raises(InvalidOutput, match="after one repair"):
        _write(server, script_suite, seen)
    assert len(server.requests) == 2 and len(seen) == 2


def test_a_too_short_script_is_regenerated_with_the_suites_failures(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    server.queue("low_quality", "ok")
    seen: list[ChatCall] = []
    result = _write(server, script_suite, seen)
    assert len(server.requests) == 2 and len(seen) == 2
    again = server.requests[1].messages
    assert [m["role"] for m in again] == ["system", "user", "assistant", "user"]
    assert json.loads(again[2]["content"])["title"] == "Notes"  # the weak draft
    feedback = again[3]["content"]
    assert "did not pass these quality checks" in feedback
    # Each failed check of the suite, with its expectation and recommendation.
    assert "script length_ratio = " in feedback and "(target 150)" in feedback
    assert "readability ≥ 0.6" in feedback and "Flesch reading ease" in feedback
    assert "subscribe" in feedback and '"hawking radiation"' in feedback
    assert result.draft.title != "Notes" and result.quality_score == 1.0
    assert result.cost_usd == pytest.approx(sum(c.cost_usd for c in seen))


def test_a_script_failing_after_two_regenerations_is_a_quality_failure(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    server.default = "low_quality"
    seen: list[ChatCall] = []
    with pytest.raises(QualityFailure) as caught:
        _write(server, script_suite, seen)
    assert len(server.requests) == 3 == len(seen)  # the draft and two regenerations
    assert caught.value.kind is ErrorKind.quality_failure
    assert "after 2 regenerations" in str(caught.value) and "length_ratio" in str(caught.value)
    assert "\n" not in str(caught.value)
    # The second regeneration was told what the first one still got wrong.
    assert "did not pass these quality checks" in server.requests[2].messages[-1]["content"]


def test_an_unreadable_regeneration_counts_as_an_attempt(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    server.queue("low_quality", "garbage", "garbage", "ok")
    seen: list[ChatCall] = []
    result = _write(server, script_suite, seen)
    # Draft, regeneration + its repair (both garbage), second regeneration from the draft.
    assert len(seen) == 4 and result.quality_score == 1.0
    assert json.loads(server.requests[3].messages[2]["content"])["title"] == "Notes"


def test_at_most_six_calls(server: OpenAICompatibleServer, script_suite: Suite) -> None:
    server.queue("garbage", "low_quality", "garbage", "low_quality", "garbage", "low_quality")
    seen: list[ChatCall] = []
    with pytest.raises(QualityFailure):
        _write(server, script_suite, seen)
    assert len(server.requests) == 6 == len(seen)
    assert all(c.cost_usd > 0 for c in seen)


def test_provider_errors_propagate(server: OpenAICompatibleServer, script_suite: Suite) -> None:
    server.queue("low_quality", "429")
    seen: list[ChatCall] = []
    with pytest.raises(ProviderUnavailable):
        _write(server, script_suite, seen)
    assert len(seen) == 1  # the first call was still reported for the analytics rows


def test_model_used_is_what_the_server_reports(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    server.reported_model = "gpt-4-turbo-2024-04-09"
    assert _write(server, script_suite).model_used == "gpt-4-turbo-2024-04-09"


def test_token_budget_feeds_model_selection() -> None:
    prompt_tokens, output_cap = token_budget(JOB, TOPIC, PromptParams(), SPEC)
    assert 500 < prompt_tokens < 3000
    assert output_cap == max_output_tokens(JOB, SPEC)
    # The cap never exceeds what the model accepts; unknown (local) models get the plain cap.
    long_job = VideoJob(minutes=30)
    assert SPEC.max_output_tokens is not None
    assert max_output_tokens(long_job, SPEC) == SPEC.max_output_tokens
    assert max_output_tokens(long_job, local_spec("llama3")) > SPEC.max_output_tokens
