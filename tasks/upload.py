"""Upload: publish the video and its metadata, once (the outbox offline)."""

from __future__ import annotations

import uuid

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.recording import run_stage
from ytempire.models import Narration, Script, Stage, StageOutput, Upload, VideoJob
from ytempire.publish import metadata, outbox
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


# A side effect: never served from a cache; the outbox itself refuses to publish twice.
@task(name="upload-video", cache_policy=NO_CACHE)
def upload_video(
    job: VideoJob,
    script: Script,
    narration: Narration,
    outputs: dict[str, StageOutput],
    settings: Settings,
    run_id: uuid.UUID,
) -> Upload:
    folder = VideoFolder(settings.workspace, job.video_id)
    manifest = metadata.build(job, script, narration, outputs)
    return run_stage(Stage.upload, run_id, settings, lambda: outbox.publish(folder, manifest))
