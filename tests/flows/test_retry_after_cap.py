"""A server's Retry-After is honoured up to ``YTEMPIRE_RETRY_AFTER_CAP_S``; past it the engine is
unavailable for this call and the next engine runs at once, the fallback line saying why.

The real ``openai`` SDK against the local OpenAI-compatible server, under Prefect.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from tests.flows.test_script_stage import KEY, TOPIC, script_only
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.models import VideoJob


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAICompatibleServer
) -> OpenAICompatibleServer:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    # Waits are honoured at 1/100 of what the server asks: 120 s would take 1.2 s.
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    return openai_server


def models_called(server: OpenAICompatibleServer) -> list[str | None]:
    return [r.model for r in server.requests if r.path.endswith("/chat/completions")]


def test_a_wait_past_the_cap_moves_to_the_next_engine_without_sleeping(
    env: OpenAICompatibleServer,
) -> None:
    env.retry_after = "120"  # over the default 60 s cap
    env.queue("429")
    started = time.perf_counter()
    script = script_only(VideoJob(topic=TOPIC.title), uuid.uuid4())
    assert time.perf_counter() - started < 30
    first = models_called(env)[0]
    assert models_called(env).count(first) == 1  # not retried: the next engine wrote
    assert script.engine != first
    (line,) = [f for f in script.fallbacks if f.startswith(f"{first} failed: ")]
    assert "HTTP 429" in line
    assert "asked to wait 120 s, over the 60 s Retry-After cap" in line
    assert line.endswith("[api_error]")


def test_a_wait_within_the_cap_is_honoured_and_the_same_engine_retried(
    env: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_RETRY_AFTER_CAP_S", "300")
    env.retry_after = "120"
    env.queue("429")
    started = time.perf_counter()
    script = script_only(VideoJob(topic=TOPIC.title), uuid.uuid4())
    assert time.perf_counter() - started >= 1.2  # 120 s × the test's 0.01 scale
    first = models_called(env)[0]
    assert models_called(env)[:2] == [first, first]
    assert script.engine == first and not [f for f in script.fallbacks if first in f]
