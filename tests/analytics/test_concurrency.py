"""Eight concurrent writers, as threads and as processes, lose no rows on either database."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, StageRecord

REPO = Path(__file__).resolve().parents[2]
PER_WRITER = 50


def write_stages(url: str, run: str, count: int) -> None:
    store = AnalyticsStore(url)
    now = datetime.now(UTC)
    for i in range(count):
        store.record_stage(
            uuid.UUID(run),
            StageRecord(
                stage=Stage.script,
                status="completed",
                engine=f"writer-{i}",
                started_at=now,
                completed_at=now,
            ),
        )
        store.record_model_call(
            "gpt-4o", "script_generation", latency_ms=i, tokens_used=1, cost_usd=0.01
        )


def test_eight_threads(store: AnalyticsStore, store_url: str) -> None:
    runs = [uuid.uuid4() for _ in range(8)]
    threads = [
        threading.Thread(target=write_stages, args=(store_url, r.hex, PER_WRITER)) for r in runs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [len(store.events(r)) for r in runs] == [PER_WRITER] * 8
    assert len(store.model_calls()) == 8 * PER_WRITER


def test_eight_processes(store: AnalyticsStore, store_url: str) -> None:
    runs = [uuid.uuid4() for _ in range(8)]
    code = (
        "import sys; from tests.analytics.test_concurrency import write_stages as w; "
        "w(*sys.argv[1:3], int(sys.argv[3]))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, store_url, r.hex, str(PER_WRITER)],
            cwd=REPO,
            stderr=subprocess.PIPE,
        )
        for r in runs
    ]
    errors = [p.communicate(timeout=300)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    assert [len(store.events(r)) for r in runs] == [PER_WRITER] * 8
    assert len(store.model_calls()) == 8 * PER_WRITER


def count_failures(url: str, count: int) -> None:
    store = AnalyticsStore(url)
    for _ in range(count):
        store.record_breaker_failure("openai", threshold=100)


def test_breaker_failures_counted_by_eight_processes(store: AnalyticsStore, store_url: str) -> None:
    code = (
        "import sys; from tests.analytics.test_concurrency import count_failures as c; "
        "c(sys.argv[1], 10)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, store_url], cwd=REPO, stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    errors = [p.communicate(timeout=300)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    breaker = store.breaker("openai")
    assert breaker is not None
    assert (breaker.failures, breaker.state) == (80, "closed")
