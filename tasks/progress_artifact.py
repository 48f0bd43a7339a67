"""A long stage's steps as a Prefect progress artifact, on the task run that does them.

``ytempire.progress.Steps`` reports each step (a voice chunk, a render part); this reporter,
set for the stage's context by ``tasks.recording.run_stage``, makes one progress artifact
per stage run with the first step and updates it as the steps come, at most every
``MIN_STEP_PERCENT`` (and always at 100%), so a 600-chunk narration is not 600 API calls.
An artifact that cannot be written is logged and the stage goes on: progress is for
watching, never a reason to fail.
"""

from __future__ import annotations

import uuid
from typing import cast

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from ytempire.models import Stage
from ytempire.progress import StepEvent

MIN_STEP_PERCENT = 2.0


class ProgressArtifact:
    """Reports one stage's steps to a Prefect progress artifact (key ``<stage>-progress``)."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.artifact_id: uuid.UUID | None = None
        self.shown: float | None = None
        self.failed = False

    def stage_progress(self, event: StepEvent) -> None:
        if event.stage is not self.stage or self.failed:
            return
        percent = event.percent
        if self.shown is not None and percent < min(100.0, self.shown + MIN_STEP_PERCENT):
            return
        description = f"{self.stage.value}: {event.describe()}"
        try:
            if self.artifact_id is None:
                # Called from sync code it returns the id, not a coroutine.
                self.artifact_id = cast(
                    uuid.UUID,
                    create_progress_artifact(
                        percent, key=f"{self.stage.value}-progress", description=description
                    ),
                )
            else:
                update_progress_artifact(self.artifact_id, percent, description=description)
        except Exception as exc:  # progress must never fail a stage
            self.failed = True
            get_run_logger().warning(
                "%s: progress artifact not written (%s)", self.stage.value, exc
            )
            return
        self.shown = percent
