"""A real HTTP server on 127.0.0.1 that speaks Google Cloud Text-to-Speech's REST API.

Tests drive the real ``google-cloud-texttospeech`` client (REST transport, anonymous
credentials, ``api_endpoint=server.url``) against it. ``POST /v1beta1/text:synthesize`` (and
``/v1/text:synthesize``) answer with ``audioContent`` (base64 LINEAR16, a WAV at the
requested rate) and, when asked for SSML marks, the ``timepoints`` of every
``<mark name=...>`` in the input: a mark before a word is when that word starts, a mark after
one is when it ends. The audio is ``fake_speech`` of the SSML's text.

As the real API does, a voice of another locale than the request's ``languageCode`` is a 400
(INVALID_ARGUMENT); the input's ``<prosody>`` and ``<emphasis>`` are read as the text inside
them. ``server.queue("429", "ok")`` scripts the next answers; ``server.default`` answers
otherwise.
Behaviours: ``ok``, ``401`` (UNAUTHENTICATED), ``403`` (PERMISSION_DENIED), ``429``
(RESOURCE_EXHAUSTED, per minute, with ``Retry-After: 7``), ``quota`` (RESOURCE_EXHAUSTED,
per day), ``500``, ``503``, ``timeout`` (no answer for ``server.hang_s``), ``no_marks``
(timepoints left out).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.servers.base import ProviderServer, QuietHandler
from tests.servers.fake_speech import speak, wav_bytes

BEHAVIOURS = frozenset({"ok", "401", "403", "429", "quota", "500", "503", "timeout", "no_marks"})
_TOKEN = re.compile(r"<mark\s+name=\"([^\"]*)\"\s*/>|<[^>]*>|[^<]+")

ERRORS = {
    "401": (
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token.",
    ),
    "403": (403, "PERMISSION_DENIED", "Cloud Text-to-Speech API has not been used in project."),
    "429": (
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'.",
    ),
    "quota": (
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Characters' and limit 'Characters per day'.",
    ),
    "500": (500, "INTERNAL", "Internal error encountered."),
    "503": (503, "UNAVAILABLE", "The service is currently unavailable."),
}


@dataclass
class RecordedRequest:
    path: str
    body: dict[str, Any] = field(default_factory=dict)
    authorization: str | None = None

    @property
    def ssml(self) -> str:
        return str((self.body.get("input") or {}).get("ssml", ""))

    @property
    def voice(self) -> dict[str, Any]:
        return dict(self.body.get("voice") or {})

    @property
    def audio_config(self) -> dict[str, Any]:
        return dict(self.body.get("audioConfig") or self.body.get("audio_config") or {})


def parse_ssml(ssml: str) -> tuple[str, list[tuple[str, int]]]:
    """The SSML's plain text and, for each mark, its name and character offset in it."""
    text: list[str] = []
    marks: list[tuple[str, int]] = []
    length = 0
    for match in _TOKEN.finditer(ssml):
        if match.group(1) is not None:
            marks.append((match.group(1), length))
        elif not match.group(0).startswith("<"):
            piece = html.unescape(match.group(0))
            text.append(piece)
            length += len(piece)
    return "".join(text), marks


class GoogleTTSServer(ProviderServer):
    """A programmable Cloud Text-to-Speech REST API on a free 127.0.0.1 port."""

    behaviours = BEHAVIOURS

    def __init__(self, *, hang_s: float = 10.0) -> None:
        super().__init__(_handler_for(self), hang_s=hang_s)
        self.requests: list[RecordedRequest] = []

    def _next(self, request: RecordedRequest) -> str:
        with self._lock:
            self.requests.append(request)
        return self.next_behaviour()

    def _synthesize(self, request: RecordedRequest, behaviour: str) -> dict[str, Any]:
        text, marks = parse_ssml(request.ssml)
        config = request.audio_config
        rate = int(config.get("sampleRateHertz") or config.get("sample_rate_hertz") or 24000)
        speed = float(config.get("speakingRate") or config.get("speaking_rate") or 1.0)
        samples, starts, ends = speak(text, rate, speed)
        timepoints = []
        for name, offset in marks:
            if offset < len(text) and not text[offset].isspace():
                seconds = starts[offset]
            else:
                before = offset - 1
                while before > 0 and text[before].isspace():
                    before -= 1
                seconds = ends[before] if before >= 0 and text else 0.0
            timepoints.append({"markName": name, "timeSeconds": round(seconds, 4)})
        answer: dict[str, Any] = {
            "audioContent": base64.b64encode(wav_bytes(samples, rate)).decode(),
            "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": rate},
        }
        if behaviour != "no_marks" and request.body.get("enableTimePointing"):
            answer["timepoints"] = timepoints
        return answer


def _handler_for(server: GoogleTTSServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            self.send_body(
                status,
                json.dumps(body).encode(),
                headers,
                content_type="application/json; charset=UTF-8",
            )

        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            if path not in ("/v1beta1/text:synthesize", "/v1/text:synthesize"):
                self._json(404, _error(404, "NOT_FOUND", f"no such method: {path}"))
                return
            try:
                body = json.loads(self.read_body() or b"{}")
            except ValueError:
                self._json(400, _error(400, "INVALID_ARGUMENT", "Invalid JSON payload"))
                return
            request = RecordedRequest(path, body, self.headers.get("Authorization"))
            behaviour = server._next(request)
            name, code = request.voice.get("name", ""), request.voice.get("languageCode", "")
            if name and not name.startswith(f"{code}-"):
                message = f"Requested language code '{code}' doesn't match the voice '{name}'."
                self._json(400, _error(400, "INVALID_ARGUMENT", message))
                return
            with server.answering():
                if behaviour == "timeout":
                    if server.hang():
                        return
                    behaviour = "ok"
                if behaviour in ("ok", "no_marks"):
                    self._json(200, server._synthesize(request, behaviour))
                    return
                status, code, message = ERRORS[behaviour]
                # A per-minute limit says when to come back; a spent day does not.
                waits = {"Retry-After": "7"} if behaviour == "429" else None
                self._json(status, _error(status, code, message), waits)

    return Handler


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": code}}


@pytest.fixture
def google_tts_server() -> Iterator[GoogleTTSServer]:
    """A running ``GoogleTTSServer``, stopped after the test."""
    with GoogleTTSServer() as server:
        yield server
