"""The upload stage under Prefect: the outbox without YouTube credentials; with them, a
real upload through the Google client (over TLS, to the local stand-in), recorded."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect import flow

from tasks.upload import upload_video
from tests.pictures import encode_stills, vivid_picture
from tests.servers.youtube_upload import (
    CHANNEL_ID,
    CLIENT_SECRET,
    INSERT_PATH,
    REFRESH_TOKEN,
    YouTubeUploadServer,
)
from ytempire.analytics.store import AnalyticsStore
from ytempire.media.probe import probe
from ytempire.models import (
    Narration,
    RenderedVideo,
    Script,
    Section,
    Stage,
    StageOutput,
    TimedText,
    Upload,
    VideoJob,
)
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder, write_json


@flow
def upload_only(job: VideoJob, run_id: uuid.UUID) -> Upload:
    settings = Settings()
    folder = VideoFolder(settings.workspace, job.video_id)
    script = Script(
        engine="template",
        title="How Black Holes Evaporate",
        hook="Black holes leak.",
        sections=[Section(heading=f"Part {i}", narration="Text.") for i in range(3)],
        summary="They evaporate.",
        cta="Subscribe.",
        tags=["black holes", "hawking radiation"],
        markdown_path=folder / "script.md",
    )
    narration = Narration(
        engine="piper",
        audio_path=folder / "narration.wav",
        subtitles_path=folder / "subtitles.srt",
        duration_s=72.0,
        sample_rate=48000,
        # One sentence per block: hook, three sections, summary, call to action.
        sentences=[TimedText(text="x", start=i * 12, end=i * 12 + 11, block=i) for i in range(6)],
    )
    video = folder / "video.mp4"
    outputs: dict[str, StageOutput] = {
        Stage.render: RenderedVideo(
            engine="libx264", path=video, encoder="libx264", seconds_to_render=1, info=probe(video)
        )
    }
    return upload_video(job, script, narration, outputs, settings, run_id)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "runs"
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(root))
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    return root


@pytest.fixture
def youtube(
    workspace: Path, youtube_upload_server: YouTubeUploadServer, monkeypatch: pytest.MonkeyPatch
) -> YouTubeUploadServer:
    server = youtube_upload_server
    for name, value in {
        "CLIENT_ID": server.client_id,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REFRESH_TOKEN": REFRESH_TOKEN,
        "CHANNEL_ID": CHANNEL_ID,
        "TOKEN_URI": server.token_uri,
        "UPLOAD_ENDPOINT": server.url,
        "CA_CERTS": str(server.ca_certs),
        "UPLOAD_CHUNK_BYTES": str(256 * 1024),
    }.items():
        monkeypatch.setenv(f"YTEMPIRE_YOUTUBE_{name}", value)
    return server


def made(workspace: Path, **job_fields: object) -> VideoJob:
    """A job whose folder holds what the earlier stages leave: video, thumbnails, captions."""
    job = VideoJob.model_validate({"topic": "How black holes evaporate", **job_fields})
    folder = VideoFolder(workspace, job.video_id).create()
    encode_stills([(vivid_picture(640, 360, seed), 1.0) for seed in (1, 2)], folder / "video.mp4")
    for name, seed in (("hero.png", 3), ("split.png", 4)):
        vivid_picture(1280, 720, seed).save(folder.thumbnails / name)
    write_json(folder.thumbnails / "ranking.json", {"primary": "split.png", "variants": []})
    (folder / "subtitles.srt").write_text("1\n00:00:00,000 --> 00:00:01,500\nBlack holes leak.\n")
    return job


def test_without_credentials_the_outbox_publishes(workspace: Path) -> None:
    job, run_id = made(workspace), uuid.uuid4()
    upload = upload_only(job, run_id)
    assert upload.engine == upload.destination == "outbox"
    assert upload.youtube_video_id is None
    folder = VideoFolder(workspace, job.video_id)
    assert json.loads((folder / "metadata.json").read_text())["upload"]["destination"] == "outbox"
    assert not (folder / "upload.json").exists()
    [event] = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert (event.stage, event.status, event.model_used) == ("upload", "completed", "outbox")


def test_with_credentials_the_video_goes_to_youtube_and_stays_in_the_outbox(
    youtube: YouTubeUploadServer, workspace: Path
) -> None:
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    job, run_id = made(workspace, privacy="public", publish_at=at), uuid.uuid4()
    upload = upload_only(job, run_id)

    assert (upload.engine, upload.destination) == ("youtube-data-api", "youtube")
    assert upload.youtube_video_id in youtube.videos
    assert upload.location == f"https://www.youtube.com/watch?v={upload.youtube_video_id}"
    assert (upload.privacy_status, upload.publish_at) == ("private", at)
    folder = VideoFolder(workspace, job.video_id)
    video = youtube.videos[upload.youtube_video_id]
    assert video["snippet"]["title"] == "How Black Holes Evaporate"
    assert video["status"]["publishAt"] == at.isoformat().replace("+00:00", "Z")
    assert youtube.video_bytes[upload.youtube_video_id] == (folder / "video.mp4").read_bytes()
    assert (
        youtube.thumbnails[upload.youtube_video_id][1]
        == (folder.thumbnails / "split.png").read_bytes()
    )
    assert len(youtube.captions) == 1
    # The outbox keeps its local record too.
    assert json.loads((folder / "metadata.json").read_text())["title"] == video["snippet"]["title"]

    store = AnalyticsStore(Settings().analytics_url)
    [event] = store.events(run_id)
    assert (event.status, event.model_used) == ("completed", "youtube-data-api")
    assert event.cost_cents == 0
    calls = store.model_calls()
    assert [(c.model_name, c.operation, c.tokens_used, c.cost_cents) for c in calls] == [
        ("youtube-data-api", "channels.list", 1, 0),
        ("youtube-data-api", "videos.insert", 1600, 0),
        ("youtube-data-api", "thumbnails.set", 50, 0),
        ("youtube-data-api", "captions.insert", 400, 0),
    ]

    # The same job again: served from the stage's checkpoint, nothing uploaded twice.
    again = upload_only(job, uuid.uuid4())
    assert again.youtube_video_id == upload.youtube_video_id
    assert len(youtube.calls("POST", INSERT_PATH)) == 1 and len(youtube.videos) == 1


def test_spent_quota_fails_the_stage_once_and_leaves_the_video_in_the_outbox(
    youtube: YouTubeUploadServer, workspace: Path
) -> None:
    youtube.script("insert", "quota")
    job, run_id = made(workspace), uuid.uuid4()
    state = upload_only(job, run_id, return_state=True)

    assert state.is_failed()
    assert len(youtube.calls("POST", INSERT_PATH)) == 1  # no retry helps today
    folder = VideoFolder(workspace, job.video_id)
    assert (folder / "metadata.json").exists() and not (folder / "upload.json").exists()
    [event] = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert event.status == "failed"
    assert "quotaExceeded" in (event.error_message or "")
    assert "waits in the outbox" in (event.error_message or "")
    assert CLIENT_SECRET not in (event.error_message or "")

    # Tomorrow: the quota is back, the same job uploads it.
    upload = upload_only(job, uuid.uuid4())
    assert upload.destination == "youtube" and len(youtube.videos) == 1


def test_server_errors_are_retried_by_the_task_after_the_uploads_own_retries(
    youtube: YouTubeUploadServer, workspace: Path
) -> None:
    # Four failures exhaust the upload's own retries; the task's retry goes on with the
    # session recorded in upload-session.json rather than starting another.
    youtube.script("chunk", "500", "500", "500", "500")
    upload = upload_only(made(workspace), uuid.uuid4())
    assert upload.destination == "youtube"
    assert len(youtube.calls("POST", INSERT_PATH)) == 1 and len(youtube.videos) == 1
