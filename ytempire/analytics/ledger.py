"""The cost ledger: every paid call and every compute line, tied to a video id.

One ``cost_ledger`` row per thing bought: a chat call (tokens), a picture, a voice request
(characters), or the CPU (and GPU) seconds a stage used (``compute``). Costs are kept in
exact millionths of a dollar, so sums are exact on SQLite and PostgreSQL alike.

A video's cost is the sum of its rows **across all its runs**: retries, drafts the quality
suite rejected, repair calls and the calls of a run that later crashed all count. Budgets
(``ytempire.resilience.budgets``), ``metadata.json``, ``ai_cost_breakdown`` and
``ytempire cost`` all read this one sum. A stage resumed from its checkpoint writes no row:
nothing was spent that time, and the rows of the run that made it are still there.

Compute is measured, not guessed: the process's CPU time plus that of its finished child
processes (FFmpeg, Piper) over the stage (``CpuClock``), times a per-hour rate from the
settings. Several videos made at once in one process share its CPU clock, so each is
charged the overlap; one video per process (workers) is exact.
"""

from __future__ import annotations

import resource
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select

from ytempire.analytics.money import MICRO, micro_usd, usd_of
from ytempire.analytics.store import AnalyticsStore, utc
from ytempire.analytics.tables import CostLedgerLine
from ytempire.models import Stage

SECONDS_PER_HOUR = 3600

Kind = Literal["call", "compute"]


class Line(BaseModel):
    """One ledger row as the pipeline and ``ytempire cost`` see it."""

    video_id: str
    run_id: uuid.UUID
    stage: Stage
    engine: str
    kind: Kind
    quantity: float = Field(ge=0)
    unit: str
    cost_usd: Decimal = Field(ge=0)
    created_at: datetime
    note: str | None = None

    def as_json(self) -> dict[str, object]:
        """The line as ``metadata.json`` keeps it (cost as a number of dollars)."""
        return {
            "run_id": str(self.run_id),
            "stage": self.stage.value,
            "engine": self.engine,
            "kind": self.kind,
            "quantity": self.quantity,
            "unit": self.unit,
            "cost_usd": float(self.cost_usd),
            "created_at": self.created_at.isoformat(),
            "note": self.note,
        }


class Ledger:
    """Writes and sums the ledger of the store's database."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def record(
        self,
        video_id: str,
        run_id: uuid.UUID,
        stage: Stage,
        engine: str,
        *,
        kind: Kind,
        quantity: float,
        unit: str,
        cost_usd: float | Decimal,
        note: str | None = None,
        created_at: datetime | None = None,
    ) -> None:
        """Add one row (a free call too: it shows what ran, at $0)."""
        with self.store.session() as s:
            s.add(
                CostLedgerLine(
                    video_id=uuid.UUID(video_id),
                    pipeline_run_id=run_id,
                    stage=stage.value,
                    engine=engine[:100],
                    kind=kind,
                    quantity=float(quantity),
                    unit=unit,
                    cost_micro_usd=micro_usd(cost_usd),
                    created_at=utc(created_at or datetime.now(UTC)),
                    note=note,
                )
            )

    def lines(self, video_id: str) -> list[Line]:
        """The video's rows across all its runs, oldest first."""
        with self.store.session() as s:
            rows = s.scalars(
                select(CostLedgerLine)
                .where(CostLedgerLine.video_id == uuid.UUID(video_id))
                .order_by(CostLedgerLine.created_at, CostLedgerLine.id)
            )
            return [
                Line(
                    video_id=video_id,
                    run_id=row.pipeline_run_id,
                    stage=Stage(row.stage),
                    engine=row.engine,
                    kind="compute" if row.kind == "compute" else "call",
                    quantity=row.quantity,
                    unit=row.unit,
                    cost_usd=usd_of(row.cost_micro_usd),
                    created_at=utc(row.created_at),
                    note=row.note,
                )
                for row in rows
            ]

    def video_total(self, video_id: str) -> Decimal:
        """What the video has cost so far, across all its runs."""
        return self._sum(CostLedgerLine.video_id == uuid.UUID(video_id))

    def run_stage_total(self, run_id: uuid.UUID, stage: Stage) -> Decimal:
        """What ``stage`` of run ``run_id`` has cost (its calls, failed ones too, and compute)."""
        return self._sum(
            CostLedgerLine.pipeline_run_id == run_id, CostLedgerLine.stage == stage.value
        )

    def stage_totals(self, video_id: str) -> dict[Stage, Decimal]:
        """The video's cost by stage, across all its runs."""
        with self.store.session() as s:
            rows = s.execute(
                select(CostLedgerLine.stage, func.sum(CostLedgerLine.cost_micro_usd))
                .where(CostLedgerLine.video_id == uuid.UUID(video_id))
                .group_by(CostLedgerLine.stage)
            )
            return {Stage(stage): usd_of(int(total or 0)) for stage, total in rows}

    def _sum(self, *where: ColumnElement[bool]) -> Decimal:
        with self.store.session() as s:
            total = s.scalar(select(func.sum(CostLedgerLine.cost_micro_usd)).where(*where))
            return usd_of(int(total or 0))


def total(lines: Iterable[Line]) -> Decimal:
    """The exact sum of ``lines``."""
    return sum((line.cost_usd for line in lines), Decimal(0))


@dataclass(frozen=True)
class CpuTime:
    """CPU seconds used so far by this process and by its children that have finished."""

    own_s: float
    children_s: float

    @classmethod
    def now(cls) -> CpuTime:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(time.process_time(), children.ru_utime + children.ru_stime)

    @property
    def total_s(self) -> float:
        return self.own_s + self.children_s

    def since(self, start: CpuTime) -> CpuTime:
        return CpuTime(self.own_s - start.own_s, self.children_s - start.children_s)


class CpuClock:
    """CPU (and wall) time over a block: ``with CpuClock() as clock: ...; clock.used``."""

    def __enter__(self) -> CpuClock:
        self._start = CpuTime.now()
        self._wall = time.perf_counter()
        self.used = CpuTime(0.0, 0.0)
        self.wall_s = 0.0
        return self

    def __exit__(self, *_exc: object) -> None:
        self.used = CpuTime.now().since(self._start)
        self.wall_s = time.perf_counter() - self._wall


def compute_usd(seconds: float, usd_per_hour: float) -> Decimal:
    """What ``seconds`` of a resource cost at ``usd_per_hour``, to the millionth of a dollar."""
    hours = Decimal(str(max(seconds, 0.0))) / SECONDS_PER_HOUR
    return (hours * Decimal(str(usd_per_hour))).quantize(MICRO, rounding=ROUND_HALF_UP)


def statement(lines: list[Line]) -> str:
    """The lines as ``ytempire cost`` prints them: one row each, then the total by kind."""
    runs = list(dict.fromkeys(line.run_id for line in lines))
    rows = [
        f"video {lines[0].video_id}: {len(lines)} lines over {len(runs)} "
        f"run{'' if len(runs) == 1 else 's'}",
        f"{'when (UTC)':<19}  {'run':<8}  {'stage':<10}  {'engine':<28}  {'kind':<7}  "
        f"{'quantity':>22}  {'cost ($)':>10}  note",
    ]
    for line in lines:
        quantity = f"{line.quantity:,.3f}".rstrip("0").rstrip(".") + f" {line.unit}"
        rows.append(
            f"{line.created_at:%Y-%m-%d %H:%M:%S}  {line.run_id.hex[:8]}  "
            f"{line.stage.value:<10}  {line.engine:<28}  {line.kind:<7}  {quantity:>22}  "
            f"{line.cost_usd:>10.6f}  {line.note or ''}".rstrip()
        )
    calls = total(line for line in lines if line.kind == "call")
    compute = total(line for line in lines if line.kind == "compute")
    rows.append(f"total ${total(lines):.6f} (paid calls ${calls:.6f}, compute ${compute:.6f})")
    return "\n".join(rows) + "\n"
