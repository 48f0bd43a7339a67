"""Stage progress notifications, for whoever is watching a run in this process (the CLI).

The pipeline reports each stage's start and end here; listeners are optional and a run with
none behaves the same. Long stages also report their steps (voice chunks synthesised, render
parts encoded) through :class:`Steps`: each step is a :class:`StepEvent` (done of total, and
an ETA from the pace so far) sent to every listener that has ``stage_progress`` and to the
reporter set for the current context with :func:`reporting` (the Prefect task's progress
artifact: a context, so concurrent runs in one process each reach their own).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from ytempire.models import Stage, StageRecord


class StageListener(Protocol):
    def stage_started(self, stage: Stage) -> None: ...

    def stage_finished(self, record: StageRecord) -> None: ...


@dataclass(frozen=True)
class StepEvent:
    """``done`` of ``total`` steps (``unit``) of ``stage``, ``elapsed_s`` since the count
    began, and ``eta_s``: seconds left at the pace so far (None before a step is done)."""

    stage: Stage
    done: int
    total: int
    unit: str
    elapsed_s: float
    eta_s: float | None

    @property
    def percent(self) -> float:
        return 100.0 if self.total <= 0 else round(100 * min(self.done, self.total) / self.total, 1)

    def describe(self) -> str:
        """``12/40 chunks, ETA 1m05s``: what a progress line shows."""
        eta = self.eta_s
        left = "" if eta is None or eta <= 0 else f", ETA {int(eta) // 60}m{int(eta) % 60:02d}s"
        return f"{self.done}/{self.total} {self.unit}{left}"


class StepReporter(Protocol):
    def stage_progress(self, event: StepEvent) -> None: ...


_listeners: list[StageListener] = []
_lock = threading.Lock()
_reporter: ContextVar[StepReporter | None] = ContextVar("ytempire_step_reporter", default=None)


@contextmanager
def reporting(reporter: StepReporter) -> Iterator[None]:
    """Send the steps reported in this context (this thread, this task) to ``reporter``."""
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


class Steps:
    """Counts the steps of one long piece of work and reports each one, in order.

    ``done`` may start above zero (steps kept from an earlier attempt); the ETA counts only
    the steps done here. Reporting is done by the thread that calls :meth:`advance`.
    """

    def __init__(self, stage: Stage, total: int, unit: str, *, done: int = 0) -> None:
        self.stage, self.total, self.unit = stage, max(0, total), unit
        self.done = min(max(0, done), self.total)
        self._first = self.done
        self._started = time.monotonic()
        self._send()

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        self._send()

    def _send(self) -> None:
        fresh = self.done - self._first
        elapsed = time.monotonic() - self._started
        eta = None
        if self.done >= self.total:
            eta = 0.0
        elif fresh > 0:  # the pace of the steps done here stands for those left
            eta = elapsed / fresh * (self.total - self.done)
        stepped(StepEvent(self.stage, self.done, self.total, self.unit, elapsed, eta))


def stepped(event: StepEvent) -> None:
    """Send ``event`` to the listeners that follow steps and to this context's reporter."""
    for listener in list(_listeners):
        handler = getattr(listener, "stage_progress", None)
        if handler is not None:
            handler(event)
    reporter = _reporter.get()
    if reporter is not None:
        reporter.stage_progress(event)


@contextmanager
def listening(listener: StageListener) -> Iterator[None]:
    """Send this process's stage notifications to ``listener`` while the block runs."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


def started(stage: Stage) -> None:
    for listener in list(_listeners):
        listener.stage_started(stage)


def finished(record: StageRecord) -> None:
    for listener in list(_listeners):
        listener.stage_finished(record)
