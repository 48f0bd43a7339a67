"""The writer through the real SDK and a real local OpenAI-compatible server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.models import Topic, VideoJob
from ytempire.providers.catalog import PRICES, cost_usd, spec_for
from ytempire.providers.openai_chat import ChatCall, make_client
from ytempire.resilience.errors import InvalidOutput, ProviderUnavailable
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


@pytest.fixture
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer() as running:
        yield running


def _write(server: OpenAICompatibleServer, seen: list[ChatCall] | None = None) -> LLMScript:
    client = make_client("sk-test-key", server.url, timeout_s=5)
    return write_with_model(
        client, SPEC, JOB, TOPIC, PromptParams(), on_call=None if seen is None else seen.append
    )


def test_good_answer_takes_one_call(server: OpenAICompatibleServer) -> None:
    seen: list[ChatCall] = []
    result = _write(server, seen)
    assert len(server.requests) == 1 and result.calls == seen and len(seen) == 1
    assert result.score.score >= 0.7 and result.score.passed
    assert result.model_used == "gpt-4-turbo"
    assert result.draft.sections and result.draft.cta
    call = result.calls[0]
    assert result.cost_usd == pytest.approx(cost_usd(SPEC, call.input_tokens, call.output_tokens))
    assert server.requests[0].body["max_tokens"] == max_output_tokens(JOB, SPEC)


def test_garbage_is_repaired_once(server: OpenAICompatibleServer) -> None:
    server.queue("garbage", "ok")
    seen: list[ChatCall] = []
    result = _write(server, seen)
    assert len(server.requests) == 2 and len(seen) == 2
    repair = server.requests[1]
    assert "Sure! Here is a great script" in repair.text  # the bad answer is quoted back
    assert "no JSON object" in repair.text
    assert result.score.passed
    assert result.cost_usd == pytest.approx(sum(c.cost_usd for c in seen))


def test_garbage_twice_is_invalid_output(server: OpenAICompatibleServer) -> None:
    server.queue("garbage", "garbage", "ok")
    seen: list[ChatCall] = []
    with pytest.raises(InvalidOutput, match="after one repair"):
        _write(server, seen)
    assert len(server.requests) == 2 and len(seen) == 2


def test_low_quality_gets_one_improvement_with_feedback(server: OpenAICompatibleServer) -> None:
    server.queue("low_quality", "ok")
    seen: list[ChatCall] = []
    result = _write(server, seen)
    assert len(server.requests) == 2 and len(seen) == 2
    improvement = server.requests[1].messages
    assert [m["role"] for m in improvement] == ["system", "user", "assistant", "user"]
    assert json.loads(improvement[2]["content"])["title"] == "Notes"  # the weak draft
    assert "did not pass these quality checks" in improvement[3]["content"]
    assert "Flesch" in improvement[3]["content"]
    assert "subscribe" in improvement[3]["content"]
    assert result.draft.title != "Notes" and result.score.passed
    assert result.cost_usd == pytest.approx(sum(c.cost_usd for c in seen))


def test_the_better_draft_is_kept(server: OpenAICompatibleServer) -> None:
    server.queue("low_quality", "low_quality")
    result = _write(server)
    assert len(result.calls) == 2
    assert result.draft.title == "Notes" and result.score.score < 0.7


def test_an_unreadable_improvement_keeps_the_first_draft(server: OpenAICompatibleServer) -> None:
    server.queue("low_quality", "garbage", "garbage")
    seen: list[ChatCall] = []
    result = _write(server, seen)
    assert len(seen) == 3 and result.draft.title == "Notes"


def test_at_most_four_calls(server: OpenAICompatibleServer) -> None:
    server.queue("garbage", "low_quality", "garbage", "ok")
    seen: list[ChatCall] = []
    result = _write(server, seen)
    assert len(server.requests) == 4 and len(seen) == 4
    assert result.score.passed
    assert result.cost_usd == pytest.approx(sum(c.cost_usd for c in seen))
    assert all(c.cost_usd > 0 for c in seen)


def test_provider_errors_propagate(server: OpenAICompatibleServer) -> None:
    server.queue("low_quality", "429")
    seen: list[ChatCall] = []
    with pytest.raises(ProviderUnavailable):
        _write(server, seen)
    assert len(seen) == 1  # the first call was still reported for the analytics rows


def test_model_used_is_what_the_server_reports(server: OpenAICompatibleServer) -> None:
    server.reported_model = "gpt-4-turbo-2024-04-09"
    assert _write(server).model_used == "gpt-4-turbo-2024-04-09"


def test_token_budget_feeds_model_selection() -> None:
    prompt_tokens, output_cap = token_budget(JOB, TOPIC, PromptParams(), SPEC)
    assert 500 < prompt_tokens < 3000
    assert output_cap == max_output_tokens(JOB, SPEC)
    # The cap never exceeds what the model accepts; unknown (local) models get the plain cap.
    long_job = VideoJob(minutes=30)
    assert SPEC.max_output_tokens is not None
    assert max_output_tokens(long_job, SPEC) == SPEC.max_output_tokens
    assert max_output_tokens(long_job, spec_for("llama3")) > SPEC.max_output_tokens
