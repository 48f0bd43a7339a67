"""The script stage over several local servers of one model: videos take turns between them,
and a server that fails is passed over for the other one within the same stage. Two real
OpenAI-compatible test servers, the real SDK, the stage under Prefect."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.flows.test_script_stage import TOPIC, script_only
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import VideoJob
from ytempire.providers.endpoints import Endpoint
from ytempire.providers.spread import breaker_name
from ytempire.resilience.breakers import Breakers
from ytempire.settings import Settings

MODEL = "smol-spread"


@pytest.fixture
def servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, OpenAICompatibleServer]]:
    with OpenAICompatibleServer() as one, OpenAICompatibleServer() as two:
        # Names of this test's own: the process keeps each endpoint's load by name.
        named = {f"spread-{uuid.uuid4().hex[:8]}-{i}": s for i, s in enumerate((one, two))}
        configured = [
            {"name": name, "base_url": server.url, "kind": "local", "models": [MODEL]}
            for name, server in named.items()
        ]
        for server in named.values():
            server.models = [MODEL]
        monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
        monkeypatch.setenv("YTEMPIRE_ENDPOINTS", json.dumps(configured))
        monkeypatch.setenv("YTEMPIRE_SCRIPT_PRIMARY_MODEL", MODEL)
        monkeypatch.setenv("YTEMPIRE_SCRIPT_FALLBACK_MODEL", "")
        monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
        yield named


def script_requests(server: OpenAICompatibleServer) -> int:
    return sum("Primary keyword" in r.text for r in server.requests if r.method == "POST")


def test_videos_take_turns_between_the_servers_of_their_model(
    servers: dict[str, OpenAICompatibleServer],
) -> None:
    first, second = servers.values()
    for _ in range(2):
        script = script_only(VideoJob(topic=TOPIC.title), uuid.uuid4())
        assert script.engine == MODEL
    assert (script_requests(first), script_requests(second)) == (1, 1)


def test_a_failing_server_is_passed_over_for_the_other_in_the_same_stage(
    servers: dict[str, OpenAICompatibleServer],
) -> None:
    (down_name, down), (_, up) = servers.items()
    down.default = "500"
    script = script_only(VideoJob(topic=TOPIC.title), uuid.uuid4())
    assert script.engine == MODEL
    assert script_requests(down) == 1
    assert script_requests(up) == 1
    breakers = Breakers(AnalyticsStore(Settings().analytics_url))
    down_endpoint = Endpoint(name=down_name, base_url=down.url, kind="local", models=[MODEL])
    counted = breakers.store.breaker(breaker_name(down_endpoint))
    assert counted is not None and counted.failures == 1
