"""Publishing to YouTube: the real Google client, over TLS, against a local stand-in.

The video file is random bytes named video.mp4: the API does not look inside a file while
it is uploaded, and three 256 KiB chunks make the resumable protocol do real work.
"""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from tests.servers.youtube_upload import (
    CHANNEL_ID,
    CHANNELS_PATH,
    CHUNK_GRANULARITY,
    CLIENT_SECRET,
    INSERT_PATH,
    REFRESH_TOKEN,
    YouTubeUploadServer,
)
from ytempire.providers.google_api import DailyQuotaSpent
from ytempire.publish.youtube import (
    QUOTA_UNITS,
    SESSION_FILE,
    ApiCall,
    ChannelMismatch,
    Publication,
    UploadConflict,
    UploadSession,
    YouTubeUploader,
    file_sha256,
    read_record,
    read_session,
    top_thumbnail,
)
from ytempire.resilience.errors import ErrorKind, ProviderError, ProviderRejected
from ytempire.workspace import VideoFolder, write_json

JOB = "0" * 31 + "1"
VIDEO_BYTES = 2 * CHUNK_GRANULARITY + 123_457  # two full chunks and a short last one


@pytest.fixture
def server(youtube_upload_server: YouTubeUploadServer) -> YouTubeUploadServer:
    return youtube_upload_server


@pytest.fixture
def folder(tmp_path: Path) -> VideoFolder:
    folder = VideoFolder(tmp_path / "runs", JOB).create()
    (folder / "video.mp4").write_bytes(random.Random(7).randbytes(VIDEO_BYTES))
    for name, colour in (("a.png", "red"), ("b.png", "blue")):
        Image.new("RGB", (1280, 720), colour).save(folder.thumbnails / name)
    write_json(folder.thumbnails / "ranking.json", {"primary": "b.png", "variants": []})
    (folder / "subtitles.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nHello.\n\n")
    return folder


def uploader(
    server: YouTubeUploadServer,
    calls: list[ApiCall] | None = None,
    waits: list[float] | None = None,
    secret: str = CLIENT_SECRET,
) -> YouTubeUploader:
    return YouTubeUploader(
        server.oauth(secret),
        expected_channel_id=CHANNEL_ID,
        api_endpoint=server.url,
        ca_certs=server.ca_certs,
        chunk_bytes=CHUNK_GRANULARITY,
        timeout_s=10,
        on_call=None if calls is None else calls.append,
        sleep=(waits if waits is not None else []).append,
    )


def publication(folder: VideoFolder, **changes: object) -> Publication:
    fields: dict[str, object] = {
        "video": folder / "video.mp4",
        "thumbnail": top_thumbnail(folder),
        "captions": folder / "subtitles.srt",
        "title": "How Black Holes Evaporate",
        "description": "Hawking radiation, explained.\n\n0:00 Intro",
        "tags": ["black holes", "hawking radiation", "physics"],
        "privacy": "unlisted",
    }
    return Publication.model_validate(fields | changes)


def test_upload_sets_the_top_thumbnail_and_captions(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    calls: list[ApiCall] = []
    record = uploader(server, calls).publish(folder, JOB, publication(folder))

    video = server.videos[record.youtube_video_id]
    assert server.video_bytes[record.youtube_video_id] == (folder / "video.mp4").read_bytes()
    assert video["snippet"]["title"] == "How Black Holes Evaporate"
    assert video["snippet"]["tags"] == ["black holes", "hawking radiation", "physics"]
    assert video["snippet"]["categoryId"] == "27"
    assert video["snippet"]["defaultLanguage"] == "en"
    assert video["status"]["privacyStatus"] == "unlisted"
    assert video["status"]["selfDeclaredMadeForKids"] is False
    # Three chunks, each starting where the last ended.
    [session] = server.sessions.values()
    assert session.chunks == [
        (0, CHUNK_GRANULARITY),
        (CHUNK_GRANULARITY, 2 * CHUNK_GRANULARITY),
        (2 * CHUNK_GRANULARITY, VIDEO_BYTES),
    ]
    # ranking.json's primary, not the first file.
    content_type, image = server.thumbnails[record.youtube_video_id]
    assert content_type == "image/png"
    assert image == (folder.thumbnails / "b.png").read_bytes()
    [caption] = server.captions.values()
    assert caption["resource"]["snippet"]["videoId"] == record.youtube_video_id
    assert caption["data"] == (folder / "subtitles.srt").read_bytes()

    saved = read_record(folder)
    assert saved == record
    assert record.idempotency_key.startswith(f"{JOB}:") and len(record.video_sha256) == 64
    assert record.thumbnail == "b.png" and record.captions_id == caption["resource"]["id"]
    assert record.url == f"https://www.youtube.com/watch?v={record.youtube_video_id}"
    assert [(c.operation, c.units) for c in calls] == [
        ("channels.list", 1),
        ("videos.insert", 1600),
        ("thumbnails.set", 50),
        ("captions.insert", 400),
    ]
    assert record.quota_units == QUOTA_UNITS


def test_publish_at_uploads_private_and_scheduled(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    record = uploader(server).publish(
        folder, JOB, publication(folder, privacy="public", publish_at=at)
    )
    status = server.videos[record.youtube_video_id]["status"]
    assert status["privacyStatus"] == "private"
    assert status["publishAt"] == at.isoformat().replace("+00:00", "Z")
    assert record.privacy_status == "private" and record.publish_at == at


def test_a_500_mid_upload_resumes_from_the_servers_range(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    # The second chunk: the server keeps half of it, then fails.
    server.script("chunk", "ok", "500_partial")
    waits: list[float] = []
    record = uploader(server, waits=waits).publish(folder, JOB, publication(folder))

    assert server.video_bytes[record.youtube_video_id] == (folder / "video.mp4").read_bytes()
    [session] = server.sessions.values()
    half = CHUNK_GRANULARITY + CHUNK_GRANULARITY // 2
    # After the failure the client asked where the session got to, then went on from the
    # byte after the server's Range, not from its own idea of progress and not from 0.
    assert session.chunks[:2] == [
        (0, CHUNK_GRANULARITY),
        (CHUNK_GRANULARITY, 2 * CHUNK_GRANULARITY),
    ]
    assert session.chunks[2][0] == half
    assert all(first > 0 for first, _ in session.chunks[1:])
    puts = server.calls("PUT", INSERT_PATH)
    assert [p.content_range for p in puts if "*" in (p.content_range or "")] == [
        f"bytes */{VIDEO_BYTES}"
    ]
    assert len(server.calls("POST", INSERT_PATH)) == 1  # one session, not a restart
    assert waits == [1.0]  # the API-error strategy: linear, first retry after 1 s


def test_server_errors_give_up_after_three_retries(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    server.script("chunk", "500", "500", "500", "500")
    waits: list[float] = []
    with pytest.raises(ProviderError) as info:
        uploader(server, waits=waits).publish(folder, JOB, publication(folder))
    assert info.value.kind is ErrorKind.api_error
    assert "videos.insert: HTTP 500 backendError" in str(info.value)
    assert waits == [1.0, 2.0, 3.0]
    assert read_record(folder) is None and not server.videos


def test_spent_quota_is_not_retried(server: YouTubeUploadServer, folder: VideoFolder) -> None:
    server.script("insert", "quota")
    waits: list[float] = []
    with pytest.raises(DailyQuotaSpent) as info:
        uploader(server, waits=waits).publish(folder, JOB, publication(folder))
    assert info.value.kind is ErrorKind.rejected
    assert "quotaExceeded" in str(info.value) and "midnight Pacific" in str(info.value)
    assert "<a" not in str(info.value)
    assert waits == [] and len(server.calls("POST", INSERT_PATH)) == 1
    assert read_record(folder) is None


def test_a_rerun_never_uploads_twice_and_completes_what_is_missing(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    server.script("captions", "forbidden")
    with pytest.raises(ProviderRejected, match=r"captions\.insert: HTTP 403"):
        uploader(server).publish(folder, JOB, publication(folder))
    first = read_record(folder)
    assert first is not None and first.thumbnail == "b.png" and first.captions_id is None

    calls: list[ApiCall] = []
    again = uploader(server, calls).publish(folder, JOB, publication(folder))
    assert again.youtube_video_id == first.youtube_video_id
    assert [c.operation for c in calls] == ["channels.list", "captions.insert"]
    assert len(server.videos) == 1 and len(server.calls("POST", INSERT_PATH)) == 1
    assert len(server.calls("POST", "/upload/youtube/v3/thumbnails/set")) == 1

    calls.clear()
    assert uploader(server, calls).publish(folder, JOB, publication(folder)) == again
    assert calls == []


def test_a_changed_video_is_refused(server: YouTubeUploadServer, folder: VideoFolder) -> None:
    uploader(server).publish(folder, JOB, publication(folder))
    (folder / "video.mp4").write_bytes(b"another cut" * 1000)
    with pytest.raises(UploadConflict, match="different content") as info:
        uploader(server).publish(folder, JOB, publication(folder))
    assert "\n" not in str(info.value)
    assert len(server.videos) == 1


def test_metadata_is_kept_within_the_apis_limits(folder: VideoFolder) -> None:
    body = publication(
        folder,
        title="<b>" + "x" * 200,
        description="é" * 4000,
        tags=[f"tag number {i}" for i in range(100)],
    ).resource()
    snippet = body["snippet"]
    assert len(snippet["title"]) == 100 and "<" not in snippet["title"]
    assert len(snippet["description"].encode()) <= 5000
    assert sum(len(t) + 2 for t in snippet["tags"]) + len(snippet["tags"]) - 1 <= 500


def test_secrets_never_appear_in_errors_or_logs(
    server: YouTubeUploadServer, folder: VideoFolder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # The token endpoint refuses, quoting the secret and the refresh token it was sent.
    with pytest.raises(ProviderRejected) as info:
        uploader(server, secret=CLIENT_SECRET + "-wrong").publish(folder, JOB, publication(folder))
    shown = "".join(traceback.format_exception(info.value)) + repr(info.value.args)
    assert "invalid_grant" in str(info.value)
    assert info.value.kind is ErrorKind.rejected
    for secret in (CLIENT_SECRET, REFRESH_TOKEN):
        assert secret not in shown
        assert secret not in caplog.text
    assert CLIENT_SECRET not in repr(server.oauth())
    assert not server.videos
    # And the token endpoint did answer with them: the test checks what it claims.
    assert server.calls("POST", "/token")


def test_a_broken_record_is_not_overwritten(folder: VideoFolder) -> None:
    (folder / "upload.json").write_text(json.dumps({"youtube_video_id": "x"}))
    with pytest.raises(UploadConflict, match="not a valid upload record"):
        read_record(folder)


OTHER_TOKEN = "1//0refresh-token-of-another-channel-klmnop"
OTHER_CHANNEL = "UCanotherchannel00000000"


class Crash(BaseException):
    """The process dying where the test says (not an error anything may catch)."""


def crash(_delay: float) -> None:
    raise Crash


def test_the_token_of_another_channel_is_refused_before_any_upload(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    other = server.add_identity(OTHER_TOKEN, OTHER_CHANNEL, "Someone Else's Channel")
    calls: list[ApiCall] = []
    refused = YouTubeUploader(
        server.oauth_for(other),
        expected_channel_id=CHANNEL_ID,
        channel="cosmos-explained",
        api_endpoint=server.url,
        ca_certs=server.ca_certs,
        chunk_bytes=CHUNK_GRANULARITY,
        timeout_s=10,
        on_call=calls.append,
    )
    with pytest.raises(ChannelMismatch) as info:
        refused.publish(folder, JOB, publication(folder))

    message = str(info.value)
    assert "\n" not in message and info.value.kind is ErrorKind.rejected
    assert "cosmos-explained" in message and OTHER_CHANNEL in message and CHANNEL_ID in message
    assert "Someone Else's Channel" in message
    assert [c.operation for c in calls] == ["channels.list"]
    [asked] = server.calls("GET", CHANNELS_PATH)
    assert (asked.params["part"], asked.params["mine"]) == ("id,snippet", "true")
    assert not server.calls("POST", INSERT_PATH) and not server.videos
    assert read_record(folder) is None and read_session(folder) is None


def test_a_channel_without_an_expected_id_is_refused_naming_the_tokens_channel(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    unchecked = YouTubeUploader(
        server.oauth(), expected_channel_id=None, api_endpoint=server.url, ca_certs=server.ca_certs
    )
    with pytest.raises(ChannelMismatch, match=f"names no youtube_channel_id.*{CHANNEL_ID}"):
        unchecked.publish(folder, JOB, publication(folder))
    assert not server.calls("POST", INSERT_PATH)


def test_each_identity_publishes_to_its_own_channel(
    server: YouTubeUploadServer, folder: VideoFolder, tmp_path: Path
) -> None:
    other = server.add_identity(OTHER_TOKEN, OTHER_CHANNEL, "Another Channel")
    second = VideoFolder(tmp_path / "runs", "0" * 31 + "2").create()
    (second / "video.mp4").write_bytes(random.Random(8).randbytes(VIDEO_BYTES))
    (second / "subtitles.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nHi.\n\n")

    mine = uploader(server).publish(folder, JOB, publication(folder))
    theirs = YouTubeUploader(
        server.oauth_for(other),
        expected_channel_id=OTHER_CHANNEL,
        api_endpoint=server.url,
        ca_certs=server.ca_certs,
        chunk_bytes=CHUNK_GRANULARITY,
    ).publish(second, "0" * 31 + "2", publication(second, thumbnail=None))

    assert server.videos_of(CHANNEL_ID) == [mine.youtube_video_id]
    assert server.videos_of(OTHER_CHANNEL) == [theirs.youtube_video_id]
    assert (mine.channel_id, theirs.channel_id) == (CHANNEL_ID, OTHER_CHANNEL)
    # Captions went on with each channel's own token (another's would be 403 forbidden).
    assert len(server.captions) == 2


def test_the_session_is_recorded_before_the_first_byte(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    server.script("chunk", "forbidden")  # the first chunk is refused: nothing more is sent
    with pytest.raises(ProviderRejected):
        uploader(server).publish(folder, JOB, publication(folder))
    session = read_session(folder)
    assert session is not None and read_record(folder) is None
    [upload_id] = server.sessions
    assert session.session_uri.endswith(f"upload_id={upload_id}")
    assert (session.size, session.channel_id) == (VIDEO_BYTES, CHANNEL_ID)
    assert session.idempotency_key == f"{JOB}:{session.video_sha256}"


def test_a_crash_mid_upload_resumes_the_recorded_session(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    # The second chunk: the server keeps half of it and fails; the process dies before the
    # client's own retry.
    server.script("chunk", "ok", "500_partial")
    with pytest.raises(Crash):
        YouTubeUploader(
            server.oauth(),
            expected_channel_id=CHANNEL_ID,
            api_endpoint=server.url,
            ca_certs=server.ca_certs,
            chunk_bytes=CHUNK_GRANULARITY,
            sleep=crash,
        ).publish(folder, JOB, publication(folder))
    assert read_session(folder) is not None and read_record(folder) is None

    record = uploader(server).publish(folder, JOB, publication(folder))

    assert server.video_bytes[record.youtube_video_id] == (folder / "video.mp4").read_bytes()
    assert len(server.calls("POST", INSERT_PATH)) == 1 and len(server.videos) == 1
    [session] = server.sessions.values()
    half = CHUNK_GRANULARITY + CHUNK_GRANULARITY // 2
    assert session.chunks[2][0] == half  # went on from the server's Range, not from 0
    queries = [p for p in server.calls("PUT", INSERT_PATH) if "*" in (p.content_range or "")]
    assert [q.content_range for q in queries] == [f"bytes */{VIDEO_BYTES}"]
    assert read_session(folder) is None and record.captions_id is not None


# A process that uploads ``video.mp4`` of a folder, to be killed while it waits.
UPLOADING = """
import sys
from pathlib import Path
from pydantic import SecretStr
from ytempire.providers.google_api import OAuthClient
from ytempire.publish.youtube import Publication, YouTubeUploader
from ytempire.workspace import VideoFolder

root, job, url, ca, token_uri, client_id, secret, token, channel, chunk = sys.argv[1:]
folder = VideoFolder(Path(root), job)
oauth = OAuthClient(client_id, SecretStr(secret), SecretStr(token), token_uri)
uploader = YouTubeUploader(
    oauth, expected_channel_id=channel, api_endpoint=url, ca_certs=Path(ca), chunk_bytes=int(chunk),
    timeout_s=60,
)
uploader.publish(folder, job, Publication(video=folder / "video.mp4", title="Killed"))
"""


def test_a_crash_after_the_last_byte_adopts_the_finished_video(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    # The server keeps the last chunk and makes the video, but never answers: the client is
    # killed waiting, before it can write upload.json.
    server.script("chunk", "ok", "ok", "hold")
    server.hang_s = 120  # longer than the test can take: only the kill ends the client
    arguments = [str(folder.path.parent), JOB, server.url, str(server.ca_certs)]
    arguments += [server.token_uri, server.client_id, CLIENT_SECRET, REFRESH_TOKEN, CHANNEL_ID]
    process = subprocess.Popen(
        [sys.executable, "-c", UPLOADING, *arguments, str(CHUNK_GRANULARITY)]
    )
    try:
        deadline = time.monotonic() + 60
        while not server.videos and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.videos, f"the upload did not finish (exit code {process.poll()})"
    finally:
        process.kill()
        process.wait()
    assert read_session(folder) is not None and read_record(folder) is None
    [video_id] = server.videos

    calls: list[ApiCall] = []
    record = uploader(server, calls).publish(folder, JOB, publication(folder))

    assert record.youtube_video_id == video_id and len(server.videos) == 1
    assert len(server.calls("POST", INSERT_PATH)) == 1
    [session] = server.sessions.values()
    assert len(session.chunks) == 3  # not a byte more: the session was asked, not resent
    assert [c.operation for c in calls] == [
        "channels.list",
        "videos.insert",
        "thumbnails.set",
        "captions.insert",
    ]
    assert read_record(folder) == record and read_session(folder) is None


def test_a_session_youtube_no_longer_knows_is_refused(
    server: YouTubeUploadServer, folder: VideoFolder
) -> None:
    digest = file_sha256(folder / "video.mp4")
    write_json(
        folder / SESSION_FILE,
        UploadSession(
            session_uri=f"{server.address}{INSERT_PATH}?uploadType=resumable&upload_id=expired",
            idempotency_key=f"{JOB}:{digest}",
            video_sha256=digest,
            size=VIDEO_BYTES,
            channel_id=CHANNEL_ID,
            started_at=datetime.now(UTC) - timedelta(days=8),
        ),
    )
    with pytest.raises(UploadConflict, match=r"is gone .*check YouTube") as info:
        uploader(server).publish(folder, JOB, publication(folder))
    assert "\n" not in str(info.value)
    assert not server.calls("POST", INSERT_PATH) and read_session(folder) is not None
