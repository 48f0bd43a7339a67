"""The real ``openai`` SDK against a real local server that speaks its API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.errors import one_line
from ytempire.providers.catalog import PRICES, cost_usd, local_spec
from ytempire.providers.openai_chat import (
    LOCAL_SERVER_KEY,
    chat_json,
    make_client,
)
from ytempire.resilience.errors import (
    CostExceeded,
    ErrorKind,
    InvalidOutput,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)

KEY = "sk-test-SECRETKEY0123456789abcdef"
MESSAGES = [
    {"role": "system", "content": "You answer with JSON."},
    {"role": "user", "content": "Write a script about tides (150 words)."},
]


@pytest.fixture(autouse=True)
def _no_ambient_openai_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_CUSTOM_HEADERS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer() as running:
        yield running


def test_success_costs_what_usage_reports(server: OpenAICompatibleServer) -> None:
    client = make_client(KEY, server.url, timeout_s=5)
    server.reported_model = "gpt-4-turbo-2024-04-09"
    call = chat_json(client, PRICES["gpt-4-turbo"], MESSAGES, temperature=0.2, max_tokens=900)

    sent = server.requests[0]
    assert sent.authorization == f"Bearer {KEY}"
    assert sent.model == "gpt-4-turbo"
    assert sent.messages == MESSAGES
    assert sent.body["response_format"] == {"type": "json_object"}
    assert (sent.body["temperature"], sent.body["max_tokens"]) == (0.2, 900)

    assert call.model == "gpt-4-turbo"
    assert call.reported_model == "gpt-4-turbo-2024-04-09"
    assert json.loads(call.text)["sections"]
    assert call.input_tokens > 0 and call.output_tokens > 0
    assert call.cost_usd == pytest.approx(
        cost_usd(PRICES["gpt-4-turbo"], call.input_tokens, call.output_tokens)
    )
    assert call.latency_ms >= 0
    assert call.finish_reason == "stop"


def test_local_server_needs_no_key(server: OpenAICompatibleServer) -> None:
    client = make_client(None, server.url, timeout_s=5)
    call = chat_json(client, local_spec("llama3"), MESSAGES)
    assert server.requests[0].authorization == f"Bearer {LOCAL_SERVER_KEY}"
    assert "max_tokens" not in server.requests[0].body
    assert call.cost_usd == 0.0


def test_sdk_variables_configure_the_client(
    server: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    chat_json(make_client(None, None, timeout_s=5), local_spec("llama3"), MESSAGES)
    assert server.requests[0].authorization == f"Bearer {KEY}"


def test_no_key_and_no_server_is_rejected() -> None:
    with pytest.raises(ProviderRejected, match="OPENAI_API_KEY"):
        make_client(None, None, timeout_s=5)


def test_sdk_retries_are_off(server: OpenAICompatibleServer) -> None:
    server.queue("500", "ok")
    with pytest.raises(ProviderUnavailable):
        chat_json(make_client(KEY, server.url, timeout_s=5), PRICES["gpt-4o"], MESSAGES)
    assert len(server.requests) == 1


def test_rate_limit_is_unavailable_with_retry_after(server: OpenAICompatibleServer) -> None:
    server.queue("429")
    with pytest.raises(ProviderUnavailable) as caught:
        chat_json(make_client(KEY, server.url, timeout_s=5), PRICES["gpt-4"], MESSAGES)
    assert caught.value.kind is ErrorKind.api_error
    assert caught.value.retry_after_s == 1.0
    assert caught.value.provider == "openai"
    assert "429" in str(caught.value) and "rate_limit_exceeded" in str(caught.value)


def test_retry_after_as_http_date(server: OpenAICompatibleServer) -> None:
    server.retry_after = "Wed, 21 Oct 2037 07:28:00 GMT"
    server.queue("429")
    with pytest.raises(ProviderUnavailable) as caught:
        chat_json(make_client(KEY, server.url, timeout_s=5), PRICES["gpt-4"], MESSAGES)
    assert caught.value.retry_after_s is not None and caught.value.retry_after_s > 3600


def test_exhausted_quota_is_cost_exceeded(server: OpenAICompatibleServer) -> None:
    server.queue("quota")
    with pytest.raises(CostExceeded) as caught:
        chat_json(make_client(KEY, server.url, timeout_s=5), PRICES["gpt-4"], MESSAGES)
    assert caught.value.kind is ErrorKind.cost_exceeded
    assert "insufficient_quota" in str(caught.value)


def test_server_error_is_unavailable(server: OpenAICompatibleServer) -> None:
    server.queue("500")
    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        chat_json(make_client(KEY, server.url, timeout_s=5), PRICES["gpt-4"], MESSAGES)


def test_bad_key_is_rejected_without_the_key(server: OpenAICompatibleServer) -> None:
    server.queue("401")
    with pytest.raises(ProviderRejected) as caught:
        chat_json(make_client(KEY, server.url, timeout_s=5), PRICES["gpt-4"], MESSAGES)
    error = caught.value
    assert error.kind is ErrorKind.rejected
    assert "401" in str(error) and "invalid_api_key" in str(error)
    # The server quoted the whole key back; none of it may reach our message or traceback.
    for text in (str(error), error.message, one_line(error), repr(error.args)):
        assert "SECRETKEY" not in text
        assert "\n" not in text
    assert error.__cause__ is None and error.__suppress_context__


def test_timeout_is_provider_timeout() -> None:
    with OpenAICompatibleServer(hang_s=5) as server:
        server.queue("timeout")
        client = make_client(KEY, server.url, timeout_s=0.5)
        with pytest.raises(ProviderTimeout) as caught:
            chat_json(client, PRICES["gpt-4"], MESSAGES)
        assert caught.value.kind is ErrorKind.model_timeout
        assert len(server.requests) == 1


def test_no_connection_is_unavailable() -> None:
    with OpenAICompatibleServer() as server:
        url = server.url
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        chat_json(make_client(KEY, url, timeout_s=2), PRICES["gpt-4"], MESSAGES)


def test_missing_usage_is_invalid_output(server: OpenAICompatibleServer) -> None:
    server.queue("no_usage")
    with pytest.raises(InvalidOutput, match="usage"):
        chat_json(make_client(KEY, server.url, timeout_s=5), PRICES["gpt-4"], MESSAGES)


def test_models_endpoint_lists_models(server: OpenAICompatibleServer) -> None:
    client = make_client(KEY, server.url, timeout_s=5)
    assert "gpt-4o" in [m.id for m in client.models.list()]
