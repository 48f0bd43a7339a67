"""The upload stage under Prefect: the outbox without YouTube credentials; with them, a
real upload through the Google client (over TLS, to the local stand-in), recorded."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect import flow

from blocks.credentials import YouTubeCredentials
from tasks.upload import upload_video
from tests.pictures import encode_stills, vivid_picture
from tests.servers.youtube_upload import (
    CHANNEL_ID,
    CHANNELS_PATH,
    CLIENT_ID,
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


OTHER_TOKEN = "1//0refresh-token-of-cosmos-explained-xyz"
OTHER_CHANNEL = "UCcosmosexplained0000000"


def slugged(monkeypatch: pytest.MonkeyPatch, channel: str, refresh_token: str) -> None:
    """``channel``'s own OAuth client in its YTEMPIRE_YOUTUBE_<SLUG>_* variables."""
    stem = "YTEMPIRE_YOUTUBE_" + channel.upper().replace("-", "_")
    monkeypatch.setenv(f"{stem}_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv(f"{stem}_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv(f"{stem}_REFRESH_TOKEN", refresh_token)


def test_a_named_channel_uses_its_own_identity_never_the_fleets(
    youtube: YouTubeUploadServer, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    youtube.add_identity(OTHER_TOKEN, OTHER_CHANNEL, "Cosmos Explained")
    slugged(monkeypatch, "cosmos-explained", OTHER_TOKEN)
    job = made(workspace, channel="cosmos-explained", youtube_channel_id=OTHER_CHANNEL)
    upload = upload_only(job, uuid.uuid4())
    assert upload.destination == "youtube"
    assert youtube.videos_of(OTHER_CHANNEL) == [upload.youtube_video_id]
    assert youtube.videos_of(CHANNEL_ID) == []


def test_a_token_of_another_channel_is_refused_and_the_video_stays_in_the_outbox(
    youtube: YouTubeUploadServer, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cosmos-explained's variables hold the token of the fleet's channel, not its own.
    slugged(monkeypatch, "cosmos-explained", REFRESH_TOKEN)
    job = made(workspace, channel="cosmos-explained", youtube_channel_id=OTHER_CHANNEL)
    run_id = uuid.uuid4()
    state = upload_only(job, run_id, return_state=True)

    assert state.is_failed()
    [event] = AnalyticsStore(Settings().analytics_url).events(run_id)  # refused, not retried
    message = event.error_message or ""
    assert "\n" not in message and "cosmos-explained" in message
    assert f"the token acts for YouTube channel {CHANNEL_ID}" in message
    assert f"not {OTHER_CHANNEL}; nothing uploaded" in message
    assert len(youtube.calls("GET", CHANNELS_PATH)) == 1
    assert not youtube.calls("POST", INSERT_PATH) and not youtube.videos
    folder = VideoFolder(workspace, job.video_id)
    assert json.loads((folder / "metadata.json").read_text())["upload"]["destination"] == "outbox"
    assert not (folder / "upload.json").exists() and not (folder / "upload-session.json").exists()


def test_a_channel_without_credentials_goes_to_the_outbox_saying_why(
    youtube: YouTubeUploadServer, workspace: Path
) -> None:
    # The fleet-wide variables are set (the fixture); money-basics has none of its own.
    job, run_id = made(workspace, channel="money-basics"), uuid.uuid4()
    upload = upload_only(job, run_id)

    assert (upload.engine, upload.destination) == ("outbox", "outbox")
    assert upload.youtube_video_id is None
    [event] = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert (event.status, event.model_used) == ("completed", "outbox")
    assert "youtube-data-api skipped: channel 'money-basics' has no YouTube credentials" in (
        event.error_message or ""
    )
    assert "YTEMPIRE_YOUTUBE_MONEY_BASICS_REFRESH_TOKEN" in (event.error_message or "")
    assert youtube.requests == []


def test_the_credentials_block_a_channel_names_uploads_for_it(
    youtube: YouTubeUploadServer, workspace: Path
) -> None:
    youtube.add_identity(OTHER_TOKEN, OTHER_CHANNEL, "Cosmos Explained")
    YouTubeCredentials(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=OTHER_TOKEN
    ).save("cosmos-youtube", overwrite=True)
    job = made(
        workspace,
        channel="cosmos-explained",
        youtube_credentials="cosmos-youtube",
        youtube_channel_id=OTHER_CHANNEL,
    )
    upload = upload_only(job, uuid.uuid4())
    assert youtube.videos_of(OTHER_CHANNEL) == [upload.youtube_video_id]

    # A block that is not there: one line naming it, nothing uploaded.
    missing = made(workspace, channel="cosmos-explained", youtube_credentials="no-such-block")
    run_id = uuid.uuid4()
    assert upload_only(missing, run_id, return_state=True).is_failed()
    [event] = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert event.error_message == "no YouTubeCredentials block named 'no-such-block'"
    assert len(youtube.videos) == 1
