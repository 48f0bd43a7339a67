"""A real HTTP server on 127.0.0.1 that speaks the Pexels API, on a script.

Tests drive :class:`ytempire.providers.pexels.PexelsClient` (plain ``httpx``; Pexels has no
official Python SDK) against it with ``endpoint=server.url``. Endpoints:

- ``GET /videos/search``: the videos added with :meth:`PexelsServer.add_video`, each with
  several renditions (``video_files``) of which only the one added is served;
- ``GET /v1/search``: the photos added with :meth:`PexelsServer.add_photo` (``src`` sizes);
- ``GET /files/<name>``: the bytes of an added file, on a second listener addressed by
  another host name (``server.files_address``, ``http://localhost:<port>``), as Pexels serves
  its files from other hosts than its API (``videos.pexels.com``, ``images.pexels.com``).
  Files need no key. Every request is recorded with the host it reached and its headers, so
  tests can check the key goes to the API host only.

A wrong ``Authorization`` header on the API is a 401 that quotes the key it was sent (Pexels
does not, so tests can check the key never reaches our messages). ``server.queue("429", "ok")``
scripts the next answers (searches and downloads alike); else ``server.default`` answers.

Behaviours: ``ok``; ``429`` (rate limited, requests left this month); ``quota`` (429 with
``X-Ratelimit-Remaining: 0``); ``500``; ``timeout`` (no answer for ``server.hang_s``);
``garbage`` (200 with a body that is not JSON); ``redirect`` (302 to the same path and query
on the files host, as a CDN or a moved endpoint would answer).
"""

from __future__ import annotations

import functools
import io
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from tests.servers.base import ProviderServer, QuietHandler
from ytempire.media.ffmpeg import ffmpeg_exe

KEY = "pexels-test-THISKEYMUSTNEVERLEAK0123456789"
BEHAVIOURS = frozenset({"ok", "429", "quota", "500", "timeout", "garbage", "redirect"})
FILES_HOST = "localhost"


@dataclass
class RecordedRequest:
    path: str
    query: dict[str, str]
    authorization: str | None
    host: str = "api"  # "api" or "files": which listener it reached
    headers: dict[str, str] = field(default_factory=dict)


class PexelsServer(ProviderServer):
    """A programmable Pexels API on a free 127.0.0.1 port; a context manager."""

    behaviours = BEHAVIOURS

    def __init__(self, *, key: str = KEY, hang_s: float = 10.0) -> None:
        super().__init__(_handler_for(self), hang_s=hang_s)
        self.key = key
        self.videos: list[dict[str, Any]] = []
        self.photos: list[dict[str, Any]] = []
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[RecordedRequest] = []
        self._files_httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._httpd.RequestHandlerClass)
        self._files_httpd.daemon_threads = True
        self._files_thread = threading.Thread(
            target=self._files_httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def files_address(self) -> str:
        """``http://localhost:<port>``: the files host (another host name and port)."""
        return f"http://{FILES_HOST}:{self._files_httpd.server_address[1]}"

    def start(self) -> PexelsServer:
        self._files_thread.start()
        return super().start()

    def stop(self) -> None:
        super().stop()
        self._files_httpd.shutdown()
        self._files_httpd.server_close()
        self._files_thread.join(timeout=5)

    def requests_to(self, host: str) -> list[RecordedRequest]:
        """The requests that reached the ``"api"`` or the ``"files"`` listener."""
        with self._lock:
            return [r for r in self.requests if r.host == host]

    def add_video(
        self,
        video_id: int,
        data: bytes,
        size: tuple[int, int],
        author: str,
        *,
        slug: str = "",
        tags: tuple[str, ...] = (),
        duration: int = 2,
    ) -> None:
        """A video search result whose ``size`` rendition (an MP4) is ``data``; its other
        renditions (a 4K MP4, a small one, an HLS playlist) are listed but not served. A
        labelled clip says what it shows as Pexels does: in its page URL's ``slug``
        (``/video/black-hole-in-space-<id>/``) and its ``tags``."""
        name = f"video-{video_id}.mp4"
        self.files[name] = (data, "video/mp4")
        width, height = size

        def rendition(quality: str, w: int, h: int, file_type: str, link: str) -> dict[str, Any]:
            return {
                "id": len(self.files) * 10 + w,
                "quality": quality,
                "file_type": file_type,
                "width": w,
                "height": h,
                "fps": 25,
                "link": link,
            }

        files = f"{self.files_address}/files"
        missing = f"{files}/missing-{video_id}"
        self.videos.append(
            {
                "id": video_id,
                "width": width,
                "height": height,
                "url": f"https://www.pexels.com/video/{slug + '-' if slug else ''}{video_id}/",
                "duration": duration,
                "tags": list(tags),
                "user": {"id": 7, "name": author, "url": "https://www.pexels.com/@someone"},
                "video_files": [
                    rendition("uhd", 3840, 2160, "video/mp4", missing + "-uhd.mp4"),
                    rendition("hls", width, height, "video/hls", missing + ".m3u8"),
                    rendition("hd", width, height, "video/mp4", f"{files}/{name}"),
                    rendition("sd", 426, 240, "video/mp4", missing + "-sd.mp4"),
                ],
                "video_pictures": [],
            }
        )

    def add_photo(self, photo_id: int, data: bytes, photographer: str, *, alt: str = "") -> None:
        """A photo search result whose ``large2x`` source is ``data`` (a JPEG), described by
        ``alt`` (Pexels' alt text)."""
        name = f"photo-{photo_id}.jpeg"
        self.files[name] = (data, "image/jpeg")
        link = f"{self.files_address}/files/{name}?auto=compress&cs=tinysrgb&dpr=2&h=650&w=940"
        other = f"{self.files_address}/files/missing-{photo_id}.jpeg"
        self.photos.append(
            {
                "id": photo_id,
                "width": 1920,
                "height": 1080,
                "url": f"https://www.pexels.com/photo/{photo_id}/",
                "photographer": photographer,
                "photographer_url": "https://www.pexels.com/@someone",
                "avg_color": "#7E8A5C",
                "src": {"original": other, "large2x": link, "large": other, "tiny": other},
                "alt": alt,
            }
        )

    # -- used by the handler ---------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _handler_for(server: PexelsServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            on_files = self.server is server._files_httpd
            request = RecordedRequest(
                parts.path,
                query,
                self.headers.get("Authorization"),
                host="files" if on_files else "api",
                headers=dict(self.headers.items()),
            )
            server._record(request)
            with server.answering():
                self._answer(request, on_files)

        def _answer(self, request: RecordedRequest, on_files: bool) -> None:
            # Files are public (a CDN); the API wants the key.
            public = request.path.startswith("/files/")
            if not public and (on_files or request.authorization != server.key):
                self.send_json(401, {"error": f"Invalid API key: {request.authorization}"})
                return
            behaviour = server.next_behaviour()
            if behaviour == "redirect":
                target = server.files_address + self.path
                self.send_body(302, b"", {"Location": target})
                return
            if behaviour == "timeout":
                if server.hang():
                    return
                behaviour = "ok"
            limits = {"X-Ratelimit-Limit": "20000", "X-Ratelimit-Reset": "1900000000"}
            if behaviour in ("429", "quota"):
                left = "0" if behaviour == "quota" else "19000"
                waits = {} if behaviour == "quota" else {"Retry-After": "1"}
                headers = {**limits, "X-Ratelimit-Remaining": left, **waits}
                self.send_json(429, {"error": "Rate limit exceeded"}, headers)
            elif behaviour == "500":
                self.send_json(500, {"error": "Internal Server Error"})
            elif behaviour == "garbage":
                self.send_body(200, b"<html>maintenance</html>", content_type="text/html")
            else:
                self._ok(request, {**limits, "X-Ratelimit-Remaining": "19999"})

        def _ok(self, request: RecordedRequest, headers: dict[str, str]) -> None:
            per_page = int(request.query.get("per_page", "15"))
            if request.path == "/videos/search":
                self.send_json(200, _page("videos", server.videos, per_page), headers)
            elif request.path == "/v1/search":
                self.send_json(200, _page("photos", server.photos, per_page), headers)
            elif request.path.startswith("/files/") and request.path[7:] in server.files:
                data, content_type = server.files[request.path[7:]]
                self.send_body(200, data, content_type=content_type)
            else:
                self.send_json(404, {"error": "Not Found"})

    return Handler


@functools.cache
def sample_mp4() -> bytes:
    """A real 1 s 320x180 H.264 MP4 (made once by FFmpeg), as a Pexels video file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=1",
             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
            check=True,
        )  # fmt: skip
        return path.read_bytes()


def sample_jpeg() -> bytes:
    """A real small JPEG, as a Pexels photo."""
    out = io.BytesIO()
    Image.new("RGB", (64, 36), (40, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _page(name: str, items: list[dict[str, Any]], per_page: int) -> dict[str, Any]:
    return {"page": 1, "per_page": per_page, "total_results": len(items), name: items[:per_page]}


@pytest.fixture
def pexels_server() -> Iterator[PexelsServer]:
    """A running ``PexelsServer``, stopped after the test."""
    with PexelsServer(hang_s=5.0) as server:
        yield server
