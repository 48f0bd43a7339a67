"""Chat completions through the official ``openai`` SDK: the one module that imports it.

Any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio) works through the base
URL. The SDK's own retries are off: the orchestration layer retries and falls back, so a
429 must reach it at once rather than after the SDK's hidden backoff. Every SDK failure
leaves here as one of ``ytempire.resilience.errors``, with a one-line message that never
contains the API key.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import openai
from openai import OpenAI
from pydantic import BaseModel, Field

from ytempire import redact
from ytempire.providers.catalog import ModelSpec, cost_usd
from ytempire.providers.endpoints import SchemaForm, response_format
from ytempire.resilience import retry_after
from ytempire.resilience.errors import (
    CostExceeded,
    InvalidOutput,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.chat.completion_create_params import ResponseFormat

PROVIDER = "openai"
# Local servers ignore the key, but the SDK refuses to start without one.
LOCAL_SERVER_KEY = "no-key-needed"


class ChatCall(BaseModel):
    """One completed chat call, as the analytics rows record it."""

    model: str = Field(description="the model asked for")
    reported_model: str = Field(description="the model the server says answered")
    text: str
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    latency_ms: int = Field(ge=0)
    cost_usd: float = Field(ge=0)
    finish_reason: str | None = None
    structured: bool = Field(
        default=False, description="asked with a JSON schema (constrained decoding)"
    )


def make_client(api_key: str | None, base_url: str | None, timeout_s: float) -> OpenAI:
    """An SDK client with its retries off and every request bounded by ``timeout_s``.

    ``None`` leaves a value to the SDK's own variables (``OPENAI_API_KEY``,
    ``OPENAI_BASE_URL``). With a base URL and no key anywhere, a placeholder key is sent,
    because local servers need none. With neither, raises ``ProviderRejected``.
    """
    has_url = bool(base_url or os.environ.get("OPENAI_BASE_URL"))
    key = api_key or os.environ.get("OPENAI_API_KEY")
    if not key:
        if not has_url:
            raise ProviderRejected(
                PROVIDER, "no API key: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server"
            )
        key = LOCAL_SERVER_KEY
    return OpenAI(api_key=key, base_url=base_url, timeout=timeout_s, max_retries=0)


def chat_json(
    client: OpenAI,
    spec: ModelSpec,
    messages: list[dict[str, str]],
    *,
    temperature: float = 0.7,
    max_tokens: int | None = None,
    schema: dict[str, Any] | None = None,
    schema_form: SchemaForm = "json_schema",
    timeout_s: float | None = None,
) -> ChatCall:
    """Ask ``spec``'s model for a JSON object; return its text, token usage and cost.

    With ``schema``, the request's ``response_format`` carries it in ``schema_form`` (servers
    with grammar-based decoding then cannot answer anything of another shape); without it,
    ``json_object``. ``timeout_s`` overrides the client's timeout for this call.

    The text is not parsed here. Cost is computed from the usage the server reports; an
    answer without usage, without choices or with empty content raises ``InvalidOutput``.
    SDK errors are translated: rate limit → ``ProviderUnavailable`` (with the server's
    Retry-After), exhausted quota → ``CostExceeded``, timeout → ``ProviderTimeout``, 5xx or
    no connection → ``ProviderUnavailable``, other 4xx → ``ProviderRejected``.
    """
    started = time.perf_counter()
    try:
        response = client.chat.completions.create(
            model=spec.name,
            messages=cast("list[ChatCompletionMessageParam]", messages),
            temperature=temperature,
            response_format=cast("ResponseFormat", response_format(schema, schema_form)),
            max_tokens=max_tokens if max_tokens is not None else openai.omit,
            timeout=timeout_s if timeout_s is not None else openai.NOT_GIVEN,
        )
    except openai.OpenAIError as exc:
        # `from None`: the SDK's own message may quote the key (some servers echo it), and
        # tracebacks print the chained exception. Ours carries what is worth knowing.
        raise translate_error(exc, spec.name, secret=client.api_key) from None
    latency_ms = round((time.perf_counter() - started) * 1000)

    if not response.choices:
        raise InvalidOutput(PROVIDER, f"{spec.name}: the answer has no choices")
    choice = response.choices[0]
    text = choice.message.content
    if not text or not text.strip():
        refusal = choice.message.refusal
        why = f"refused: {redact.line(refusal, [client.api_key])}" if refusal else "empty content"
        raise InvalidOutput(PROVIDER, f"{spec.name}: {why}")
    usage = response.usage
    if usage is None:
        raise InvalidOutput(
            PROVIDER, f"{spec.name}: the answer reports no token usage, so its cost is unknown"
        )
    return ChatCall(
        model=spec.name,
        reported_model=response.model or spec.name,
        text=text,
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        latency_ms=latency_ms,
        cost_usd=cost_usd(spec, usage.prompt_tokens, usage.completion_tokens),
        finish_reason=choice.finish_reason,
        structured=schema is not None,
    )


def translate_error(exc: openai.OpenAIError, model: str, *, secret: str = "") -> ProviderError:
    """The ``ytempire.resilience.errors`` equivalent of an SDK error, with a one-line message."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout(PROVIDER, f"{model}: no answer before the client's timeout")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f": {redact.line(str(cause), [secret])}" if cause else ""
        return ProviderUnavailable(PROVIDER, f"{model}: cannot reach the server{detail}")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        reason = redact.line(_body_message(exc) or exc.message, [secret])
        message = f"{model}: HTTP {status}" + (f" ({exc.code})" if exc.code else "")
        message += f": {reason}" if reason else ""
        if status == 429:
            if _is_quota(exc):
                return CostExceeded(PROVIDER, message)
            return ProviderUnavailable(PROVIDER, message, retry_after_s=retry_after.of_error(exc))
        if status == 408:
            return ProviderTimeout(PROVIDER, message)
        if status >= 500:
            return ProviderUnavailable(PROVIDER, message, retry_after_s=retry_after.of_error(exc))
        return ProviderRejected(PROVIDER, message)
    if isinstance(exc, openai.APIResponseValidationError):
        return InvalidOutput(PROVIDER, f"{model}: the answer does not match the API's schema")
    # Anything else is the SDK refusing before a request (configuration): retrying can't help.
    return ProviderRejected(PROVIDER, f"{model}: {redact.line(str(exc), [secret])}")


def _body_message(exc: openai.APIStatusError) -> str | None:
    # The SDK unwraps OpenAI's {"error": {...}} envelope into `body`.
    body = exc.body
    if isinstance(body, Mapping):
        message = body.get("message")
        return message if isinstance(message, str) else None
    return body if isinstance(body, str) else None


def _is_quota(exc: openai.APIStatusError) -> bool:
    """Whether a 429 means the account is out of credit (not worth retrying) rather than busy."""
    if exc.code == "insufficient_quota" or exc.type == "insufficient_quota":
        return True
    return "insufficient_quota" in str(exc.body)
