"""A long stage's steps become a Prefect progress artifact on the task run, up to 100%."""

from __future__ import annotations

from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from tasks.progress_artifact import ProgressArtifact
from ytempire import progress
from ytempire.models import Stage
from ytempire.progress import Steps


@task
def speak_in_steps(total: int) -> None:
    with progress.reporting(ProgressArtifact(Stage.voice)):
        steps = Steps(Stage.voice, total, "chunks")
        for _ in range(total):
            steps.advance()


@flow
def steps_flow(total: int) -> None:
    speak_in_steps(total)


def test_steps_reach_the_progress_artifact() -> None:
    steps_flow(200)

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["voice-progress"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert artifact.type == "progress"
    assert float(artifact.data) == 100.0  # type: ignore[arg-type]
    assert artifact.description == "voice: 200/200 chunks"
    assert artifact.task_run_id is not None


def test_updates_are_throttled() -> None:
    """200 steps are not 200 API calls: at most one per 2% (and the first and the last)."""
    calls: list[float] = []

    class Counting(ProgressArtifact):
        def stage_progress(self, event: progress.StepEvent) -> None:
            before = self.shown
            super().stage_progress(event)
            if self.shown != before:
                calls.append(event.percent)

    @task
    def counted() -> None:
        with progress.reporting(Counting(Stage.render)):
            steps = Steps(Stage.render, 200, "parts")
            for _ in range(200):
                steps.advance()

    @flow
    def counted_flow() -> None:
        counted()

    counted_flow()
    assert calls[0] == 0.0 and calls[-1] == 100.0
    assert calls == sorted(calls) and len(calls) <= 52
