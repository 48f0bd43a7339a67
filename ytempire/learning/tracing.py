"""LLM calls traced in MLflow: prompt, response and token usage of every chat call, never a key.

Inside ``traced(settings, video_id, stage)`` the OpenAI SDK's calls are traced by MLflow's
OpenAI autolog, as children of one span per stage named for the video; the trace is tagged
with the video id, so the video's MLflow run and its traces find each other. Autolog records
what a call is given (messages, model, temperature) and what it returns (text, usage); the
key lives in the client, which it does not record.

Autolog patches the SDK for the whole process, so it is switched on at the start of each
traced block and off at its end: calls outside a traced block are never traced. (Two videos
traced at once in one process: the first to finish switches it off for the other's last
calls.) With recording off, or the store unreachable, nothing is traced and nothing waits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ytempire.learning import mlflow_store
from ytempire.learning.record import VIDEO_TAG
from ytempire.settings import Settings

_lock = threading.Lock()


@contextmanager
def traced(settings: Settings, video_id: str, stage: str) -> Iterator[None]:
    """Trace the OpenAI SDK's calls made inside the block (see the module)."""
    if settings.mlflow_record == "off" or mlflow_store.unreachable(settings) is not None:
        yield
        return
    mlflow = mlflow_store.connect(settings)
    with _lock:
        mlflow.set_experiment(experiment_id=mlflow_store.experiment_id(settings))
        mlflow.openai.autolog(silent=True)
    try:
        with mlflow.start_span(name=f"{stage} {video_id}") as span:
            span.set_attributes({VIDEO_TAG: video_id, "ytempire.stage": stage})
            mlflow.update_current_trace(tags={VIDEO_TAG: video_id, "ytempire.stage": stage})
            yield
    finally:
        with _lock:
            mlflow.openai.autolog(disable=True, silent=True)
        mlflow.flush_trace_async_logging()  # the trace is in the store when the stage ends
