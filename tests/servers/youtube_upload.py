"""A local stand-in for what publishing and tracking call: Google's OAuth token endpoint,
YouTube Data API v3 (``channels.list mine=true``, ``videos.insert`` resumable,
``thumbnails.set``, ``captions.insert``) and the YouTube Analytics API v2 (``reports.query``).

It knows several OAuth identities (:meth:`YouTubeUploadServer.add_identity`), each a client,
a refresh token and the YouTube channel it acts for: an access token the token endpoint
issues acts for that channel, a video belongs to the channel whose token uploaded it
(:attr:`YouTubeUploadServer.owners`, and ``snippet.channelId``), and thumbnails, captions
and analytics of another channel's video are 403 ``forbidden``, as on YouTube.

It speaks TLS: ``googleapiclient`` sends media uploads to the discovery document's
``https`` URL with only the host swapped for ``api_endpoint``, so an ``http://`` stand-in
never sees them. The server makes a throwaway self-signed certificate for 127.0.0.1; give
the client :attr:`YouTubeUploadServer.ca_certs`.

Paths, as the real client sends them (discovery documents shipped with the client):

* ``POST /token`` (form: ``grant_type=refresh_token``, client id and secret, refresh token):
  an access token, or 400 ``invalid_grant`` quoting what it was sent (as careless servers
  and proxies do: the client must not repeat it);
* ``GET /youtube/v3/channels?part=id,snippet&mine=true``: the token's channel;
* ``POST /upload/youtube/v3/videos?uploadType=resumable&part=...``: the metadata; answers 200
  with ``Location`` (the session URI, ``upload_id=``);
* ``PUT`` to the session URI with ``Content-Range: bytes a-b/total``: 308 Resume Incomplete with
  ``Range: bytes=0-n`` until the last byte, then 200 with the video resource;
  ``Content-Range: bytes */total`` asks where the session got to;
* ``POST /upload/youtube/v3/thumbnails/set?videoId=...&uploadType=media``;
* ``POST /upload/youtube/v3/captions?part=snippet&uploadType=multipart`` (multipart/related:
  the JSON snippet, then the caption file);
* ``GET /v2/reports?ids=channel==MINE&startDate&endDate&metrics&dimensions=day&filters=video==ID``.

Every API request needs a bearer token the token endpoint issued. Rules a client can trip
over are enforced: title 1–100 characters without ``<``/``>``, description ≤ 5000 bytes,
``publishAt`` only with ``private`` and in the future, chunks other than the last a multiple
of 256 KiB, no gap in the bytes, thumbnails PNG/JPEG ≤ 2 MB, unknown Analytics metrics 400.

Trouble is scripted per route (:meth:`YouTubeUploadServer.script`): ``"500"``,
``"500_partial"`` (a chunk: keep its first half, then fail: the client must resume from the
server's Range), ``"quota"`` (403 ``quotaExceeded``), ``"rate"`` (403
``rateLimitExceeded``), ``"forbidden"`` (403), ``"hold"`` (a chunk: keep it whole, then never
answer, as if the client died waiting for the answer: the crash window after the last byte).
"""

from __future__ import annotations

import email
import hashlib
import ipaddress
import itertools
import json
import re
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from tests.servers.base import ProviderServer, QuietHandler
from ytempire.providers.google_api import OAuthClient

TOKEN_PATH = "/token"
INSERT_PATH = "/upload/youtube/v3/videos"
THUMBNAILS_PATH = "/upload/youtube/v3/thumbnails/set"
CAPTIONS_PATH = "/upload/youtube/v3/captions"
REPORTS_PATH = "/v2/reports"
CHANNELS_PATH = "/youtube/v3/channels"
# The channel's OAuth client the server knows (tests check none of these leak).
CLIENT_ID = "1234-test.apps.googleusercontent.com"
CLIENT_SECRET = "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"
REFRESH_TOKEN = "1//0refresh-token-never-shown-abcdefghij"
# The YouTube channel that refresh token acts for (a channel id is UC + 22 characters).
CHANNEL_ID = "UCtestchannel00000000000"
ROUTES = frozenset({"token", "channels", "insert", "chunk", "thumbnails", "captions", "reports"})
CHUNK_GRANULARITY = 256 * 1024
THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
# The Analytics API metrics this stand-in knows (a subset of the real list); anything else
# is answered as the API answers an unknown metric. Impressions are not among them: the
# Analytics API has no thumbnail impressions (the Reporting API's reach reports do).
KNOWN_METRICS = frozenset(
    {
        "views",
        "averageViewDuration",
        "averageViewPercentage",
        "estimatedMinutesWatched",
        "likes",
        "subscribersGained",
        "cardImpressions",
        "cardClickRate",
    }
)

_ERRORS = {
    "500": (500, "global", "backendError", "Backend Error"),
    "quota": (
        403,
        "youtube.quota",
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
    ),
    "rate": (403, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
    "forbidden": (403, "global", "forbidden", "Forbidden"),
}


@dataclass(frozen=True)
class Identity:
    """An OAuth client and a refresh token, and the YouTube channel they act for."""

    client_id: str
    client_secret: str
    refresh_token: str
    channel_id: str
    title: str


@dataclass
class Session:
    """One resumable upload session."""

    upload_id: str
    resource: dict[str, Any]
    total: int
    channel_id: str
    data: bytearray = field(default_factory=bytearray)
    # (first byte, end) of every chunk received, in order, failed ones too.
    chunks: list[tuple[int, int]] = field(default_factory=list)
    video_id: str | None = None


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    content_range: str | None


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class YouTubeUploadServer(ProviderServer):
    """The stand-in; a context manager. Point the uploader at :attr:`url`, the token endpoint
    at :attr:`token_uri`, and trust :attr:`ca_certs`."""

    behaviours = frozenset({"ok", "500", "500_partial", "quota", "rate", "forbidden", "hold"})

    def __init__(
        self,
        folder: Path,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        refresh_token: str = REFRESH_TOKEN,
        channel_id: str = CHANNEL_ID,
    ) -> None:
        super().__init__(_handler_for(self))
        self.ca_certs, key = make_certificate(folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_certs, key)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.channel_id = channel_id
        # refresh token → identity; access token → the channel it acts for
        self.identities: dict[str, Identity] = {}
        self.tokens: dict[str, str] = {}
        self.add_identity(refresh_token, channel_id, "Test Channel", client_id, client_secret)
        self.sessions: dict[str, Session] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        # youtube video id → the channel it was uploaded to (tests may add videos of their own)
        self.owners: dict[str, str] = {}
        self.video_bytes: dict[str, bytes] = {}
        self.thumbnails: dict[str, tuple[str, bytes]] = {}
        self.captions: dict[str, dict[str, Any]] = {}
        # youtube video id → day → (views, average view duration in seconds)
        self.performance: dict[str, dict[date, tuple[int, int]]] = {}
        self.requests: list[Recorded] = []
        self._scripts: dict[str, deque[str]] = {}
        self._ids = itertools.count(1)

    @property
    def address(self) -> str:
        return super().address.replace("http://", "https://")

    @property
    def url(self) -> str:
        """The API root to give the client as ``api_endpoint``."""
        return f"{self.address}/"

    @property
    def token_uri(self) -> str:
        return f"{self.address}{TOKEN_PATH}"

    def oauth(self, client_secret: str = CLIENT_SECRET) -> OAuthClient:
        """The OAuth client a channel would configure, against this server's token endpoint."""
        return OAuthClient(
            self.client_id, SecretStr(client_secret), SecretStr(self.refresh_token), self.token_uri
        )

    def add_identity(
        self,
        refresh_token: str,
        channel_id: str,
        title: str,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
    ) -> Identity:
        """Know another channel owner's refresh token (of this or another OAuth client)."""
        identity = Identity(client_id, client_secret, refresh_token, channel_id, title)
        with self._lock:
            self.identities[refresh_token] = identity
        return identity

    def oauth_for(self, identity: Identity) -> OAuthClient:
        return OAuthClient(
            identity.client_id,
            SecretStr(identity.client_secret),
            SecretStr(identity.refresh_token),
            self.token_uri,
        )

    def videos_of(self, channel_id: str) -> list[str]:
        """The ids of the videos uploaded to ``channel_id``, in upload order."""
        with self._lock:
            return [v for v, owner in self.owners.items() if owner == channel_id]

    def script(self, route: str, *behaviours: str) -> None:
        """Answer the next requests to ``route`` (one of :data:`ROUTES`) with these behaviours."""
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}")
        self._check(behaviours)
        with self._lock:
            self._scripts.setdefault(route, deque()).extend(behaviours)

    def calls(self, method: str, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def _behaviour(self, route: str) -> str:
        with self._lock:
            queue = self._scripts.get(route)
            return queue.popleft() if queue else "ok"

    def _new_id(self, prefix: str) -> str:
        return hashlib.sha1(f"{prefix}{next(self._ids)}".encode()).hexdigest()[:11]

    # -- the token endpoint ----------------------------------------------------------------

    def grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        sent_secret, sent_token = form.get("client_secret", ""), form.get("refresh_token", "")
        identity = self.identities.get(sent_token)
        if (
            form.get("grant_type") != "refresh_token"
            or identity is None
            or form.get("client_id") != identity.client_id
            or sent_secret != identity.client_secret
        ):
            return 400, {
                "error": "invalid_grant",
                "error_description": (
                    f"Bad Request: refresh_token={sent_token} with client_secret={sent_secret}"
                    " is expired or revoked"
                ),
            }
        token = f"ya29.test-{self._new_id('token')}"
        with self._lock:
            self.tokens[token] = identity.channel_id
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def channel_of(self, header: str | None) -> str | None:
        """The channel an ``Authorization`` header's access token acts for (None: no token)."""
        with self._lock:
            return self.tokens.get((header or "").removeprefix("Bearer "))

    def _not_owner(self, channel: str, video_id: str) -> bool:
        # A video the tests made up without an upload has no recorded owner: anyone's.
        owner = self.owners.get(video_id)
        return owner is not None and owner != channel

    # -- channels.list -----------------------------------------------------------------------

    def my_channel(self, channel: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if "part" not in params:
            return _error(400, "global", "required", "Required parameter: part")
        if params.get("mine") != "true":
            return _error(400, "global", "badRequest", "this stand-in answers mine=true only")
        title = next(
            (i.title for i in self.identities.values() if i.channel_id == channel), channel
        )
        item: dict[str, Any] = {"kind": "youtube#channel", "id": channel}
        if "snippet" in params["part"].split(","):
            item["snippet"] = {"title": title, "description": "", "customUrl": f"@{channel}"}
        return 200, {
            "kind": "youtube#channelListResponse",
            "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
            "items": [item],
        }

    # -- videos.insert -----------------------------------------------------------------------

    def start_upload(
        self, channel: str, params: dict[str, str], body: bytes, length: str | None
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        if params.get("uploadType") != "resumable":
            return *_error(400, "global", "badRequest", "expected uploadType=resumable"), {}
        if "part" not in params:
            return *_error(400, "global", "required", "Required parameter: part"), {}
        try:
            resource = json.loads(body)
        except json.JSONDecodeError:
            return *_error(400, "global", "parseError", "Parse Error"), {}
        problem = _invalid_video(resource)
        if problem:
            return *_error(400, "youtube.video", *problem), {}
        if length is None or not length.isdigit():
            return *_error(400, "global", "badRequest", "X-Upload-Content-Length needed"), {}
        upload_id = self._new_id("upload")
        with self._lock:
            self.sessions[upload_id] = Session(upload_id, resource, int(length), channel)
        location = f"{self.address}{INSERT_PATH}?uploadType=resumable&upload_id={upload_id}"
        return 200, None, {"Location": location}

    def put_chunk(
        self, upload_id: str, content_range: str | None, data: bytes, behaviour: str
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        session = self.sessions.get(upload_id)
        if session is None:
            return *_error(404, "global", "notFound", "No such upload session"), {}
        query = re.fullmatch(r"bytes \*/(\d+)", content_range or "")
        chunk = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", content_range or "")
        if query:
            return self._where(session)
        if chunk is None:
            return *_error(400, "global", "badRequest", "Content-Range needed"), {}
        first, last = int(chunk[1]), int(chunk[2])
        with self._lock:
            session.chunks.append((first, last + 1))
        if last - first + 1 != len(data):
            return *_error(400, "global", "badRequest", "Content-Range disagrees with body"), {}
        received = len(session.data)
        if first > received:
            return *_error(400, "global", "badRequest", "chunk leaves a gap"), {}
        final = last + 1 == session.total
        if not final and len(data) % CHUNK_GRANULARITY:
            return *_error(400, "global", "badRequest", "chunk not a multiple of 256 KiB"), {}
        if behaviour == "500_partial":
            kept = data[: len(data) // 2]
            session.data[first:] = kept
            return *_error(*_ERRORS["500"]), {}
        if behaviour in _ERRORS:
            return *_error(*_ERRORS[behaviour]), {}
        session.data[first:] = data
        return self._where(session)  # "hold": the handler then answers nothing

    def _where(self, session: Session) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        if len(session.data) < session.total:
            # 308 Resume Incomplete, with the bytes kept so far (none: no Range header).
            headers = {"Range": f"bytes=0-{len(session.data) - 1}"} if session.data else {}
            return 308, None, headers
        if session.video_id is None:
            session.video_id = self._new_id("video")
            resource = _video_resource(session.video_id, session.resource, session.channel_id)
            with self._lock:
                self.owners[session.video_id] = session.channel_id
                self.videos[session.video_id] = resource
                self.video_bytes[session.video_id] = bytes(session.data)
        return 200, self.videos[session.video_id], {}

    # -- thumbnails, captions ------------------------------------------------------------------

    def set_thumbnail(
        self, channel: str, params: dict[str, str], content_type: str, data: bytes
    ) -> tuple[int, dict[str, Any]]:
        video_id = params.get("videoId", "")
        if video_id not in self.videos:
            return _error(404, "youtube.thumbnail", "videoNotFound", "Video not found")
        if self._not_owner(channel, video_id):
            return _error(*_ERRORS["forbidden"])
        if content_type not in ("image/png", "image/jpeg"):
            return _error(400, "youtube.thumbnail", "invalidImage", "The image is invalid")
        if len(data) > THUMBNAIL_MAX_BYTES:
            return _error(400, "global", "mediaBodyTooBig", "The image is larger than 2 MB")
        with self._lock:
            self.thumbnails[video_id] = (content_type, data)
        url = f"https://i.ytimg.com/vi/{video_id}/default.jpg"
        return 200, {
            "kind": "youtube#thumbnailSetResponse",
            "items": [{"default": {"url": url, "width": 120, "height": 90}}],
        }

    def insert_captions(
        self, channel: str, content_type: str, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        message = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        parts = message.get_payload() if message.is_multipart() else []
        if not isinstance(parts, list) or len(parts) != 2:
            return _error(400, "global", "badRequest", "expected multipart/related, 2 parts")
        snippet = json.loads(parts[0].get_payload()).get("snippet", {})
        data = parts[1].get_payload(decode=True)
        if snippet.get("videoId") not in self.videos:
            return _error(404, "youtube.caption", "videoNotFound", "Video not found")
        if self._not_owner(channel, snippet["videoId"]):
            return _error(*_ERRORS["forbidden"])
        if not snippet.get("language"):
            return _error(400, "youtube.caption", "invalidMetadata", "language needed")
        caption_id = f"AUieDa{self._new_id('caption')}"
        resource = {
            "kind": "youtube#caption",
            "id": caption_id,
            "snippet": {
                **snippet,
                "trackKind": "standard",
                "status": "serving",
                "lastUpdated": datetime.now(UTC).isoformat(),
            },
        }
        with self._lock:
            self.captions[caption_id] = {"resource": resource, "data": data}
        return 200, resource

    # -- YouTube Analytics ---------------------------------------------------------------------

    def report(self, channel: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        for name in ("ids", "startDate", "endDate", "metrics"):
            if name not in params:
                return _error(400, "global", "required", f"Required parameter: {name}")
        metrics = params["metrics"].split(",")
        unknown = [m for m in metrics if m not in KNOWN_METRICS]
        if unknown:
            return _error(
                400,
                "global",
                "badRequest",
                f"Unknown identifier ({unknown[0]}) given in field parameters.metrics.",
            )
        if params.get("dimensions") != "day":
            return _error(400, "global", "badRequest", "The query is not supported.")
        wanted = re.fullmatch(r"video==([\w-]+)", params.get("filters", ""))
        if wanted is None:
            return _error(400, "global", "badRequest", "The query is not supported.")
        if self._not_owner(channel, wanted[1]):
            return _error(*_ERRORS["forbidden"])
        start = date.fromisoformat(params["startDate"])
        end = date.fromisoformat(params["endDate"])
        days = self.performance.get(wanted[1], {})
        rows = []
        for day in sorted(d for d in days if start <= d <= end):
            views, duration = days[day]
            values = {"views": views, "averageViewDuration": duration}
            rows.append([day.isoformat(), *(values.get(m, 0) for m in metrics)])
        headers = [{"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}]
        headers += [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
        answer: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
        if rows:  # the API leaves "rows" out when there is no data
            answer["rows"] = rows
        return 200, answer


def _invalid_video(resource: Any) -> tuple[str, str] | None:
    snippet = resource.get("snippet", {}) if isinstance(resource, dict) else {}
    status = resource.get("status", {}) if isinstance(resource, dict) else {}
    title = snippet.get("title", "")
    if not title or len(title) > 100 or "<" in title or ">" in title:
        return "invalidTitle", "The request metadata specifies an invalid video title."
    description = snippet.get("description", "")
    if len(description.encode()) > 5000 or "<" in description or ">" in description:
        return "invalidDescription", "The request metadata specifies an invalid description."
    if status.get("privacyStatus") not in ("private", "unlisted", "public"):
        return "invalidVideoMetadata", "The request metadata is invalid."
    publish_at = status.get("publishAt")
    if publish_at is not None:
        moment = datetime.fromisoformat(publish_at.replace("Z", "+00:00"))
        if status["privacyStatus"] != "private" or moment <= datetime.now(UTC):
            return "invalidPublishAt", "The request metadata specifies an invalid publishAt."
    return None


def _video_resource(video_id: str, resource: dict[str, Any], channel_id: str) -> dict[str, Any]:
    status = resource.get("status", {})
    return {
        "kind": "youtube#video",
        "id": video_id,
        "snippet": {
            **resource.get("snippet", {}),
            "publishedAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "channelId": channel_id,
        },
        "status": {
            "uploadStatus": "uploaded",
            "privacyStatus": status.get("privacyStatus", "public"),
            **({"publishAt": status["publishAt"]} if "publishAt" in status else {}),
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "selfDeclaredMadeForKids": status.get("selfDeclaredMadeForKids", False),
        },
    }


def _error(status: int, domain: str, reason: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


def _handler_for(server: YouTubeUploadServer) -> type[QuietHandler]:
    lock = threading.Lock()

    class Handler(QuietHandler):
        def _route(self) -> tuple[str, dict[str, str]]:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with lock:
                server.requests.append(
                    Recorded(self.command, parts.path, params, self.headers.get("Content-Range"))
                )
            return parts.path, params

        def _reply(
            self, status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None
        ) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_body(status, data, headers)

        def _caller(self) -> str | None:
            """The channel the request's token acts for; None after answering 401."""
            channel = server.channel_of(self.headers.get("Authorization"))
            if channel is None:
                self._reply(
                    *_error(401, "global", "authError", "Invalid Credentials"),
                    {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
                )
            return channel

        def do_POST(self) -> None:
            path, params = self._route()
            body = self.read_body()
            with server.answering():
                if path == TOKEN_PATH:
                    behaviour = server._behaviour("token")
                    if behaviour in _ERRORS:
                        self._reply(*_error(*_ERRORS[behaviour]))
                        return
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    self._reply(*server.grant(form))
                    return
                channel = self._caller()
                if channel is None:
                    return
                if path == INSERT_PATH:
                    behaviour = server._behaviour("insert")
                    if behaviour in _ERRORS:
                        self._reply(*_error(*_ERRORS[behaviour]))
                        return
                    length = self.headers.get("X-Upload-Content-Length")
                    self._reply(*server.start_upload(channel, params, body, length))
                elif path == THUMBNAILS_PATH:
                    behaviour = server._behaviour("thumbnails")
                    if behaviour in _ERRORS:
                        self._reply(*_error(*_ERRORS[behaviour]))
                        return
                    content_type = self.headers.get("Content-Type", "")
                    self._reply(*server.set_thumbnail(channel, params, content_type, body))
                elif path == CAPTIONS_PATH:
                    behaviour = server._behaviour("captions")
                    if behaviour in _ERRORS:
                        self._reply(*_error(*_ERRORS[behaviour]))
                        return
                    content_type = self.headers.get("Content-Type", "")
                    self._reply(*server.insert_captions(channel, content_type, body))
                else:
                    self._reply(*_error(404, "global", "notFound", f"Not found: {path}"))

        def do_PUT(self) -> None:
            path, params = self._route()
            body = self.read_body()
            with server.answering():
                if self._caller() is None:
                    return
                if path != INSERT_PATH or "upload_id" not in params:
                    self._reply(*_error(404, "global", "notFound", f"Not found: {path}"))
                    return
                content_range = self.headers.get("Content-Range")
                # A status query is no chunk: scripted trouble is for chunks.
                is_query = (content_range or "").startswith("bytes */")
                behaviour = "ok" if is_query else server._behaviour("chunk")
                answer = server.put_chunk(params["upload_id"], content_range, body, behaviour)
                if behaviour == "hold":
                    server.hang()  # the client never hears: it dies waiting, or times out
                    return
                self._reply(*answer)

        def do_GET(self) -> None:
            path, params = self._route()
            with server.answering():
                channel = self._caller()
                if channel is None:
                    return
                if path == CHANNELS_PATH:
                    behaviour = server._behaviour("channels")
                    if behaviour in _ERRORS:
                        self._reply(*_error(*_ERRORS[behaviour]))
                        return
                    self._reply(*server.my_channel(channel, params))
                elif path == REPORTS_PATH:
                    behaviour = server._behaviour("reports")
                    if behaviour in _ERRORS:
                        self._reply(*_error(*_ERRORS[behaviour]))
                        return
                    self._reply(*server.report(channel, params))
                else:
                    self._reply(*_error(404, "global", "notFound", f"Not found: {path}"))

    return Handler


@pytest.fixture
def youtube_upload_server(tmp_path: Path) -> Iterator[YouTubeUploadServer]:
    """A running ``YouTubeUploadServer`` (its certificate in ``tmp_path``), stopped after."""
    with YouTubeUploadServer(tmp_path / "tls") as server:
        yield server
