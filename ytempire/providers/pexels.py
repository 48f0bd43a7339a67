"""Stock footage from Pexels (video and photo search), over plain HTTP with ``httpx``.

There is no official Python SDK; this module alone speaks the API (``GET /videos/search``,
``GET /v1/search``, the key in the ``Authorization`` header) and downloads the files it
finds. Failures leave here as ``ytempire.resilience.errors``: 429 with the monthly quota
used up (``X-Ratelimit-Remaining: 0``) is ``CostExceeded``, any other 429, a 5xx or no
connection ``ProviderUnavailable``, a timeout ``ProviderTimeout``, other 4xx
``ProviderRejected``, an answer of the wrong shape ``InvalidOutput``. Messages are one line
and never carry the key.

The key goes to the API's origin only (scheme, host and port of the endpoint): the files a
search finds live on other hosts (``videos.pexels.com``, ``images.pexels.com``, a CDN), and
downloads carry no key at all. A redirect away from the API's origin drops the key too
(httpx strips ``Authorization`` across origins; our auth adds it only for the API's origin).
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import httpx

from ytempire import redact
from ytempire.resilience import retry_after
from ytempire.resilience.errors import (
    CostExceeded,
    InvalidOutput,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from ytempire.workspace import atomic_path

PROVIDER = "pexels"
DEFAULT_ENDPOINT = "https://api.pexels.com"
MAX_DOWNLOAD_BYTES = 200_000_000


class _ApiKey(httpx.Auth):
    """Pexels' ``Authorization: <key>``, added only to requests for the API's own origin."""

    def __init__(self, key: str, api: httpx.URL) -> None:
        self._key = key
        self._origin = _origin(api)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) == self._origin:
            request.headers["Authorization"] = self._key
        yield request


class PexelsClient:
    """A small client: search videos and photos, download a file."""

    def __init__(self, api_key: str, *, endpoint: str | None = None, timeout_s: float = 30.0):
        if not api_key:
            raise ProviderRejected(PROVIDER, "no API key: set PEXELS_API_KEY")
        self._key = api_key
        base = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self._auth = _ApiKey(api_key, httpx.URL(base))
        self._http = httpx.Client(
            base_url=base,
            headers={"User-Agent": "ytempire"},
            timeout=timeout_s,
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PexelsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def search_videos(
        self, query: str, *, orientation: str = "landscape", per_page: int = 5
    ) -> list[dict[str, Any]]:
        """Videos for ``query``: each with ``id``, ``width``, ``height``, ``duration``, the
        author, ``url`` (its page, whose slug says what it shows), ``tags``, and ``link``: the
        file to download (the one nearest 1080p, MP4 first)."""
        body = self._get(
            "/videos/search",
            {"query": query, "orientation": orientation, "per_page": per_page, "size": "medium"},
        )
        videos = body.get("videos")
        if not isinstance(videos, list):
            raise InvalidOutput(PROVIDER, "video search answer has no 'videos' list")
        found = []
        for video in videos:
            files = [
                f for f in video.get("video_files", []) if isinstance(f, dict) and f.get("link")
            ]
            if not files:
                continue
            best = min(files, key=_file_rank)
            user = video.get("user") or {}
            found.append(
                {
                    "id": video.get("id"),
                    "width": best.get("width") or video.get("width"),
                    "height": best.get("height") or video.get("height"),
                    "duration": video.get("duration"),
                    "url": str(video.get("url") or ""),
                    "tags": [t for t in video.get("tags") or [] if isinstance(t, str)],
                    "link": best["link"],
                    "credit": f"{user.get('name', 'unknown')} on Pexels",
                }
            )
        return found

    def search_photos(
        self, query: str, *, orientation: str = "landscape", per_page: int = 5
    ) -> list[dict[str, Any]]:
        """Photos for ``query``: each with ``id``, ``width``, ``height``, ``url`` (its page),
        ``alt`` (what it shows), ``link`` (the ``large2x`` rendition) and the photographer's
        credit."""
        body = self._get(
            "/v1/search", {"query": query, "orientation": orientation, "per_page": per_page}
        )
        photos = body.get("photos")
        if not isinstance(photos, list):
            raise InvalidOutput(PROVIDER, "photo search answer has no 'photos' list")
        found = []
        for photo in photos:
            src = photo.get("src") or {}
            link = src.get("large2x") or src.get("original") or src.get("large")
            if link:
                found.append(
                    {
                        "id": photo.get("id"),
                        "width": photo.get("width"),
                        "height": photo.get("height"),
                        "url": str(photo.get("url") or ""),
                        "alt": str(photo.get("alt") or ""),
                        "link": link,
                        "credit": f"{photo.get('photographer', 'unknown')} on Pexels",
                    }
                )
        return found

    def download(self, url: str, destination: Path) -> Path:
        """Stream ``url`` into ``destination`` (atomically); refuse files over 200 MB.
        Files are public: no key is sent, whatever host ``url`` names."""
        try:
            with self._http.stream("GET", url, auth=None) as response:
                self._raise_for(response, "download")
                with atomic_path(destination) as tmp, tmp.open("wb") as out:
                    written = 0
                    for chunk in response.iter_bytes():
                        written += len(chunk)
                        if written > MAX_DOWNLOAD_BYTES:
                            raise InvalidOutput(PROVIDER, f"file at {_where(url)} is over 200 MB")
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise self._translate(exc, "download") from None
        return destination

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.get(path, params=params, auth=self._auth)
        except httpx.HTTPError as exc:
            raise self._translate(exc, path) from None
        self._raise_for(response, path)
        try:
            body = response.json()
        except ValueError:
            raise InvalidOutput(PROVIDER, f"{path}: the answer is not JSON") from None
        if not isinstance(body, dict):
            raise InvalidOutput(PROVIDER, f"{path}: the answer is not a JSON object")
        return body

    def _raise_for(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        try:
            response.read()
            detail = response.text[:200]
        except httpx.HTTPError:
            detail = ""
        message = self._clean(f"{what}: HTTP {status}" + (f": {detail}" if detail else ""))
        if status == 429:
            if response.headers.get("x-ratelimit-remaining") == "0":
                raise CostExceeded(PROVIDER, message + " (monthly quota used up)")
            raise ProviderUnavailable(
                PROVIDER, message, retry_after_s=retry_after.seconds(response.headers)
            )
        if status == 408:
            raise ProviderTimeout(PROVIDER, message)
        if status >= 500:
            raise ProviderUnavailable(
                PROVIDER, message, retry_after_s=retry_after.seconds(response.headers)
            )
        raise ProviderRejected(PROVIDER, message)

    def _translate(self, exc: httpx.HTTPError, what: str) -> ProviderError:
        if isinstance(exc, httpx.TimeoutException):
            return ProviderTimeout(PROVIDER, f"{what}: no answer before the client's timeout")
        return ProviderUnavailable(PROVIDER, self._clean(f"{what}: cannot reach the server: {exc}"))

    def _clean(self, text: str) -> str:
        return redact.line(text, [self._key])


def _file_rank(entry: dict[str, Any]) -> tuple[int, int]:
    """Files nearest 1080 lines first, MP4 before anything else."""
    lines = min(int(entry.get("width") or 0), int(entry.get("height") or 0))
    return (0 if entry.get("file_type") == "video/mp4" else 1, abs(lines - 1080))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _where(url: str) -> str:
    return httpx.URL(url).host or "the server"


def timed(seconds_since: float) -> int:
    """Milliseconds since ``seconds_since`` (a ``time.perf_counter`` value)."""
    return round((time.perf_counter() - seconds_since) * 1000)
