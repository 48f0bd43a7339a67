"""Voice synthesis: narration audio, sentence timings and subtitles."""

from __future__ import annotations

import uuid

from prefect import task

from tasks.recording import run_stage
from ytempire.models import Narration, Script, Stage, VideoJob
from ytempire.settings import Settings
from ytempire.voice.narrate import narrate
from ytempire.workspace import VideoFolder


@task(name="synthesize-voice")
def synthesize_voice(
    job: VideoJob, script: Script, settings: Settings, run_id: uuid.UUID
) -> Narration:
    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(Stage.voice, run_id, settings, lambda: narrate(script, job.voice, folder))
