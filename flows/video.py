"""The per-video flow: trends → topic → script → voice → visuals → render → thumbnails →
quality → gate → upload → tracking, each stage a task; thumbnails are built on the rendered
video. The run holds the video's lease throughout (one run per video), and the gate holds a
video that failed a critical check in the outbox until an operator releases it.
The finished video is recorded as one MLflow run (tasks/learning.py).

``make_video_in_languages`` makes one video in several languages: the first language's, then
each translation of it, each a ``make_video`` run of its own (ytempire/translations.py)."""

from __future__ import annotations

import uuid

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run

from blocks.credentials import settings_from_blocks
from flows.render import render
from tasks.costs import video_cost, video_costs
from tasks.experiments import assign_experiments
from tasks.gate import ask_operator, gate_video, hold_video
from tasks.learning import record_video
from tasks.lease import video_lease
from tasks.local_llm import with_local_servers
from tasks.quality import check_quality
from tasks.script import write_script
from tasks.thumbnails import make_contact_sheet, make_thumbnails
from tasks.topic import select_topic
from tasks.tracking import track_video
from tasks.trends import detect_trends
from tasks.upload import upload_video
from tasks.visuals import build_visuals
from tasks.voice import synthesize_voice
from tasks.workspace import close_folder, file_links, open_folder
from ytempire import summary
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Stage, StageOutput, VideoJob, VideoResult
from ytempire.script.languages import require_writer
from ytempire.settings import Settings


@flow(name="make-video", flow_run_name="video-{job.video_id}")
def make_video(job: VideoJob, workspace: str | None = None) -> VideoResult:
    """Make one video end to end. ``workspace`` overrides ``YTEMPIRE_WORKSPACE``."""
    env = Settings() if workspace is None else Settings(workspace=workspace)
    # Credential blocks on the server win; running local-llm servers are endpoints too.
    settings = with_local_servers(settings_from_blocks(env))
    require_writer(job.language, settings.llm_configured)  # fails here, before anything is made
    run_id = uuid.UUID(flow_run.id) if flow_run.id else uuid.uuid4()
    folder = open_folder(settings, job.video_id)  # with a bucket: this worker's scratch copy

    with video_lease(job, settings) as lease:  # a second run of this video waits or is refused
        arms = assign_experiments(job, settings)  # A/B arms: the same on every run of the video
        job, settings = arms.job, arms.settings(settings)
        trends = detect_trends(job, settings, run_id)
        topic = select_topic(job, trends, settings, run_id)
        script = write_script(job, topic, settings, run_id)
        narration = synthesize_voice(job, script, settings, run_id)
        timeline = build_visuals(job, script, narration, settings, run_id)
        video = render(job, timeline, run_id, settings)
        thumbnails = make_thumbnails(job, script, video, settings, run_id)
        sheet = make_contact_sheet(job, script, narration, video, thumbnails, settings)
        quality = check_quality(
            job, script, narration, timeline, video, thumbnails, settings, run_id
        )

        outputs: dict[str, StageOutput] = {
            Stage.trends: trends,
            Stage.topic: topic,
            Stage.script: script,
            Stage.voice: narration,
            Stage.visuals: timeline,
            Stage.render: video,
            Stage.thumbnails: thumbnails,
            Stage.quality: quality,
        }
        verdict = ask_operator(job, gate_video(job, script, quality, settings), settings)
        lease.ensure()  # still this run's video: nobody else uploads it meanwhile
        if verdict.publish:
            upload = upload_video(job, script, narration, outputs, settings, run_id)
        else:
            upload = hold_video(job, script, narration, outputs, verdict, settings, run_id)
        costs = video_costs(settings, job.video_id)  # every run's, from the cost ledger
        track_video(job, topic, script.title, upload, costs, settings, run_id)

    result = VideoResult(
        job=job,
        run_id=run_id,
        folder=folder.path,
        title=script.title,
        outputs={
            "video": video.path,
            "narration": narration.audio_path,
            "subtitles": narration.subtitles_path,
            "script": script.markdown_path,
            **{f"thumbnail {t.variant}": t.path for t in thumbnails.variants},
            "thumbnail (upload)": thumbnails.primary.path,
            "contact sheet": sheet,
            "metadata": folder / "metadata.json",
            "quality": quality.path,
        },
        stages=AnalyticsStore(settings.analytics_url).stage_records(run_id),
        quality_passed=quality.passed,
        upload=upload,
        video_cost_usd=video_cost(settings, job.video_id),
    )
    record_video(result, outputs, settings)  # its MLflow run; never fails the video
    create_markdown_artifact(
        summary.markdown(result, file_links(result, settings)),
        key=f"video-{job.video_id}",
        description=f"Summary of {script.title}",
    )
    create_table_artifact(
        summary.stage_rows(result),
        key=f"stages-{job.video_id}",
        description="Time, cost, engine and quality per stage",
    )
    close_folder(folder, settings)
    return result


@flow(name="make-video-in-languages", flow_run_name="video-{jobs[0].video_id}-in-languages")
def make_video_in_languages(
    jobs: list[VideoJob], workspace: str | None = None
) -> list[VideoResult]:
    """The same video in each job's language (``ytempire.translations.jobs_in_languages``):
    the first job's video from its topic, then each translation of it, in order; every
    language is checked to have a script writer before anything is made."""
    env = Settings() if workspace is None else Settings(workspace=workspace)
    llm_configured = with_local_servers(settings_from_blocks(env)).llm_configured
    for job in jobs:
        require_writer(job.language, llm_configured)
    return [make_video(job, workspace=workspace) for job in jobs]
