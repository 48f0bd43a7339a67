"""The real ``openai`` SDK's images API against a real local server that speaks it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.errors import one_line
from ytempire.providers import dalle
from ytempire.providers.openai_chat import LOCAL_SERVER_KEY, make_client
from ytempire.resilience.errors import (
    CostExceeded,
    ErrorKind,
    InvalidOutput,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    Unpriced,
)

KEY = "sk-test-IMAGEKEY0123456789abcdef"
PROMPT = "A vivid picture of a black hole, no text"


@pytest.fixture(autouse=True)
def _no_ambient_openai_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_CUSTOM_HEADERS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer(hang_s=3) as running:
        yield running


def test_a_picture_is_written_as_png_and_costs_the_list_price(
    server: OpenAICompatibleServer, tmp_path: Path
) -> None:
    client = make_client(KEY, server.url, timeout_s=10)
    call = dalle.generate_image(client, PROMPT, tmp_path / "hero.png")

    (sent,) = server.image_requests
    assert sent.authorization == f"Bearer {KEY}"
    assert sent.body == {
        "model": "dall-e-3",
        "prompt": PROMPT,
        "size": "1792x1024",
        "quality": "standard",
        "n": 1,
        "response_format": "b64_json",
    }
    assert server.requests == []  # the chat record is untouched
    with Image.open(tmp_path / "hero.png") as image:
        assert image.format == "PNG" and image.size == (1792, 1024)
    assert (call.width, call.height) == (1792, 1024)
    assert call.path == tmp_path / "hero.png"
    assert call.cost_usd == pytest.approx(0.08)
    assert call.revised_prompt and PROMPT in call.revised_prompt
    assert call.latency_ms >= 0


def test_prices_follow_size_and_quality(server: OpenAICompatibleServer, tmp_path: Path) -> None:
    client = make_client(KEY, server.url, timeout_s=10)
    square = dalle.generate_image(client, PROMPT, tmp_path / "a.png", size="1024x1024")
    hd = dalle.generate_image(client, PROMPT, tmp_path / "b.png", quality="hd")
    assert (square.cost_usd, hd.cost_usd) == (pytest.approx(0.04), pytest.approx(0.12))
    assert server.image_requests[1].body["quality"] == "hd"
    assert dalle.price_usd("dall-e-3", "standard", "1024x1792") == 0.08
    # A model without a price is never asked for a picture...
    with pytest.raises(Unpriced, match="no price for sdxl-turbo"):
        dalle.generate_image(client, PROMPT, tmp_path / "c.png", model="sdxl-turbo")
    assert len(server.image_requests) == 2
    # ...unless it runs on a local server, where it is free (the settings say which).
    local = dalle.generate_image(
        client, PROMPT, tmp_path / "c.png", model="sdxl-turbo", unit_price_usd=0.0
    )
    assert local.cost_usd == 0.0
    assert dalle.price_usd("sdxl-turbo", "standard", "1024x1024") == 0.0  # never called: $0


def test_a_local_server_needs_no_key(server: OpenAICompatibleServer, tmp_path: Path) -> None:
    dalle.generate_image(make_client(None, server.url, 10), PROMPT, tmp_path / "x.png")
    assert server.image_requests[0].authorization == f"Bearer {LOCAL_SERVER_KEY}"


@pytest.mark.parametrize(
    ("behaviour", "error", "kind"),
    [
        ("429", ProviderUnavailable, ErrorKind.api_error),
        ("500", ProviderUnavailable, ErrorKind.api_error),
        ("quota", CostExceeded, ErrorKind.cost_exceeded),
        ("401", ProviderRejected, ErrorKind.rejected),
        ("content_policy", ProviderRejected, ErrorKind.rejected),
        ("timeout", ProviderTimeout, ErrorKind.model_timeout),
        ("not_image", InvalidOutput, ErrorKind.invalid_output),
        ("no_data", InvalidOutput, ErrorKind.invalid_output),
    ],
)
def test_failures_are_translated_one_line_without_the_key(
    server: OpenAICompatibleServer,
    tmp_path: Path,
    behaviour: str,
    error: type[Exception],
    kind: ErrorKind,
) -> None:
    server.queue_images(behaviour)
    client = make_client(KEY, server.url, timeout_s=0.5)
    with pytest.raises(error) as caught:
        dalle.generate_image(client, PROMPT, tmp_path / "x.png")
    exc = caught.value
    assert getattr(exc, "kind", None) is kind
    assert getattr(exc, "provider", None) == "dalle"
    message = one_line(exc)
    assert str(exc) == message and KEY not in message
    # Nothing of the SDK's (which may quote the key) is chained to our error.
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
    assert not (tmp_path / "x.png").exists()
    assert len(server.image_requests) == 1  # the SDK's own retries are off


def test_messages_say_what_happened(server: OpenAICompatibleServer, tmp_path: Path) -> None:
    client = make_client(KEY, server.url, timeout_s=5)
    server.queue_images("content_policy", "429", "401")
    messages = []
    for _ in range(3):
        with pytest.raises(Exception) as caught:
            dalle.generate_image(client, PROMPT, tmp_path / "x.png")
        messages.append(str(caught.value))
    assert "HTTP 400 (content_policy_violation)" in messages[0]
    assert "safety system" in messages[0]
    assert "HTTP 429" in messages[1]
    assert "HTTP 401" in messages[2] and "***" in messages[2]
    server.queue_images("429")
    with pytest.raises(ProviderUnavailable) as caught:
        dalle.generate_image(client, PROMPT, tmp_path / "x.png")
    assert caught.value.retry_after_s == 1.0


def test_the_prompt_is_capped_at_the_models_limit(
    server: OpenAICompatibleServer, tmp_path: Path
) -> None:
    client = make_client(KEY, server.url, timeout_s=10)
    dalle.generate_image(client, "x" * 5000, tmp_path / "x.png")
    assert len(server.image_requests[0].body["prompt"]) == dalle.MAX_PROMPT_CHARS
