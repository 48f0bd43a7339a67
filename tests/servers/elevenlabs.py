"""A real HTTP server on 127.0.0.1 that speaks ElevenLabs' text-to-speech API, on a script.

Tests drive the real ``elevenlabs`` SDK against it (``base_url=server.url``). Endpoints:

- ``POST /v1/text-to-speech/{voice_id}/with-timestamps``: JSON with ``audio_base64`` and the
  per-character ``alignment`` of the text sent;
- ``POST /v1/text-to-speech/{voice_id}``: the audio bytes;
- ``GET /v1/user/subscription``: ``character_count`` / ``character_limit``.

Audio is ``fake_speech`` in the requested ``output_format`` (``mp3_*``, ``pcm_*``, ``wav_*``).
A wrong ``xi-api-key`` is a 401. ``server.queue("429", "ok")`` scripts the next
text-to-speech answers; ``server.fail_text("Part two", "500")`` fails (once) the next request
whose text contains that string; with neither, ``server.default`` answers.

Behaviours: ``ok``; ``401`` (invalid key, quoting the key it was sent, which ElevenLabs does
not do, so tests can check it never reaches our messages); ``quota`` (401
``quota_exceeded``, as ElevenLabs reports it); ``429`` (``too_many_concurrent_requests``
with ``retry-after``); ``500``; ``timeout`` (no answer for ``server.hang_s``);
``misaligned`` (an alignment of other text).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.servers.fake_speech import mp3_bytes, speak, wav_bytes

KEY = "xi-test-THISKEYMUSTNEVERLEAK0123456789"
BEHAVIOURS = frozenset({"ok", "401", "quota", "429", "500", "timeout", "misaligned"})
_TTS = re.compile(r"^/v1/text-to-speech/([^/]+)(/with-timestamps)?/?$")


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


class ElevenLabsServer:
    """A programmable ElevenLabs API on a free 127.0.0.1 port; a context manager."""

    def __init__(self, *, key: str = KEY, hang_s: float = 10.0) -> None:
        self.key = key
        self.default = "ok"
        self.hang_s = hang_s
        self.retry_after = "1"
        self.character_limit = 100_000
        self.character_count = 0
        # Each synthesis takes at least this long, so concurrent requests overlap.
        self.latency_s = 0.0
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._queue: deque[str] = deque()
        self._text_failures: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def tts_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.voice_id is not None]

    def queue(self, *behaviours: str) -> None:
        unknown = set(behaviours) - BEHAVIOURS
        if unknown:
            raise ValueError(f"unknown behaviours: {sorted(unknown)}")
        with self._lock:
            self._queue.extend(behaviours)

    def fail_text(self, text: str, behaviour: str) -> None:
        """Answer the next request whose text contains ``text`` with ``behaviour`` (once)."""
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour: {behaviour}")
        with self._lock:
            self._text_failures.append((text, behaviour))

    def start(self) -> ElevenLabsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ElevenLabsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

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
            return self._queue.popleft() if self._queue else self.default

    def _synthesize(
        self, request: RecordedRequest, timestamps: bool, behaviour: str
    ) -> tuple[int, dict[str, str], bytes]:
        text = request.text
        fmt = request.query.get("output_format", "mp3_44100_128")
        codec, rate_text = fmt.split("_")[:2]
        rate = int(rate_text)
        speed = float((request.body.get("voice_settings") or {}).get("speed") or 1.0)
        samples, starts, ends = speak(text, rate, speed)
        if codec == "mp3":
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


def _handler_for(server: ElevenLabsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            try:
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout)

        def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            self._send(status, headers or {}, json.dumps(body).encode())

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
                self._json(status, body, headers)
                return
            if request.path.rstrip("/") != "/v1/user/subscription":
                self._json(404, {"detail": "Not Found"})
                return
            with server._lock:
                count, limit = server.character_count, server.character_limit
            self._json(200, _subscription(count, limit))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._json(400, _detail("invalid_json", "Invalid JSON body"))
                return
            request = self._request(body)
            server._record(request)
            match = _TTS.match(request.path)
            if not match:
                self._json(404, {"detail": "Not Found"})
                return
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                time.sleep(server.latency_s)
                self._answer(request, timestamps=bool(match.group(2)))
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _answer(self, request: RecordedRequest, timestamps: bool) -> None:
            if request.api_key != server.key:
                status, headers, body = server._error(request, "401")
                self._json(status, body, headers)
                return
            behaviour = server._next(request)
            if behaviour == "timeout":
                if server._stopping.wait(server.hang_s):
                    return
                behaviour = "ok"
            if behaviour in ("ok", "misaligned"):
                self._send(*server._synthesize(request, timestamps, behaviour))
                return
            status, headers, body = server._error(request, behaviour)
            self._json(status, body, headers)

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
