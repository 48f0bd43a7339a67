"""A real HTTP server on 127.0.0.1 that speaks ElevenLabs' text-to-speech API, on a script.

Tests drive the real ``elevenlabs`` SDK against it (``base_url=server.url``). Endpoints:

- ``POST /v1/text-to-speech/{voice_id}/with-timestamps``: JSON with ``audio_base64`` and the
  per-character ``alignment`` of the text sent;
- ``POST /v1/text-to-speech/{voice_id}``: the audio bytes;
- ``GET /v1/user/subscription``: ``character_count`` / ``character_limit``;
- ``POST /v1/voices/add`` (instant voice cloning, multipart: ``name``, ``description``,
  ``files``): ``{"voice_id": ..., "requires_verification": false}``; ``server.clones`` keeps
  each create (its fields and the files' names and bytes).

Audio is ``fake_speech`` in the requested ``output_format`` (``mp3_*``, ``pcm_*``, ``wav_*``).
A wrong ``xi-api-key`` is a 401. ``server.queue("429", "ok")`` scripts the next
text-to-speech answers; ``server.fail_text("Part two", "500")`` fails (once) the next request
whose text contains that string; with neither, ``server.default`` answers.

Behaviours: ``ok``; ``401`` (invalid key, quoting the key it was sent, which ElevenLabs does
not do, so tests can check it never reaches our messages); ``quota`` (401
``quota_exceeded``, as ElevenLabs reports it); ``429`` (``too_many_concurrent_requests``
with ``retry-after``); ``500``; ``timeout`` (no answer for ``server.hang_s``);
``misaligned`` (an alignment of other text); ``garbage`` (a 200 answer whose audio is no
audio at all).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.servers.base import ProviderServer, QuietHandler
from tests.servers.fake_speech import mp3_bytes, speak, wav_bytes

KEY = "xi-test-THISKEYMUSTNEVERLEAK0123456789"
BEHAVIOURS = frozenset({"ok", "401", "quota", "429", "500", "timeout", "misaligned", "garbage"})
GARBAGE_AUDIO = b"<html><body>Service temporarily overloaded</body></html>"
_TTS = re.compile(r"^/v1/text-to-speech/([^/]+)(/with-timestamps)?/?$")


@dataclass
class Clone:
    """One instant voice cloning request: its form fields and files, and the id it got."""

    voice_id: str
    fields: dict[str, str]
    files: list[tuple[str, bytes]]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    api_key: str | None
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def voice_id(self) -> str | None:
        match = _TTS.match(self.path)
        return match.group(1) if match else None


class ElevenLabsServer(ProviderServer):
    """A programmable ElevenLabs API on a free 127.0.0.1 port; a context manager."""

    behaviours = BEHAVIOURS

    def __init__(self, *, key: str = KEY, hang_s: float = 10.0) -> None:
        super().__init__(_handler_for(self), hang_s=hang_s)
        self.key = key
        self.retry_after = "1"
        self.character_limit = 100_000
        self.character_count = 0
        self.requests: list[RecordedRequest] = []
        self.clones: list[Clone] = []
        self._text_failures: list[tuple[str, str]] = []

    @property
    def tts_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.voice_id is not None]

    def fail_text(self, text: str, behaviour: str) -> None:
        """Answer the next request whose text contains ``text`` with ``behaviour`` (once)."""
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour: {behaviour}")
        with self._lock:
            self._text_failures.append((text, behaviour))

    # -- used by the handler ---------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next(self, request: RecordedRequest) -> str:
        with self._lock:
            for i, (text, behaviour) in enumerate(self._text_failures):
                if text in request.text:
                    del self._text_failures[i]
                    return behaviour
        return self.next_behaviour()

    def _clone(self, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        fields, files = _multipart(content_type, body)
        if not files or not fields.get("name"):
            return 400, _detail("invalid_request", "A name and at least one file are required.")
        with self._lock:
            clone = Clone(f"clone{len(self.clones) + 1:04d}xyzABCDEFGHIJ", fields, files)
            self.clones.append(clone)
        return 200, {"voice_id": clone.voice_id, "requires_verification": False}

    def _synthesize(
        self, request: RecordedRequest, timestamps: bool, behaviour: str
    ) -> tuple[int, dict[str, str], bytes]:
        text = request.text
        fmt = request.query.get("output_format", "mp3_44100_128")
        codec, rate_text = fmt.split("_")[:2]
        rate = int(rate_text)
        speed = float((request.body.get("voice_settings") or {}).get("speed") or 1.0)
        samples, starts, ends = speak(text, rate, speed)
        if behaviour == "garbage":
            audio = GARBAGE_AUDIO
        elif codec == "mp3":
            audio = mp3_bytes(samples, rate)
        elif codec == "wav":
            audio = wav_bytes(samples, rate)
        else:
            audio = samples.astype("<i2").tobytes()
        with self._lock:
            self.character_count += len(text)
        if not timestamps:
            return 200, {"Content-Type": "audio/mpeg"}, audio
        characters = list(text if behaviour != "misaligned" else text[::-1] + "x")
        alignment = {
            "characters": characters,
            "character_start_times_seconds": [round(s, 3) for s in starts][: len(characters)],
            "character_end_times_seconds": [round(e, 3) for e in ends][: len(characters)],
        }
        body = {
            "audio_base64": base64.b64encode(audio).decode(),
            "alignment": alignment,
            "normalized_alignment": alignment,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _error(self, request: RecordedRequest, behaviour: str) -> tuple[int, dict[str, str], Any]:
        if behaviour == "401":
            return 401, {}, _detail("invalid_api_key", f"Invalid API key: {request.api_key}")
        if behaviour == "quota":
            return (
                401,
                {},
                _detail(
                    "quota_exceeded",
                    "This request exceeds your quota of 10000. You have 12 credits remaining, "
                    f"while {len(request.text)} credits are required for this request.",
                ),
            )
        if behaviour == "429":
            return (
                429,
                {"retry-after": self.retry_after},
                _detail(
                    "too_many_concurrent_requests",
                    "Too many concurrent requests. Your plan allows 2 at a time.",
                ),
            )
        if behaviour == "500":
            return 500, {}, _detail("internal_error", "An internal server error occurred.")
        raise AssertionError(f"unhandled behaviour {behaviour}")


def _detail(status: str, message: str) -> dict[str, Any]:
    return {"detail": {"status": status, "message": message}}


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """A multipart/form-data body's text fields and its files (name, bytes)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: list[tuple[str, bytes]] = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename:
            files.append((filename, data))
        else:
            fields[str(part.get_param("name", header="content-disposition"))] = data.decode()
    return fields, files


def _handler_for(server: ElevenLabsServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _request(self, body: dict[str, Any] | None = None) -> RecordedRequest:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            return RecordedRequest(
                self.command, parts.path, query, self.headers.get("xi-api-key"), body or {}
            )

        def do_GET(self) -> None:
            request = self._request()
            server._record(request)
            if request.api_key != server.key:
                status, headers, body = server._error(request, "401")
                self.send_json(status, body, headers)
                return
            if request.path.rstrip("/") != "/v1/user/subscription":
                self.send_json(404, {"detail": "Not Found"})
                return
            with server._lock:
                count, limit = server.character_count, server.character_limit
            self.send_json(200, _subscription(count, limit))

        def do_POST(self) -> None:
            if urlsplit(self.path).path.rstrip("/") == "/v1/voices/add":
                self._add_voice()
                return
            try:
                body = json.loads(self.read_body() or b"{}")
            except ValueError:
                self.send_json(400, _detail("invalid_json", "Invalid JSON body"))
                return
            request = self._request(body)
            server._record(request)
            match = _TTS.match(request.path)
            if not match:
                self.send_json(404, {"detail": "Not Found"})
                return
            with server.answering():
                self._answer(request, timestamps=bool(match.group(2)))

        def _add_voice(self) -> None:
            data = self.read_body()
            request = self._request()
            server._record(request)
            if request.api_key != server.key:
                status, headers, answer = server._error(request, "401")
                self.send_json(status, answer, headers)
                return
            status, answer = server._clone(self.headers.get("Content-Type", ""), data)
            self.send_json(status, answer)

        def _answer(self, request: RecordedRequest, timestamps: bool) -> None:
            if request.api_key != server.key:
                status, headers, body = server._error(request, "401")
                self.send_json(status, body, headers)
                return
            behaviour = server._next(request)
            if behaviour == "timeout":
                if server.hang():
                    return
                behaviour = "ok"
            if behaviour in ("ok", "misaligned", "garbage"):
                status, headers, body = server._synthesize(request, timestamps, behaviour)
                self.send_body(status, body, headers)
                return
            status, headers, body = server._error(request, behaviour)
            self.send_json(status, body, headers)

    return Handler


def _subscription(count: int, limit: int) -> dict[str, Any]:
    return {
        "tier": "creator",
        "character_count": count,
        "character_limit": limit,
        "max_character_limit_extension": None,
        "max_credit_limit_extension": 0,
        "can_extend_character_limit": False,
        "allowed_to_extend_character_limit": False,
        "next_character_count_reset_unix": 1_900_000_000,
        "voice_slots_used": 3,
        "professional_voice_slots_used": 0,
        "professional_voice_slots_used_in_workspace": 0,
        "voice_limit": 30,
        "max_voice_add_edits": None,
        "voice_add_edit_counter": 0,
        "professional_voice_limit": 1,
        "can_extend_voice_limit": False,
        "can_use_instant_voice_cloning": True,
        "can_use_professional_voice_cloning": True,
        "currency": "usd",
        "current_overage": {"amount": 0, "currency": "usd"},
        "status": "active",
        "billing_period": "monthly_period",
        "character_refresh_period": "monthly_period",
    }


@pytest.fixture
def elevenlabs_server() -> Iterator[ElevenLabsServer]:
    """A running ``ElevenLabsServer``, stopped after the test."""
    with ElevenLabsServer() as server:
        yield server
