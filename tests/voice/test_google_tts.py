"""The Google Cloud TTS engine through the real client (REST transport) against a local
server speaking ``v1beta1/text:synthesize`` with SSML mark timepoints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.servers.fake_speech import LEAD_S
from tests.servers.google_tts import GoogleTTSServer, parse_ssml
from ytempire.models import ScriptBlock, VoiceProfile
from ytempire.quality.audio import to_dbfs
from ytempire.resilience.errors import (
    CostExceeded,
    InvalidOutput,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from ytempire.voice import google_tts
from ytempire.voice.chunks import Chunk, plan_chunks
from ytempire.voice.google_tts import MAX_REQUEST_BYTES, GoogleEngine, make_client, ssml
from ytempire.voice.synthesis import synthesize

CHUNK = Chunk(index=0, block=0, sentences=["Salt & pepper <now>.", "Why not?"])


def engine_for(
    server: GoogleTTSServer,
    profile: VoiceProfile = VoiceProfile.calm_female,
    timeout_s: float = 5.0,
) -> GoogleEngine:
    return GoogleEngine(make_client(endpoint=server.url), profile, timeout_s=timeout_s)


def test_ssml_marks_every_word_and_sentence_end_and_escapes_text() -> None:
    markup = ssml(CHUNK.sentences)
    assert markup.startswith("<speak>") and markup.endswith("</speak>")
    assert '<mark name="s0w1"/>&amp;' in markup and "&lt;now&gt;." in markup
    text, marks = parse_ssml(markup)
    assert text == "Salt & pepper <now>. Why not?"
    assert [name for name, _ in marks] == [
        "s0w0",
        "s0w1",
        "s0w2",
        "s0w3",
        "s0e",
        "s1w0",
        "s1w1",
        "s1e",
    ]


def test_a_chunk_is_one_request_with_the_profiles_voice(google_tts_server: GoogleTTSServer) -> None:
    engine = engine_for(google_tts_server)
    audio = engine.synthesize_chunk(CHUNK)
    (request,) = google_tts_server.requests
    assert request.path == "/v1beta1/text:synthesize"
    assert request.authorization is None, "a plain-http endpoint gets no credentials"
    assert request.voice == {"languageCode": "en-US", "name": "en-US-Neural2-C"}
    config = request.audio_config
    assert config["audioEncoding"] in ("LINEAR16", 1)
    assert config["sampleRateHertz"] == 24000
    assert config["speakingRate"] == pytest.approx(0.95)
    assert config["pitch"] == pytest.approx(-0.5)
    assert request.body["enableTimePointing"] in (["SSML_MARK"], [1])
    assert request.ssml == ssml(CHUNK.sentences)
    assert engine.name == "google:en-US-Neural2-C"
    assert audio.rate == 24000
    # Billed: the SSML without its marks.
    assert audio.characters == len("<speak>Salt &amp; pepper &lt;now&gt;. Why not?</speak>")


def test_timings_come_from_the_marks_and_match_the_audio(
    google_tts_server: GoogleTTSServer,
) -> None:
    audio = engine_for(google_tts_server).synthesize_chunk(CHUNK)
    samples = audio.samples / 32768
    assert audio.words is not None and [len(w) for w in audio.words] == [4, 2]
    first = audio.sentences[0]
    assert first is not None and first[0] == pytest.approx(LEAD_S, abs=0.001)
    for span, words in zip(audio.sentences, audio.words, strict=True):
        assert span is not None and span[0] == words[0][0] and span[1] == words[-1][1]
        a, b = round((span[0] + 0.03) * audio.rate), round((span[0] + 0.15) * audio.rate)
        assert to_dbfs(np.sqrt(np.mean(samples[a:b] ** 2))) > -25
        after = samples[round((span[1] + 0.01) * audio.rate) : round((span[1] + 0.04) * audio.rate)]
        assert to_dbfs(np.sqrt(np.mean(after**2))) < -60


def test_requests_fit_googles_5000_bytes() -> None:
    text = " ".join(f"Sentence number {i} has a few short words in it." for i in range(400))
    chunks = plan_chunks([ScriptBlock(kind="section", heading="h", text=text)], google_tts.fits)
    assert len(chunks) > 5
    assert all(len(ssml(c.sentences).encode()) <= MAX_REQUEST_BYTES for c in chunks)


def test_a_script_becomes_one_wav(google_tts_server: GoogleTTSServer, tmp_path: Path) -> None:
    google_tts_server.latency_s = 0.2
    blocks = [
        ScriptBlock(kind="hook", heading="h", text="Stars burn. They also die."),
        ScriptBlock(kind="cta", heading="c", text="Subscribe."),
    ]
    result = synthesize(engine_for(google_tts_server), blocks, tmp_path / "raw.wav", concurrency=2)
    assert [s.text for s in result.sentences] == ["Stars burn.", "They also die.", "Subscribe."]
    assert [w.text for w in result.words] == [
        "Stars",
        "burn.",
        "They",
        "also",
        "die.",
        "Subscribe.",
    ]
    assert google_tts_server.max_in_flight == 2
    assert result.cost_usd == pytest.approx(result.characters * 0.016 / 1000)


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("401", ProviderRejected),
        ("403", ProviderRejected),
        ("429", ProviderUnavailable),
        ("quota", CostExceeded),
        ("500", ProviderUnavailable),
        ("503", ProviderUnavailable),
        ("no_marks", InvalidOutput),
    ],
)
def test_errors_are_translated_and_not_retried_by_the_client(
    google_tts_server: GoogleTTSServer, behaviour: str, error: type[Exception]
) -> None:
    google_tts_server.queue(behaviour)
    with pytest.raises(error) as caught:
        engine_for(google_tts_server).synthesize_chunk(CHUNK)
    assert len(google_tts_server.requests) == 1
    assert "\n" not in str(caught.value) and str(caught.value).startswith("google: ")


def test_a_rate_limit_passes_on_the_servers_retry_after(
    google_tts_server: GoogleTTSServer,
) -> None:
    google_tts_server.queue("429")
    with pytest.raises(ProviderUnavailable) as caught:
        engine_for(google_tts_server).synthesize_chunk(CHUNK)
    assert caught.value.retry_after_s == 7.0


def test_a_slow_server_is_a_timeout(google_tts_server: GoogleTTSServer) -> None:
    google_tts_server.queue("timeout")
    google_tts_server.hang_s = 3
    with pytest.raises(ProviderTimeout):
        engine_for(google_tts_server, timeout_s=1).synthesize_chunk(CHUNK)


def test_no_server_is_unavailable(google_tts_server: GoogleTTSServer) -> None:
    engine = engine_for(google_tts_server)
    google_tts_server.stop()
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        engine.synthesize_chunk(CHUNK)


def test_no_credentials_is_rejected(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(ProviderRejected, match="credentials"):
        make_client(credentials_file=tmp_path / "missing.json")


def test_a_daily_quota_429_is_a_cost_error_a_rate_limit_is_not() -> None:
    from google.api_core import exceptions

    daily = exceptions.TooManyRequests("Quota exceeded ... 'Characters per day'.")
    minute = exceptions.TooManyRequests("Quota exceeded ... 'Requests per minute'.")
    assert isinstance(google_tts.translate_error(daily), CostExceeded)
    assert isinstance(google_tts.translate_error(minute), ProviderUnavailable)
