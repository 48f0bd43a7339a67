"""Each Google service asks its access token for its own API's OAuth scopes only (the
narrowest that upload, captions, thumbnails and analytics need: docs/security.md), through
the real google-auth and googleapiclient against a local token endpoint and API."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from pydantic import SecretStr

from ytempire.providers import google_api
from ytempire.providers.google_api import OAuthClient


class _Google(BaseHTTPRequestHandler):
    """``POST /token`` records the refresh request's form; any API call answers ``{}``."""

    forms: list[dict[str, str]]

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.path == "/token":
            self.forms.append(dict(urllib.parse.parse_qsl(body)))
            self._json({"access_token": "ya29.test", "expires_in": 3599, "token_type": "Bearer"})
        else:
            self._json({})

    def do_GET(self) -> None:
        assert self.headers["Authorization"] == "Bearer ya29.test"
        self._json({"items": [], "rows": []})

    def _json(self, body: object) -> None:
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def google() -> Iterator[tuple[str, list[dict[str, str]]]]:
    forms: list[dict[str, str]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Google,), {"forms": forms}))
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", forms
    server.shutdown()


def _service(url: str, name: str, version: str) -> object:
    oauth = OAuthClient("client-id", SecretStr("secret"), SecretStr("1//refresh"), f"{url}/token")
    return google_api.service(name, version, api_endpoint=url, timeout_s=10, oauth=oauth)


def test_the_uploader_asks_for_youtube_force_ssl_only(
    google: tuple[str, list[dict[str, str]]],
) -> None:
    url, forms = google
    youtube = _service(url, "youtube", "v3")
    youtube.channels().list(part="id", mine=True).execute()  # type: ignore[attr-defined]
    (form,) = forms
    assert form["grant_type"] == "refresh_token"
    assert form["scope"] == "https://www.googleapis.com/auth/youtube.force-ssl"


def test_tracking_asks_for_analytics_read_only(google: tuple[str, list[dict[str, str]]]) -> None:
    url, forms = google
    analytics = _service(url, "youtubeAnalytics", "v2")
    analytics.reports().query(  # type: ignore[attr-defined]
        ids="channel==MINE", startDate="2026-12-01", endDate="2026-12-06", metrics="views"
    ).execute()
    (form,) = forms
    assert form["scope"] == "https://www.googleapis.com/auth/yt-analytics.readonly"


def test_every_scope_asked_for_is_one_of_the_two_documented() -> None:
    asked = {scope for scopes in google_api.OAUTH_SCOPES.values() for scope in scopes}
    assert asked == {
        "https://www.googleapis.com/auth/youtube.force-ssl",
        "https://www.googleapis.com/auth/yt-analytics.readonly",
    }
