"""Upload: publish the video once. Always into the outbox (the local record: video folder +
``metadata.json``); to YouTube as well when the channel has its own YouTube identity
(``ytempire.publish.identity``: its credentials block, its ``YTEMPIRE_YOUTUBE_<SLUG>_*``
variables, or for the ``default`` channel the global settings), after YouTube confirmed the
token acts for the channel's ``youtube_channel_id``. A channel without an identity stays in
the outbox, and the stage record says why.

YouTube calls are retried by error kind; a spent daily quota is not retried: the stage fails
saying the video waits in the outbox, and a re-run of the job after the quota resets uploads
it (``upload.json`` makes sure nothing is uploaded twice). docs/publishing.md has the rest.
"""

from __future__ import annotations

import uuid

from prefect import task
from prefect.cache_policies import NO_CACHE

from blocks.credentials import youtube_identity
from tasks.costs import video_ledger
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import (
    Narration,
    RenderedVideo,
    Script,
    Stage,
    StageOutput,
    Upload,
    VideoJob,
)
from ytempire.providers.google_api import DailyQuotaSpent
from ytempire.publish import metadata, outbox, youtube
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


# A side effect: never served from a cache; the outbox and upload.json refuse to publish twice.
@task(
    name="upload-video",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def upload_video(
    job: VideoJob,
    script: Script,
    narration: Narration,
    outputs: dict[str, StageOutput],
    settings: Settings,
    run_id: uuid.UUID,
) -> Upload:
    folder = VideoFolder(settings.workspace, job.video_id)
    # Costs from the video's ledger: every run's paid calls and compute (tasks/costs.py).
    manifest = metadata.build(job, script, narration, outputs, video_ledger(settings, job.video_id))

    def publish() -> Upload:
        local = outbox.publish(folder, manifest)
        identity = youtube_identity(
            settings, job.channel, job.youtube_credentials, job.youtube_channel_id
        )
        if identity.oauth is None:
            return local.model_copy(
                update={"fallbacks": [f"{youtube.ENGINE} skipped: {identity.missing}"]}
            )
        rendered = outputs.get(Stage.render)
        publication = youtube.Publication(
            video=rendered.path if isinstance(rendered, RenderedVideo) else folder / "video.mp4",
            thumbnail=youtube.top_thumbnail(folder),
            captions=narration.subtitles_path,
            title=manifest["title"],
            description=manifest["description"],
            tags=manifest["tags"],
            category_id=settings.youtube_upload_category_id,
            language=job.language,
            privacy=job.privacy or settings.youtube_privacy,
            publish_at=job.publish_at,
        )
        store = AnalyticsStore(settings.analytics_url)
        uploader = youtube.uploader_from(
            settings,
            identity.oauth,
            expected_channel_id=identity.expected_channel_id,
            channel=job.channel,
            on_call=lambda call: store.record_model_call(
                youtube.ENGINE,
                call.operation,
                latency_ms=call.latency_ms,
                tokens_used=call.units,  # quota units, not tokens: docs/publishing.md
                cost_usd=0.0,
            ),
        )
        earlier = youtube.read_record(folder)
        try:
            record = uploader.publish(folder, job.video_id, publication)
        except DailyQuotaSpent as exc:
            raise DailyQuotaSpent(
                exc.provider,
                f"{exc.message}; the video waits in the outbox ({local.location}): "
                "run the job again after the reset to upload it",
            ) from None
        return Upload(
            engine=youtube.ENGINE,
            destination="youtube",
            location=record.url,
            published_at=record.uploaded_at,
            already_published=earlier is not None,
            youtube_video_id=record.youtube_video_id,
            privacy_status=record.privacy_status,
            publish_at=record.publish_at,
        )

    return run_stage(Stage.upload, run_id, settings, publish, folder=folder, output_type=Upload)
