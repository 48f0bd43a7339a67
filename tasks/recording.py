"""How every stage task runs its core function: timed, recorded, reported, errors named.

Each stage writes one ``ai_pipeline_events`` row per attempt, success or failure, and tells
the progress listeners. A failure is re-raised as ``StageFailed`` so the flow (and the CLI)
can say which stage broke, in one line.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from prefect import get_run_logger

from ytempire import progress
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import StageFailed, one_line
from ytempire.models import Stage, StageOutput, StageRecord
from ytempire.settings import Settings

T = TypeVar("T", bound=StageOutput)


def run_stage(stage: Stage, run_id: uuid.UUID, settings: Settings, produce: Callable[[], T]) -> T:
    """Run ``produce`` as ``stage`` of run ``run_id`` and record how it went."""
    store = AnalyticsStore(settings.analytics_url)
    progress.started(stage)
    started_at = datetime.now(UTC)
    try:
        output = produce()
    except Exception as exc:
        record = StageRecord(
            stage=stage,
            status="failed",
            started_at=started_at,
            completed_at=datetime.now(UTC),
            error=one_line(exc),
        )
        store.record_stage(run_id, record)
        progress.finished(record)
        raise StageFailed(stage.value, record.error or type(exc).__name__) from exc
    record = StageRecord(
        stage=stage,
        status="completed",
        engine=output.engine,
        started_at=started_at,
        completed_at=datetime.now(UTC),
        cost_usd=output.cost_usd,
        quality_score=output.quality_score,
        error="; ".join(output.fallbacks) or None,
    )
    store.record_stage(run_id, record)
    progress.finished(record)
    get_run_logger().info(
        "%s: %s in %.2f s, $%.4f",
        stage.value,
        output.engine,
        record.duration_ms / 1000,
        output.cost_usd,
    )
    return output
