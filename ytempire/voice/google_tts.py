"""Google Cloud Text-to-Speech through the official ``google-cloud-texttospeech`` SDK: the one
module that imports it.

Each chunk is sent as SSML with a ``<mark>`` before every word and after every sentence,
inside the ``<prosody>`` of the chunk's delivery (``ytempire.voice.delivery``); the v1beta1
API returns the time of each mark, which gives every sentence's and word's span in the audio
(LINEAR16, a WAV at 24 kHz). The voice and its locale come from the job's language, accent
and voice profile (``ytempire.voice.cloud_voices``). The client uses the REST transport; its
retries are off (the orchestration layer retries by error kind and falls back), and every
failure leaves here as one of ``ytempire.resilience.errors`` with a one-line message.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path

import requests
from google.api_core import exceptions as google_errors
from google.auth import exceptions as auth_errors
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import texttospeech_v1beta1 as tts
from google.oauth2 import service_account

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
from ytempire.voice.chunks import MAX_CHUNK_CHARS, Chunk
from ytempire.voice.cloud_voices import google_voice
from ytempire.voice.decode import AudioDecodeError, wav
from ytempire.voice.delivery import PROSODY_BYTES, prosody
from ytempire.voice.errors import clean
from ytempire.voice.profiles import settings_for

PROVIDER = "google"
# Neural2 voices' price per 1,000 characters (the price table: ytempire/data/prices.toml).
PRICE_PER_1K_CHARS = speech_per_1k(f"{PROVIDER}:Neural2")
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# The API takes at most 5,000 bytes of input per request, SSML tags included.
MAX_REQUEST_BYTES = 5000
SAMPLE_RATE = 24_000

_MARK = re.compile(r"<mark [^>]*/>")


def make_client(
    *,
    credentials_file: Path | None = None,
    credentials_json: str | None = None,
    endpoint: str | None = None,
) -> tts.TextToSpeechClient:
    """A REST client for ``endpoint`` (None: Google's). A plain ``http://`` endpoint is a
    local emulator or proxy and gets no credentials; otherwise the service account key
    ``credentials_json`` (the key itself, from the Google block), ``credentials_file`` or the
    ambient Application Default Credentials are used. Raises ``ProviderRejected`` when
    there are none."""
    options: dict[str, str] = {}
    credentials: Credentials | None = None
    if endpoint:
        options["api_endpoint"] = endpoint
        if endpoint.startswith("http://"):
            credentials = AnonymousCredentials()
    if credentials is None and credentials_json:
        try:
            credentials = service_account.Credentials.from_service_account_info(
                json.loads(credentials_json), scopes=[CLOUD_PLATFORM_SCOPE]
            )
        except ValueError as exc:  # bad JSON or a key without its fields; never echoes it
            raise ProviderRejected(
                PROVIDER, f"the service account key cannot be used: {clean(str(exc))}"
            ) from None
    if credentials is None and credentials_file:
        options["credentials_file"] = str(credentials_file)
    try:
        return tts.TextToSpeechClient(
            credentials=credentials, transport="rest", client_options=options
        )
    except auth_errors.GoogleAuthError as exc:
        raise ProviderRejected(PROVIDER, f"no usable credentials: {clean(str(exc))}") from None


def ssml(sentences: Sequence[str], delivery: Delivery | None = None) -> str:
    """The sentences as SSML with a mark before each word (``s<i>w<j>``) and after each
    sentence (``s<i>e``), inside ``delivery``'s prosody."""
    spoken = []
    for i, sentence in enumerate(sentences):
        words = [f'<mark name="s{i}w{j}"/>{escape(w)}' for j, w in enumerate(sentence.split())]
        spoken.append(" ".join(words) + f'<mark name="s{i}e"/>')
    return "<speak>" + prosody(" ".join(spoken), delivery) + "</speak>"


def fits(sentences: Sequence[str]) -> bool:
    """Whether the sentences make one request in any delivery: under 3,000 characters of
    text and within the API's 5,000 bytes as SSML."""
    text = " ".join(sentences)
    return (
        len(text) < MAX_CHUNK_CHARS
        and len(ssml(sentences).encode()) + PROSODY_BYTES <= MAX_REQUEST_BYTES
    )


def billed_characters(sentences: Sequence[str], delivery: Delivery | None = None) -> int:
    """What Google bills for these sentences' SSML: every character, tags included, except
    the ``<mark>`` tags."""
    return len(_MARK.sub("", ssml(sentences, delivery)))


class GoogleEngine:
    """One voice profile on Google Cloud TTS, as a ``SpeechEngine``: the voice of the
    profile in the locale of ``language_tag`` and ``accent`` (``notes`` says what could not
    be had as asked), at the profile's speed and pitch."""

    price_per_1k_chars = PRICE_PER_1K_CHARS
    concurrent = True
    deliveries = frozenset(Delivery)

    def __init__(
        self,
        client: tts.TextToSpeechClient,
        profile: VoiceProfile,
        *,
        timeout_s: float = 60.0,
        price_per_1k_chars: float | None = None,
        language_tag: str = "en",
        accent: str | None = None,
    ) -> None:
        self.client = client
        self.voice = settings_for(profile)
        self.choice = google_voice(profile, language_tag, accent)
        self.notes = self.choice.notes
        self.name = f"{PROVIDER}:{self.choice.name}"
        # The voice's tier's price: the settings' (their price file) when given.
        self.price_per_1k_chars = (
            speech_per_1k(self.name) if price_per_1k_chars is None else price_per_1k_chars
        )
        self.pause_scale = 1 / self.voice.speed
        self.timeout_s = timeout_s

    def fits(self, sentences: Sequence[str]) -> bool:
        return fits(sentences)

    def billed_characters(self, chunk: Chunk) -> int:
        return billed_characters(chunk.sentences, chunk.delivery)

    def cache_key(self) -> str:
        v = self.voice
        return f"{self.name}|{v.speed}|{v.pitch}|{SAMPLE_RATE}"

    def check_quota(self, characters: int) -> None:
        """Google has no quota API; the daily character quota is checked before the engine
        is tried (``ytempire.voice.quota``)."""
        return None

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        request = tts.SynthesizeSpeechRequest(
            input=tts.SynthesisInput(ssml=ssml(chunk.sentences, chunk.delivery)),
            voice=tts.VoiceSelectionParams(
                language_code=self.choice.language_code, name=self.choice.name
            ),
            audio_config=tts.AudioConfig(
                audio_encoding=tts.AudioEncoding.LINEAR16,
                sample_rate_hertz=SAMPLE_RATE,
                speaking_rate=self.voice.speed,
                pitch=self.voice.pitch,
            ),
            enable_time_pointing=[tts.SynthesizeSpeechRequest.TimepointType.SSML_MARK],
        )
        started = time.perf_counter()
        try:
            response = self.client.synthesize_speech(
                request=request, retry=None, timeout=self.timeout_s
            )
        except (google_errors.GoogleAPIError, requests.RequestException) as exc:
            raise translate_error(exc) from None
        except auth_errors.GoogleAuthError as exc:
            raise ProviderRejected(PROVIDER, f"credentials: {clean(str(exc))}") from None
        latency_ms = round((time.perf_counter() - started) * 1000)
        try:
            samples, rate = wav(response.audio_content)
        except AudioDecodeError as exc:
            raise InvalidOutput(PROVIDER, f"chunk {chunk.index}: {exc}") from None
        marks = {p.mark_name: float(p.time_seconds) for p in response.timepoints}
        sentences, words = spans_from_marks(chunk, marks)
        return ChunkAudio(
            samples=samples,
            rate=rate,
            sentences=list(sentences),
            words=words,
            characters=self.billed_characters(chunk),
            latency_ms=latency_ms,
        )


def spans_from_marks(chunk: Chunk, marks: dict[str, float]) -> tuple[list[Span], list[list[Span]]]:
    """Each sentence's span and its words' from the mark times of :func:`ssml`: a word lasts
    until the next word's mark, the last one until the sentence's end mark. Raises
    ``InvalidOutput`` if a mark is missing."""
    sentences: list[Span] = []
    words: list[list[Span]] = []
    for i, sentence in enumerate(chunk.sentences):
        names = [f"s{i}w{j}" for j in range(len(sentence.split()))] + [f"s{i}e"]
        missing = [n for n in names if n not in marks]
        if missing:
            raise InvalidOutput(
                PROVIDER,
                f"chunk {chunk.index}: no time for {len(missing)} mark(s), e.g. {missing[0]}",
            )
        times = [marks[n] for n in names]
        for k in range(1, len(times)):
            times[k] = max(times[k], times[k - 1])
        sentences.append((times[0], times[-1]))
        words.append([(times[k], times[k + 1]) for k in range(len(times) - 1)])
    return sentences, words


def translate_error(exc: Exception) -> ProviderError:
    """The ``ytempire.resilience.errors`` equivalent of a client error, in one line.

    Google reports both a per-minute rate limit and an exhausted daily quota as 429
    (RESOURCE_EXHAUSTED); only the daily one is a cost error.
    """
    if isinstance(exc, requests.Timeout | google_errors.DeadlineExceeded):
        return ProviderTimeout(PROVIDER, "no answer before the client's timeout")
    if isinstance(exc, requests.RequestException):
        return ProviderUnavailable(PROVIDER, f"cannot reach the server: {clean(str(exc))}")
    if not isinstance(exc, google_errors.GoogleAPICallError):
        return ProviderUnavailable(PROVIDER, clean(str(exc)))
    status = int(exc.code or 0)
    message = f"HTTP {status}: {clean(exc.message or '')}"
    if status == 429:
        if "per day" in message.lower() or "daily" in message.lower():
            return CostExceeded(PROVIDER, message)
        return ProviderUnavailable(PROVIDER, message, retry_after_s=retry_after.of_error(exc))
    if status == 408 or status == 504:
        return ProviderTimeout(PROVIDER, message)
    if status >= 500:
        return ProviderUnavailable(PROVIDER, message, retry_after_s=retry_after.of_error(exc))
    return ProviderRejected(PROVIDER, message)
