"""Publishing to YouTube: resumable upload, the top thumbnail, the captions; never twice,
never to another channel.

The one module that uploads to YouTube (YouTube Data API v3 through
``ytempire.providers.google_api``, acting for the channel with an :class:`OAuthClient`;
``ytempire.publish.identity`` says which). :meth:`YouTubeUploader.publish` makes these
calls, each at its quota price (units of the project's 10,000 a day, shared with trend
detection):

* ``channels.list`` (``part=id,snippet``, ``mine=true``) before anything else: which
  channel the token acts for. Not the channel's ``youtube_channel_id`` (or no such id to
  compare with): :class:`ChannelMismatch`, one line, nothing uploaded. 1 unit;
* ``videos.insert``, a resumable upload of ``video.mp4`` in chunks: 1600 units. Snippet
  (title, description, tags, category, language) and status (privacy; ``publishAt``
  schedules the release, so the video stays private until then; not made for kids);
* ``thumbnails.set`` with the top-ranked variant (``thumbnails/ranking.json``): 50 units;
* ``captions.insert`` with the narration's SRT: 400 units.

Never twice: as soon as ``videos.insert`` succeeds, ``upload.json`` (written atomically)
holds the YouTube video id and an idempotency key (the job's id and the SHA-256 of the
video file); each later step is added to it when it succeeds. A re-run reads it and makes
only the calls still missing. A video file that changed since it was uploaded is refused
(:class:`UploadConflict`): uploading it would publish a second video, which a person
should decide on.

The crash window between YouTube receiving the last byte and ``upload.json`` being written
is closed by ``upload-session.json``: the resumable session's URI, written atomically
before the first byte is sent to it (and removed once ``upload.json`` holds the video). A
run that finds one asks YouTube where that session stands (an empty ``PUT`` with
``Content-Range: bytes */SIZE``): 308 resumes from the server's ``Range``; 200/201 is the
finished video, adopted without sending a byte; a session YouTube no longer knows (404/410)
is refused (:class:`UploadConflict`): the video may be on the channel, a person checks.

Within one run an interrupted upload resumes where the server says it got to (a 5xx or a
dropped connection: the client asks for the session's ``Range`` and goes on from there),
waiting between attempts as the API-error strategy says (linear backoff, three retries).

A spent daily quota (403 ``quotaExceeded``) is ``google_api.DailyQuotaSpent``: no retry
helps before midnight Pacific time; the caller leaves the video in the outbox and a re-run
tomorrow uploads it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload
from pydantic import BaseModel, Field, ValidationError

from ytempire.providers import google_api
from ytempire.providers.google_api import OAuthClient
from ytempire.resilience.errors import (
    InvalidOutput,
    ProviderError,
    ProviderRejected,
    retry_delay,
)
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder, write_json

PROVIDER = "youtube"
ENGINE = "youtube-data-api"
RECORD_FILE = "upload.json"
SESSION_FILE = "upload-session.json"
RANKING_FILE = "ranking.json"
QUOTA_UNITS = {
    "channels.list": 1,
    "videos.insert": 1600,
    "thumbnails.set": 50,
    "captions.insert": 400,
}
# What one video costs when every step runs: what a day's plan must leave room for.
UNITS_PER_VIDEO = sum(QUOTA_UNITS.values())
WATCH_URL = "https://www.youtube.com/watch?v={}"
_Kept = TypeVar("_Kept", bound=BaseModel)

# The API's limits on metadata (videos.insert answers 400 otherwise).
TITLE_MAX_CHARS = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX_CHARS = 500


def oauth_from(settings: Settings) -> OAuthClient | None:
    """The channel's OAuth client from the settings; None (the outbox, no tracking) unless
    the client id, the client secret and the refresh token are all set."""
    client_id = settings.youtube_client_id
    secret, token = settings.youtube_client_secret, settings.youtube_refresh_token
    if not (client_id and secret and token):
        return None
    return OAuthClient(client_id, secret, token, settings.youtube_token_uri)


def uploader_from(
    settings: Settings,
    oauth: OAuthClient,
    *,
    expected_channel_id: str | None,
    channel: str,
    on_call: Callable[[ApiCall], None] | None = None,
) -> YouTubeUploader:
    return YouTubeUploader(
        oauth,
        expected_channel_id=expected_channel_id,
        channel=channel,
        api_endpoint=settings.youtube_upload_endpoint,
        ca_certs=settings.youtube_ca_certs,
        chunk_bytes=settings.youtube_upload_chunk_bytes,
        timeout_s=settings.youtube_timeout_s,
        retry_delay_scale=settings.retry_delay_scale,
        on_call=on_call,
    )


class UploadConflict(ValueError):
    """``upload.json`` records another version of the video: uploading would duplicate it."""


class ChannelMismatch(ProviderRejected):
    """The token does not act for the channel's ``youtube_channel_id`` (or there is none to
    check it against): refused before any upload, not retried."""


class ApiCall(NamedTuple):
    """One successful API call, for the caller to record."""

    operation: str
    units: int
    latency_ms: int


class Publication(BaseModel):
    """What to publish: the files and the metadata YouTube shows."""

    video: Path
    thumbnail: Path | None = None
    captions: Path | None = None
    title: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    category_id: str = "27"
    language: str = "en"
    privacy: str = Field(default="private", pattern=r"^(private|unlisted|public)$")
    publish_at: datetime | None = None

    def resource(self) -> dict[str, Any]:
        """The ``videos.insert`` body: snippet and status within the API's limits."""
        status: dict[str, Any] = {
            "privacyStatus": "private" if self.publish_at else self.privacy,
            "selfDeclaredMadeForKids": False,
        }
        if self.publish_at:
            status["publishAt"] = _rfc3339(self.publish_at)
        return {
            "snippet": {
                "title": _clip_chars(_no_angles(self.title), TITLE_MAX_CHARS),
                "description": _clip_bytes(_no_angles(self.description), DESCRIPTION_MAX_BYTES),
                "tags": _tags_within_limit(self.tags),
                "categoryId": self.category_id,
                "defaultLanguage": self.language,
                "defaultAudioLanguage": self.language,
            },
            "status": status,
        }


class UploadRecord(BaseModel):
    """``upload.json``: what is on YouTube for this video, step by step."""

    idempotency_key: str
    video_sha256: str
    youtube_video_id: str
    privacy_status: str
    publish_at: datetime | None = None
    uploaded_at: datetime
    thumbnail: str | None = Field(default=None, description="the file set as the thumbnail")
    captions_id: str | None = None
    channel_id: str | None = Field(default=None, description="the YouTube channel it went to")
    quota_units: dict[str, int] = Field(default_factory=dict)

    @property
    def url(self) -> str:
        return WATCH_URL.format(self.youtube_video_id)


class UploadSession(BaseModel):
    """``upload-session.json``: a resumable upload under way, recorded before its first byte."""

    session_uri: str
    idempotency_key: str
    video_sha256: str
    size: int = Field(ge=0)
    channel_id: str
    started_at: datetime


def read_session(folder: VideoFolder) -> UploadSession | None:
    """The video's recorded upload session, if one was started and not finished."""
    return _read(folder / SESSION_FILE, UploadSession, "upload session")


def read_record(folder: VideoFolder) -> UploadRecord | None:
    """The video's ``upload.json``, if it went to YouTube (a broken file is an error)."""
    return _read(folder / RECORD_FILE, UploadRecord, "upload record")


def _read(path: Path, model: type[_Kept], what: str) -> _Kept | None:
    try:
        return model.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValidationError as exc:
        raise UploadConflict(
            f"{path} is not a valid {what} ({exc.error_count()} errors); "
            "check YouTube before removing it, or the video may be uploaded twice"
        ) from None


def top_thumbnail(folder: VideoFolder) -> Path | None:
    """The variant ``thumbnails/ranking.json`` names as the one to upload, if it exists."""
    try:
        ranking = json.loads((folder.thumbnails / RANKING_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    primary = ranking.get("primary") if isinstance(ranking, dict) else None
    path = folder.thumbnails / primary if isinstance(primary, str) else None
    return path if path is not None and path.is_file() else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class YouTubeUploader:
    """Publishes videos to the channel the OAuth client's refresh token belongs to, once it
    has checked that this is ``expected_channel_id`` (``channel`` names our channel in
    messages).

    ``api_endpoint`` and ``ca_certs``: see ``google_api.service``. ``on_call`` hears of every
    successful call with its quota units. ``sleep`` waits between attempts (tests pass a
    fast one with ``retry_delay_scale``).
    """

    name = ENGINE

    def __init__(
        self,
        oauth: OAuthClient,
        *,
        expected_channel_id: str | None,
        channel: str = "default",
        api_endpoint: str | None = None,
        ca_certs: Path | None = None,
        chunk_bytes: int = 8 * 1024 * 1024,
        timeout_s: float = 120.0,
        retry_delay_scale: float = 1.0,
        on_call: Callable[[ApiCall], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if chunk_bytes <= 0 or chunk_bytes % (256 * 1024):
            raise ValueError(f"chunk_bytes must be a multiple of 256 KiB, got {chunk_bytes}")
        self._oauth = oauth
        self.expected_channel_id = expected_channel_id
        self.channel = channel
        self.api_endpoint = api_endpoint
        self.ca_certs = ca_certs
        self.chunk_bytes = chunk_bytes
        self.timeout_s = timeout_s
        self.retry_delay_scale = retry_delay_scale
        self._on_call = on_call
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"YouTubeUploader(client_id={self._oauth.client_id!r}, channel={self.channel!r})"

    def publish(self, folder: VideoFolder, job_id: str, publication: Publication) -> UploadRecord:
        """Check the channel, upload the video once, then add the thumbnail and captions if
        they are missing.

        Returns the up-to-date ``upload.json``. Raises ``ChannelMismatch`` when the token acts
        for another channel, ``UploadConflict`` when the video file is not the one uploaded
        (or being uploaded) before, a ``ProviderError`` when a call fails.
        """
        digest = file_sha256(publication.video)
        record = read_record(folder)
        if record is not None and record.video_sha256 != digest:
            raise UploadConflict(
                f"{folder / RECORD_FILE} says video {record.youtube_video_id} was uploaded from "
                f"different content (sha256 {record.video_sha256[:12]}…, now {digest[:12]}…); "
                "remove that file to upload the new cut as another video"
            )
        if record is not None and not _still_to_do(record, publication):
            return record
        service = self._service()
        channel_id = self.verify_channel(service)
        if record is None:
            record = self._insert(
                service, folder, f"{job_id}:{digest}", digest, publication, channel_id
            )
        else:
            if record.channel_id not in (None, channel_id):
                raise ChannelMismatch(
                    PROVIDER,
                    f"channel {self.channel!r}: {folder / RECORD_FILE} says video "
                    f"{record.youtube_video_id} is on {record.channel_id}, but the token acts "
                    f"for {channel_id}",
                )
            record = self._save(folder, record, "channels.list", channel_id=channel_id)
        if publication.thumbnail and record.thumbnail is None:
            self._set_thumbnail(service, record.youtube_video_id, publication.thumbnail)
            record = self._save(
                folder, record, "thumbnails.set", thumbnail=publication.thumbnail.name
            )
        if publication.captions and record.captions_id is None:
            captions_id = self._insert_captions(
                service, record.youtube_video_id, publication.captions, publication.language
            )
            record = self._save(folder, record, "captions.insert", captions_id=captions_id)
        return record

    def _service(self) -> Any:
        """The YouTube Data API client for this channel's token."""
        return google_api.service(
            "youtube",
            "v3",
            api_endpoint=self.api_endpoint,
            timeout_s=self.timeout_s,
            oauth=self._oauth,
            ca_certs=self.ca_certs,
        )

    def set_thumbnail(self, youtube_video_id: str, path: Path) -> None:
        """Replace a published video's thumbnail (a thumbnail test's rotation), once the
        token is checked to act for the expected channel."""
        service = self._service()
        self.verify_channel(service)
        self._set_thumbnail(service, youtube_video_id, path)

    def verify_channel(self, service: Any) -> str:
        """The id of the channel the token acts for (``channels.list mine=true``), when it is
        the expected one; else ``ChannelMismatch``."""
        answer = self._execute(
            "channels.list", service.channels().list(part="id,snippet", mine=True)
        )
        items = answer.get("items") if isinstance(answer, dict) else None
        first = items[0] if isinstance(items, list) and items else None
        actual = first.get("id") if isinstance(first, dict) else None
        if not isinstance(actual, str) or not actual:
            raise ChannelMismatch(
                PROVIDER,
                f"channel {self.channel!r}: channels.list mine=true names no YouTube channel: "
                "the token's Google account has none; nothing uploaded",
            )
        snippet = first.get("snippet") if isinstance(first, dict) else None
        title = snippet.get("title") if isinstance(snippet, dict) else None
        acts_for = f"{actual} ({title!r})" if title else actual
        if self.expected_channel_id is None:
            raise ChannelMismatch(
                PROVIDER,
                f"channel {self.channel!r} names no youtube_channel_id to check its token "
                f"against (the token acts for {acts_for}): set it in the channel's profile "
                "(YTEMPIRE_YOUTUBE_CHANNEL_ID for the default channel); nothing uploaded",
            )
        if actual != self.expected_channel_id:
            raise ChannelMismatch(
                PROVIDER,
                f"channel {self.channel!r}: the token acts for YouTube channel {acts_for}, "
                f"not {self.expected_channel_id}; nothing uploaded",
            )
        return actual

    def _insert(
        self,
        service: Any,
        folder: VideoFolder,
        key: str,
        digest: str,
        publication: Publication,
        channel_id: str,
    ) -> UploadRecord:
        session = read_session(folder)
        if session is not None and (session.video_sha256, session.channel_id) != (
            digest,
            channel_id,
        ):
            raise UploadConflict(
                f"{folder / SESSION_FILE} records an upload of other content or to another "
                f"channel ({session.channel_id}, sha256 {session.video_sha256[:12]}…); check "
                "that channel on YouTube for it, then remove that file to upload this video"
            )
        media = MediaFileUpload(
            str(publication.video),
            mimetype="video/mp4",
            chunksize=self.chunk_bytes,
            resumable=True,
        )
        body = publication.resource()
        request = service.videos().insert(
            part="snippet,status", body=body, media_body=media, notifySubscribers=True
        )

        def remember(uri: str) -> None:
            size = media.size()
            write_json(
                folder / SESSION_FILE,
                UploadSession(
                    session_uri=uri,
                    idempotency_key=key,
                    video_sha256=digest,
                    size=size,
                    channel_id=channel_id,
                    started_at=datetime.now(UTC),
                ),
            )

        started = time.monotonic()
        transport = _SessionRecorder(
            request.http, remember, session.session_uri if session else None
        )
        resume = folder / SESSION_FILE if session is not None else None
        answer = self._resumable(request, transport, resume=resume)
        video_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(video_id, str) or not video_id:
            raise InvalidOutput(PROVIDER, "videos.insert: the answer names no video id")
        status = answer.get("status") if isinstance(answer.get("status"), dict) else {}
        record = UploadRecord(
            idempotency_key=key,
            video_sha256=digest,
            youtube_video_id=video_id,
            privacy_status=str(status.get("privacyStatus") or body["status"]["privacyStatus"]),
            publish_at=publication.publish_at,
            uploaded_at=datetime.now(UTC),
            channel_id=channel_id,
            quota_units={
                "channels.list": QUOTA_UNITS["channels.list"],
                "videos.insert": QUOTA_UNITS["videos.insert"],
            },
        )
        # Before anything else can fail: from here on a re-run must not upload again.
        write_json(folder / RECORD_FILE, record)
        (folder / SESSION_FILE).unlink(missing_ok=True)
        self._heard("videos.insert", started)
        return record

    def _resumable(self, request: Any, transport: _SessionRecorder, *, resume: Path | None) -> Any:
        """Send the chunks until the server answers with the video; retry per policy,
        resuming from the server's ``Range`` after a failure. With ``resume`` (the session
        file) the recorded session is asked where it stands first."""
        failures = 0
        ask = resume is not None
        while True:
            answer = None
            try:
                with google_api.translated(
                    PROVIDER,
                    "videos.insert",
                    timeout_s=self.timeout_s,
                    secrets=self._oauth.secrets,
                ):
                    if resume is not None and ask:
                        answer = _where_session_stands(request, transport, resume)
                        ask = False
                    if answer is None:
                        _progress, answer = request.next_chunk(http=transport, num_retries=0)
            except ProviderError as exc:
                failures += 1
                delay = retry_delay(exc, failures, scale=self.retry_delay_scale)
                if delay is None:
                    raise
                self._sleep(delay)
                continue
            failures = 0  # the strategy's retries count failures in a row, not per upload
            if answer is not None:
                return answer

    def _set_thumbnail(self, service: Any, video_id: str, path: Path) -> None:
        mimetype = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
        request = service.thumbnails().set(
            videoId=video_id, media_body=MediaFileUpload(str(path), mimetype=mimetype)
        )
        self._execute("thumbnails.set", request)

    def _insert_captions(self, service: Any, video_id: str, srt: Path, language: str) -> str:
        request = service.captions().insert(
            part="snippet",
            body={
                "snippet": {
                    "videoId": video_id,
                    "language": language,
                    "name": "",
                    "isDraft": False,
                }
            },
            media_body=MediaFileUpload(str(srt), mimetype="application/octet-stream"),
        )
        answer = self._execute("captions.insert", request)
        captions_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(captions_id, str) or not captions_id:
            raise InvalidOutput(PROVIDER, "captions.insert: the answer names no caption id")
        return captions_id

    def _execute(self, call: str, request: Any) -> Any:
        started = time.monotonic()
        with google_api.translated(
            PROVIDER, call, timeout_s=self.timeout_s, secrets=self._oauth.secrets
        ):
            answer = request.execute(num_retries=0)
        self._heard(call, started)
        return answer

    def _save(
        self, folder: VideoFolder, record: UploadRecord, call: str, **changes: Any
    ) -> UploadRecord:
        units = {**record.quota_units, call: record.quota_units.get(call, 0) + QUOTA_UNITS[call]}
        updated = record.model_copy(update={**changes, "quota_units": units})
        write_json(folder / RECORD_FILE, updated)
        return updated

    def _heard(self, call: str, started: float) -> None:
        if self._on_call:
            latency = round((time.monotonic() - started) * 1000)
            self._on_call(ApiCall(call, QUOTA_UNITS[call], latency))


class _SessionRecorder:
    """The upload's transport: before the first byte goes to a resumable session, hands its
    URI to ``remember`` (which records it); passes every request on to ``http``."""

    def __init__(self, http: Any, remember: Callable[[str], None], recorded: str | None) -> None:
        self._http = http
        self._remember = remember
        self.recorded = recorded

    def request(
        self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **more: Any
    ) -> Any:
        if method == "PUT" and uri != self.recorded:
            self._remember(uri)
            self.recorded = uri
        return self._http.request(uri, method=method, body=body, headers=headers, **more)


def _where_session_stands(request: Any, transport: _SessionRecorder, record: Path) -> Any:
    """Ask the recorded session how far it got (an empty PUT, ``bytes */SIZE``): the finished
    video's resource (200/201), or None with ``request`` set to go on from the server's
    ``Range`` (308). A session the server no longer knows is an ``UploadConflict``."""
    uri = transport.recorded
    assert uri is not None
    headers = {"Content-Range": f"bytes */{request.resumable.size()}", "Content-Length": "0"}
    resp, content = transport.request(uri, "PUT", headers=headers)
    if resp.status in (200, 201):
        return request.postproc(resp, content)
    if resp.status == 308:
        received = resp.get("range")  # "bytes=0-N"; none: nothing kept yet
        request.resumable_uri = uri
        request.resumable_progress = int(received.split("-")[1]) + 1 if received else 0
        return None
    if resp.status in (404, 410):
        raise UploadConflict(
            f"the upload session recorded in {record} is gone (HTTP {resp.status}: expired or "
            "cancelled); the video may be on the channel: check YouTube, then remove that "
            "file to upload again"
        )
    raise HttpError(resp, content, uri=uri)  # translated by the caller: 5xx are retried


def _still_to_do(record: UploadRecord, publication: Publication) -> bool:
    """Whether ``publication`` asks for a step ``record`` does not have yet."""
    return bool(
        (publication.thumbnail and record.thumbnail is None)
        or (publication.captions and record.captions_id is None)
    )


def _rfc3339(moment: datetime) -> str:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _no_angles(text: str) -> str:
    # The API refuses titles and descriptions containing < or >.
    return text.replace("<", "‹").replace(">", "›")


def _clip_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clip_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore").rstrip() + "…"


def _tags_within_limit(tags: list[str]) -> list[str]:
    """The tags that fit YouTube's 500 characters (a tag with spaces counts its quotes)."""
    kept: list[str] = []
    used = 0
    for tag in dict.fromkeys(t.strip().replace("<", "").replace(">", "") for t in tags):
        cost = len(tag) + (2 if " " in tag else 0) + (1 if kept else 0)
        if not tag or used + cost > TAGS_MAX_CHARS:
            continue
        kept.append(tag)
        used += cost
    return kept
