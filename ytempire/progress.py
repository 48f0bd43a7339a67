"""Stage progress notifications, for whoever is watching a run in this process (the CLI).

The pipeline reports each stage's start and end here; listeners are optional and a run with
none behaves the same.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from ytempire.models import Stage, StageRecord


class StageListener(Protocol):
    def stage_started(self, stage: Stage) -> None: ...

    def stage_finished(self, record: StageRecord) -> None: ...


_listeners: list[StageListener] = []
_lock = threading.Lock()


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
