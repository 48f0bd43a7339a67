"""ElevenLabs text to speech through the official ``elevenlabs`` SDK: the one module that
imports it.

Each chunk goes to the with-timestamps endpoint, whose character alignment gives every
sentence's and word's time in the audio, with the voice settings of the chunk's delivery
(``ytempire.voice.delivery``) and, for models that take one, the language to speak. Before
the first request the account's subscription says how many characters are left this period;
a script that needs more is a ``CostExceeded`` before anything is spent. The SDK's own
retries are off (the orchestration layer retries by error kind and falls back), and every
SDK failure leaves here as one of ``ytempire.resilience.errors`` with a one-line message
that never contains the key.
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx
from elevenlabs import VoiceSettings as ElevenLabsVoiceSettings
from elevenlabs.client import ElevenLabs
from elevenlabs.core.api_error import ApiError
from elevenlabs.core.request_options import RequestOptions

from ytempire.models import Delivery, VoiceProfile
from ytempire.providers.catalog import speech_per_1k
from ytempire.resilience import retry_after
from ytempire.resilience.errors import (
    CostExceeded,
    InvalidOutput,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from ytempire.voice.assemble import ChunkAudio, Span
from ytempire.voice.chunks import MAX_CHUNK_CHARS, Chunk, under_limit
from ytempire.voice.decode import AudioDecodeError, decode
from ytempire.voice.delivery import elevenlabs_speed, style_of
from ytempire.voice.errors import clean
from ytempire.voice.profiles import settings_for

PROVIDER = "elevenlabs"
# The default model's price per 1,000 characters (the price table: ytempire/data/prices.toml).
PRICE_PER_1K_CHARS = speech_per_1k(f"{PROVIDER}:eleven_multilingual_v2")
OUTPUT_CODECS = ("mp3", "pcm", "wav", "opus")
# Models that refuse a ``language_code`` (the SDK: "not supported for multilingual_v2
# models"); they read the language from the text.
NO_LANGUAGE_CODE = frozenset({"eleven_multilingual_v2", "eleven_monolingual_v1"})
# The SDK leaves a parameter given as Ellipsis (its ``OMIT``) out of the request body.
_OMIT: Any = ...

T = TypeVar("T")
_WORD = re.compile(r"\S+")


def make_client(api_key: str | None, base_url: str | None, timeout_s: float) -> ElevenLabs:
    """An SDK client for ``base_url`` (None: ElevenLabs' production API) with every request
    bounded by ``timeout_s``. The key defaults to ``ELEVENLABS_API_KEY``; with none, raises
    ``ProviderRejected``."""
    key = api_key or os.environ.get("ELEVENLABS_API_KEY")
    if not key:
        raise ProviderRejected(PROVIDER, "no API key: set ELEVENLABS_API_KEY")
    return ElevenLabs(api_key=key, base_url=base_url, timeout=timeout_s)


class ElevenLabsEngine:
    """One voice profile on ElevenLabs, as a ``SpeechEngine``: the profile's voice (or
    ``voice_id``: an accent's voice or the channel's clone) at the profile's speed, speaking
    ``language_code`` (ISO 639-1) where the model takes one."""

    price_per_1k_chars = PRICE_PER_1K_CHARS
    concurrent = True
    deliveries = frozenset(Delivery)

    def __init__(
        self,
        client: ElevenLabs,
        profile: VoiceProfile,
        *,
        model: str,
        output_format: str = "mp3_44100_128",
        api_key: str = "",
        price_per_1k_chars: float | None = None,
        voice_id: str | None = None,
        language_code: str | None = None,
    ) -> None:
        if output_format.split("_")[0] not in OUTPUT_CODECS:
            raise ValueError(f"unsupported ElevenLabs output format {output_format!r}")
        self.client = client
        self.voice = settings_for(profile)
        self.voice_id = voice_id or self.voice.elevenlabs_id
        self.language_code = None if model in NO_LANGUAGE_CODE else language_code
        self.model = model
        self.output_format = output_format
        self.name = f"{PROVIDER}:{model}"
        # The settings' price (their price file) when given; else the shipped table's.
        self.price_per_1k_chars = (
            speech_per_1k(self.name) if price_per_1k_chars is None else price_per_1k_chars
        )
        self.pause_scale = 1 / self.voice.speed
        self._secret = api_key
        self._fits = under_limit(MAX_CHUNK_CHARS)
        # The client carries the timeout (fractions of a second too); retries are ours.
        self._options: RequestOptions = {"max_retries": 0}

    def fits(self, sentences: Sequence[str]) -> bool:
        return self._fits(sentences)

    def billed_characters(self, chunk: Chunk) -> int:
        return len(chunk.text)

    def cache_key(self) -> str:
        return (
            f"{self.name}|{self.voice_id}|{self.voice.speed}|{self.output_format}"
            f"|{self.language_code}"
        )

    def check_quota(self, characters: int) -> None:
        """Raise ``CostExceeded`` if the subscription has fewer than ``characters`` left."""
        subscription = self._call(
            lambda: self.client.user.subscription.get(request_options=self._options)
        )
        left = int(subscription.character_limit) - int(subscription.character_count)
        if characters > left:
            raise CostExceeded(
                PROVIDER,
                f"{characters:,} characters needed, {max(left, 0):,} left in this billing period",
            )

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        """Speak one chunk in its delivery; its alignment gives each sentence's and word's
        span."""
        style = style_of(chunk.delivery)
        settings = ElevenLabsVoiceSettings(
            stability=style.stability,
            similarity_boost=style.similarity_boost,
            style=style.style,
            speed=elevenlabs_speed(self.voice.speed, chunk.delivery),
        )
        started = time.perf_counter()
        response = self._call(
            lambda: self.client.text_to_speech.convert_with_timestamps(
                self.voice_id,
                text=chunk.text,
                model_id=self.model,
                output_format=self.output_format,
                voice_settings=settings,
                language_code=self.language_code or _OMIT,
                request_options=self._options,
            )
        )
        latency_ms = round((time.perf_counter() - started) * 1000)
        try:
            samples, rate = decode(base64.b64decode(response.audio_base_64), self.output_format)
        except (AudioDecodeError, ValueError) as exc:
            raise InvalidOutput(PROVIDER, f"chunk {chunk.index}: the audio {exc}") from None
        alignment = response.alignment
        if alignment is None:
            raise InvalidOutput(PROVIDER, f"chunk {chunk.index}: no character alignment")
        sentences, words = spans_from_alignment(
            chunk,
            list(alignment.characters),
            list(alignment.character_start_times_seconds),
            list(alignment.character_end_times_seconds),
        )
        return ChunkAudio(
            samples=samples,
            rate=rate,
            sentences=list(sentences),
            words=words,
            characters=self.billed_characters(chunk),
            latency_ms=latency_ms,
        )

    def _call(self, request: Callable[[], T]) -> T:
        return _calling(request, self._secret)


def _calling(request: Callable[[], T], secret: str) -> T:
    """``request()``, its SDK errors as ``ytempire.resilience.errors``."""
    try:
        return request()
    except (ApiError, httpx.HTTPError) as exc:
        # `from None`: tracebacks print chained exceptions, and the SDK's may quote the key.
        raise translate_error(exc, secret=secret) from None


def create_voice(
    client: ElevenLabs, name: str, samples: Sequence[Path], description: str, *, secret: str = ""
) -> str:
    """Clone a voice from the ``samples`` recordings with instant voice cloning
    (``POST /v1/voices/add``), once (no SDK retries); its voice id. Errors are
    ``ytempire.resilience.errors``."""
    files: list[Any] = [(path.name, path.read_bytes()) for path in samples]
    response = _calling(
        lambda: client.voices.ivc.create(
            name=name,
            files=files,
            description=description,
            request_options={"max_retries": 0},
        ),
        secret,
    )
    return str(response.voice_id)


def spans_from_alignment(
    chunk: Chunk, characters: list[str], starts: list[float], ends: list[float]
) -> tuple[list[Span], list[list[Span]]]:
    """Each sentence's span, and each of its words', from a per-character alignment of
    ``chunk.text``. Raises ``InvalidOutput`` when the alignment is not of that text."""
    text = chunk.text
    if "".join(characters) != text or not len(starts) == len(ends) == len(characters):
        raise InvalidOutput(
            PROVIDER, f"chunk {chunk.index}: the alignment does not match the text sent"
        )
    sentences: list[Span] = []
    words: list[list[Span]] = []
    offset = 0
    for sentence in chunk.sentences:
        first, last = offset, offset + len(sentence) - 1
        sentences.append((float(starts[first]), max(float(ends[last]), float(starts[first]))))
        words.append(
            [
                (float(starts[offset + m.start()]), float(ends[offset + m.end() - 1]))
                for m in _WORD.finditer(sentence)
            ]
        )
        offset += len(sentence) + 1
    return sentences, words


def translate_error(exc: Exception, *, secret: str = "") -> ProviderError:
    """The ``ytempire.resilience.errors`` equivalent of an SDK error, with a one-line message.

    ElevenLabs reports an exhausted quota as 401 (or 429) with ``quota_exceeded``: that is a
    cost error (no retry, next engine), not a bad key.
    """
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeout(PROVIDER, "no answer before the client's timeout")
    if isinstance(exc, httpx.HTTPError):
        return ProviderUnavailable(PROVIDER, f"cannot reach the server: {clean(str(exc), secret)}")
    if not isinstance(exc, ApiError):
        return ProviderRejected(PROVIDER, clean(str(exc), secret))
    status = exc.status_code or 0
    code, reason = _detail(exc.body)
    message = f"HTTP {status}" + (f" ({code})" if code else "")
    reason = clean(reason, secret)
    message += f": {reason}" if reason else ""
    wait = retry_after.of_error(exc)
    if code in ("quota_exceeded", "insufficient_credits") or status == 402:
        return CostExceeded(PROVIDER, message)
    if status == 429 or status >= 500:
        return ProviderUnavailable(PROVIDER, message, retry_after_s=wait)
    if status == 408:
        return ProviderTimeout(PROVIDER, message)
    return ProviderRejected(PROVIDER, message)


def _detail(body: Any) -> tuple[str, str]:
    """(status code word, message) from ElevenLabs' ``{"detail": {...}}`` error body."""
    detail = body.get("detail", body) if isinstance(body, Mapping) else body
    if isinstance(detail, Mapping):
        code = detail.get("status") or detail.get("code") or ""
        return str(code), str(detail.get("message") or "")
    if isinstance(detail, list) and detail and isinstance(detail[0], Mapping):
        return "", str(detail[0].get("msg") or "")
    return "", "" if detail is None else str(detail)
