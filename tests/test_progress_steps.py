"""Long stages report their steps: in order, up to 100%, with an ETA, to the CLI's display
and to the reporter of their own context only."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from tests.voice.test_join_streaming import BLOCKS, Engine
from ytempire import progress
from ytempire.cli import StageDisplay
from ytempire.models import Stage, StageRecord
from ytempire.progress import StepEvent, Steps
from ytempire.voice.chunks import plan_chunks
from ytempire.voice.synthesis import synthesize


class Collect:
    def __init__(self) -> None:
        self.events: list[StepEvent] = []

    def stage_started(self, stage: Stage) -> None: ...

    def stage_finished(self, record: StageRecord) -> None: ...

    def stage_progress(self, event: StepEvent) -> None:
        self.events.append(event)


def test_steps_arrive_in_order_and_reach_100_percent() -> None:
    seen = Collect()
    with progress.listening(seen):
        steps = Steps(Stage.render, 4, "parts")
        for _ in range(4):
            steps.advance()

    assert [e.done for e in seen.events] == [0, 1, 2, 3, 4]
    assert [e.percent for e in seen.events] == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert seen.events[0].eta_s is None  # no pace yet
    assert all(e.eta_s is not None and e.eta_s >= 0 for e in seen.events[1:])
    assert seen.events[-1].eta_s == 0.0
    assert seen.events[-1].describe() == "4/4 parts"


def test_steps_kept_from_an_earlier_attempt_count_as_done() -> None:
    seen = Collect()
    with progress.listening(seen):
        steps = Steps(Stage.voice, 10, "chunks", done=7)
        steps.advance()
    assert [(e.done, e.percent) for e in seen.events] == [(7, 70.0), (8, 80.0)]


def test_voice_chunks_are_reported_in_order_to_100_percent(tmp_path: Path) -> None:
    engine = Engine()
    seen = Collect()
    with progress.listening(seen):
        synthesize(engine, BLOCKS, tmp_path / "raw.wav")

    chunks = len(plan_chunks(BLOCKS, engine.fits))
    assert chunks > 2
    assert [e.stage for e in seen.events] == [Stage.voice] * (chunks + 1)
    assert [e.done for e in seen.events] == list(range(chunks + 1))
    assert {e.total for e in seen.events} == {chunks}
    assert seen.events[-1].percent == 100.0


def test_a_reporter_hears_only_its_own_context() -> None:
    mine, other = Collect(), Collect()

    def elsewhere() -> None:
        with progress.reporting(other):
            Steps(Stage.voice, 2, "chunks").advance(2)

    with progress.reporting(mine):
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        Steps(Stage.render, 1, "parts").advance()

    assert [(e.stage, e.done) for e in mine.events] == [(Stage.render, 0), (Stage.render, 1)]
    assert [(e.stage, e.done) for e in other.events] == [(Stage.voice, 0), (Stage.voice, 2)]


def test_the_cli_shows_steps_done_of_total() -> None:
    bar = Progress(console=Console(file=io.StringIO()))
    display = StageDisplay(bar)
    display.stage_started(Stage.voice)
    with progress.listening(display):
        steps = Steps(Stage.voice, 8, "chunks")
        steps.advance(3)

    [task] = bar.tasks
    assert (task.completed, task.total) == (3, 8)
    assert "3/8 chunks" in task.description
