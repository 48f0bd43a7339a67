"""The cost ledger on SQLite and PostgreSQL: exact sums per video across runs, per run and
stage, and the compute clock that counts child processes."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ytempire.analytics.ledger import (
    CpuClock,
    Ledger,
    compute_usd,
    statement,
    total,
)
from ytempire.analytics.money import micro_usd
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage


def test_sums_are_exact_per_video_across_runs_and_per_run_stage(store: AnalyticsStore) -> None:
    ledger = Ledger(store)
    video, other = uuid.uuid4().hex, uuid.uuid4().hex
    first, second = uuid.uuid4(), uuid.uuid4()
    start = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    # Sub-cent calls that floats would not add up exactly: 0.1 + 0.2 + ...
    rows = [
        (video, first, Stage.script, "gpt-4o-mini", "call", 1234, "tokens", 0.000101),
        (video, first, Stage.script, "gpt-4o-mini", "call", 1300, "tokens", 0.000202),
        (
            video,
            second,
            Stage.voice,
            "elevenlabs:eleven_multilingual_v2",
            "call",
            812,
            "characters",
            0.1218,
        ),
        (video, second, Stage.render, "cpu", "compute", 31.5, "cpu_seconds", Decimal("0.013125")),
        (other, second, Stage.script, "gpt-4o", "call", 900, "tokens", 0.3),
    ]
    for i, (vid, run, stage, engine, kind, quantity, unit, usd) in enumerate(rows):
        ledger.record(
            vid,
            run,
            stage,
            engine,
            kind=kind,  # type: ignore[arg-type]
            quantity=quantity,
            unit=unit,
            cost_usd=usd,  # type: ignore[arg-type]
            note=f"row {i}",
            created_at=start + timedelta(seconds=i),
        )

    assert ledger.video_total(video) == Decimal("0.135228")
    assert ledger.video_total(other) == Decimal("0.300000")
    assert ledger.video_total(uuid.uuid4().hex) == Decimal(0)
    assert ledger.run_stage_total(first, Stage.script) == Decimal("0.000303")
    assert ledger.run_stage_total(second, Stage.script) == Decimal("0.300000")
    assert ledger.stage_totals(video) == {
        Stage.script: Decimal("0.000303"),
        Stage.voice: Decimal("0.121800"),
        Stage.render: Decimal("0.013125"),
    }

    lines = ledger.lines(video)
    assert [line.note for line in lines] == ["row 0", "row 1", "row 2", "row 3"]
    assert [line.run_id for line in lines] == [first, first, second, second]
    assert lines[3].kind == "compute" and lines[3].quantity == 31.5
    assert lines[0].created_at == start
    assert total(lines) == ledger.video_total(video)

    printed = statement(lines)
    assert f"video {video}: 4 lines over 2 runs" in printed
    assert "1,234 tokens" in printed and "31.5 cpu_seconds" in printed
    assert printed.splitlines()[-1] == ("total $0.135228 (paid calls $0.122103, compute $0.013125)")


def test_costs_round_half_up_to_the_millionth() -> None:
    assert micro_usd(0.0000005) == 1
    assert micro_usd(0.0000004) == 0
    assert micro_usd(Decimal("1.2345675")) == 1234568
    assert compute_usd(3600, 0.36) == Decimal("0.360000")
    assert compute_usd(1.0, 0.36) == Decimal("0.000100")
    assert compute_usd(-1.0, 0.36) == Decimal(0)


def test_the_cpu_clock_counts_child_processes() -> None:
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    with CpuClock() as clock:
        subprocess.run([sys.executable, "-c", burn], check=True)
    assert clock.used.children_s >= 0.25
    assert clock.used.total_s >= clock.used.children_s
    assert clock.wall_s >= 0.25


def test_a_failing_block_is_still_measured() -> None:
    clock = CpuClock()
    with pytest.raises(RuntimeError), clock:
        started = time.process_time()
        while time.process_time() - started < 0.05:
            pass
        raise RuntimeError("the stage failed")
    assert clock.used.own_s >= 0.04
