"""Money in the stages: paid calls and compute written to the video's cost ledger.

Every paid call a stage makes is one ledger row tied to the video id and the run
(``ytempire.analytics.ledger``), written by the task that made it, as it completes. The
stages that burn our own machines (voice, render, thumbnails) run ``metered``: the CPU
seconds the process and its child processes (FFmpeg, Piper) used over the stage, and a GPU
encoder's seconds, become ``compute`` rows at the settings' per-hour rates. A failed stage's
compute counts too: the seconds were spent. A local model's call is $0 per token plus the
seconds its server spent answering (``record_chat_call``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from ytempire.analytics.ledger import CpuClock, Ledger, Line, compute_usd
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import RenderedVideo, Stage, StageOutput
from ytempire.providers.catalog import ModelSpec
from ytempire.providers.endpoints import Endpoint
from ytempire.providers.openai_chat import ChatCall
from ytempire.settings import Settings

T = TypeVar("T", bound=StageOutput)


def ledger_for(settings: Settings) -> Ledger:
    return Ledger(AnalyticsStore(settings.analytics_url))


def video_ledger(settings: Settings, video_id: str) -> list[Line]:
    """The video's ledger lines across all its runs (for ``metadata.json``)."""
    return ledger_for(settings).lines(video_id)


def video_costs(settings: Settings, video_id: str) -> dict[Stage, float]:
    """The video's cost by stage across all its runs (for ``ai_cost_breakdown``)."""
    return {stage: float(usd) for stage, usd in ledger_for(settings).stage_totals(video_id).items()}


def video_cost(settings: Settings, video_id: str) -> float:
    """The video's whole cost across all its runs."""
    return float(ledger_for(settings).video_total(video_id))


def uses_gpu(output: StageOutput | None) -> bool:
    """Whether the stage encoded on a GPU (NVENC), so its wall time is GPU time."""
    return isinstance(output, RenderedVideo) and "nvenc" in output.encoder


def metered(
    stage: Stage,
    video_id: str,
    run_id: uuid.UUID,
    settings: Settings,
    produce: Callable[[], T],
) -> Callable[[], T]:
    """``produce``, with the CPU (and GPU) seconds it used written to the ledger as compute."""

    def run() -> T:
        output: T | None = None
        clock = CpuClock()
        try:
            with clock:
                output = produce()
            return output
        finally:
            # A failed stage's seconds were spent all the same.
            record_compute(stage, video_id, run_id, settings, clock, uses_gpu(output))

    return run


def record_compute(
    stage: Stage,
    video_id: str,
    run_id: uuid.UUID,
    settings: Settings,
    clock: CpuClock,
    gpu: bool,
) -> None:
    """The compute rows of one stage: CPU seconds always, GPU seconds when it used one."""
    ledger = ledger_for(settings)
    # Milliseconds, and the cost of exactly what the row says: quantity × rate.
    cpu_s, gpu_s = round(clock.used.total_s, 3), round(clock.wall_s, 3)
    ledger.record(
        video_id,
        run_id,
        stage,
        "cpu",
        kind="compute",
        quantity=cpu_s,
        unit="cpu_seconds",
        cost_usd=compute_usd(cpu_s, settings.compute_usd_per_cpu_hour),
        note=(
            f"{clock.used.own_s:.2f} s in-process + {clock.used.children_s:.2f} s child "
            f"processes over {clock.wall_s:.2f} s, "
            f"${settings.compute_usd_per_cpu_hour:g}/CPU-hour"
        ),
    )
    if gpu:
        ledger.record(
            video_id,
            run_id,
            stage,
            "gpu",
            kind="compute",
            quantity=gpu_s,
            unit="gpu_seconds",
            cost_usd=compute_usd(gpu_s, settings.compute_usd_per_gpu_hour),
            note=f"NVENC encode over {clock.wall_s:.2f} s at "
            f"${settings.compute_usd_per_gpu_hour:g}/GPU-hour",
        )


def record_chat_call(
    video_id: str,
    run_id: uuid.UUID,
    stage: Stage,
    operation: str,
    spec: ModelSpec,
    call: ChatCall,
    endpoint: Endpoint,
    settings: Settings,
) -> None:
    """One chat call in the model-call record and the video's ledger. A local model's call
    is $0 per token plus the seconds its server spent answering (a ``compute`` row at the
    endpoint's rate, else the CPU-hour rate), under the name the endpoint serves: a local
    server answers to any name and reports what it likes (a file path)."""
    store = AnalyticsStore(settings.analytics_url)
    name = spec.name if spec.local else call.reported_model or call.model
    tokens = call.input_tokens + call.output_tokens
    store.record_model_call(
        name, operation, latency_ms=call.latency_ms, tokens_used=tokens, cost_usd=call.cost_usd
    )
    ledger = Ledger(store)
    ledger.record(
        video_id,
        run_id,
        stage,
        name,
        kind="call",
        quantity=tokens,
        unit="tokens",
        cost_usd=call.cost_usd,
        note=f"{call.input_tokens} in + {call.output_tokens} out"
        + (" (local server)" if spec.local else "")
        + (", json_schema" if call.structured else ""),
    )
    if not spec.local:
        return
    rate = endpoint.compute_usd_per_hour
    if rate is None:
        rate = settings.compute_usd_per_cpu_hour
    seconds = round(call.latency_ms / 1000, 3)
    ledger.record(
        video_id,
        run_id,
        stage,
        name,
        kind="compute",
        quantity=seconds,
        unit="server_seconds",
        cost_usd=compute_usd(seconds, rate),
        note=f"local endpoint {endpoint.name!r} answering, ${rate:g}/hour",
    )
