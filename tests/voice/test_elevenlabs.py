"""The ElevenLabs engine through the real ``elevenlabs`` SDK against a local server."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.servers.elevenlabs import KEY, ElevenLabsServer
from tests.servers.fake_speech import LEAD_S
from ytempire.models import ScriptBlock, VoiceProfile
from ytempire.quality.audio import read_wav, to_dbfs
from ytempire.resilience.errors import (
    CostExceeded,
    InvalidOutput,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from ytempire.voice import elevenlabs_tts
from ytempire.voice.chunks import Chunk
from ytempire.voice.elevenlabs_tts import ElevenLabsEngine, make_client
from ytempire.voice.profiles import settings_for
from ytempire.voice.synthesis import synthesize

CHUNK = Chunk(index=0, block=0, sentences=["Black holes glow.", "Dr. Hawking knew why!"])
BLOCKS = [
    ScriptBlock(kind="hook", heading="h", text="Black holes are not black. Why not?"),
    ScriptBlock(kind="section", heading="s", text="They glow, faintly, at the edge."),
    ScriptBlock(kind="cta", heading="c", text="Subscribe for more."),
]


def engine_for(
    server: ElevenLabsServer,
    *,
    key: str = KEY,
    output_format: str = "mp3_44100_128",
    profile: VoiceProfile = VoiceProfile.energetic_male,
    timeout_s: float = 5.0,
) -> ElevenLabsEngine:
    client = make_client(key, server.url, timeout_s)
    return ElevenLabsEngine(
        client,
        profile,
        model="eleven_multilingual_v2",
        output_format=output_format,
        api_key=key,
    )


def test_a_chunk_is_one_request_with_the_profiles_voice(
    elevenlabs_server: ElevenLabsServer,
) -> None:
    engine = engine_for(elevenlabs_server)
    audio = engine.synthesize_chunk(CHUNK)
    (request,) = elevenlabs_server.tts_requests
    voice = settings_for(VoiceProfile.energetic_male)
    assert request.path == f"/v1/text-to-speech/{voice.elevenlabs_id}/with-timestamps"
    assert request.api_key == KEY
    assert request.query["output_format"] == "mp3_44100_128"
    assert request.body["text"] == "Black holes glow. Dr. Hawking knew why!"
    assert request.body["model_id"] == "eleven_multilingual_v2"
    assert request.body["voice_settings"] == {
        "stability": 0.75,
        "similarity_boost": 0.85,
        "style": 0.0,
        "speed": 1.1,
    }
    assert "language_code" not in request.body, "multilingual v2 refuses a language code"
    assert audio.rate == 44100 and audio.characters == len(CHUNK.text)
    assert engine.name == "elevenlabs:eleven_multilingual_v2"


@pytest.mark.parametrize("output_format", ["mp3_44100_128", "pcm_22050", "wav_24000"])
def test_timings_come_from_the_alignment_and_match_the_audio(
    elevenlabs_server: ElevenLabsServer, output_format: str
) -> None:
    audio = engine_for(elevenlabs_server, output_format=output_format).synthesize_chunk(CHUNK)
    assert audio.rate == int(output_format.split("_")[1])
    samples = audio.samples / 32768
    assert audio.words is not None and [len(w) for w in audio.words] == [3, 4]
    first = audio.sentences[0]
    assert first is not None and first[0] == pytest.approx(LEAD_S, abs=0.001)
    for span, words in zip(audio.sentences, audio.words, strict=True):
        assert span is not None
        assert span[0] == words[0][0] and span[1] == words[-1][1]
        for start, end in words:
            # Each word is sound, within 30 ms of what the alignment says (MP3 included).
            a, b = round((start + 0.03) * audio.rate), round((end - 0.03) * audio.rate)
            assert to_dbfs(np.sqrt(np.mean(samples[a:b] ** 2))) > -25
    lead = samples[: round((LEAD_S - 0.03) * audio.rate)]
    assert to_dbfs(np.sqrt(np.mean(lead**2))) < -60


def test_a_script_becomes_one_wav_with_every_sentence_timed(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    elevenlabs_server.latency_s = 0.2
    result = synthesize(engine_for(elevenlabs_server), BLOCKS, tmp_path / "raw.wav", concurrency=3)
    assert [s.text for s in result.sentences] == [
        "Black holes are not black.",
        "Why not?",
        "They glow, faintly, at the edge.",
        "Subscribe for more.",
    ]
    assert [s.block for s in result.sentences] == [0, 0, 1, 2]
    assert len(result.words) == 5 + 2 + 6 + 3
    assert result.requests == 3 and elevenlabs_server.max_in_flight == 3
    characters = sum(len(b.text) for b in BLOCKS)
    assert result.characters == characters
    assert result.cost_usd == pytest.approx(characters * 0.15 / 1000)
    samples, rate = read_wav(tmp_path / "raw.wav")
    assert rate == 44100 and result.duration_s == pytest.approx(len(samples) / rate)
    # The engine's leading silence is cut; the subscription was checked first.
    assert result.sentences[0].start < 0.02
    assert elevenlabs_server.requests[0].path == "/v1/user/subscription"


def test_too_few_characters_left_is_a_cost_error_before_any_synthesis(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    elevenlabs_server.character_limit = 1000
    elevenlabs_server.character_count = 990
    with pytest.raises(CostExceeded, match="10 left"):
        synthesize(engine_for(elevenlabs_server), BLOCKS, tmp_path / "raw.wav")
    assert elevenlabs_server.tts_requests == []
    assert not (tmp_path / "raw.wav").exists()


@pytest.mark.parametrize(
    ("behaviour", "error", "words"),
    [
        ("401", ProviderRejected, "HTTP 401 (invalid_api_key)"),
        ("quota", CostExceeded, "HTTP 401 (quota_exceeded)"),
        ("429", ProviderUnavailable, "HTTP 429 (too_many_concurrent_requests)"),
        ("500", ProviderUnavailable, "HTTP 500"),
        ("misaligned", InvalidOutput, "alignment does not match"),
    ],
)
def test_errors_are_translated_and_the_sdk_does_not_retry(
    elevenlabs_server: ElevenLabsServer, behaviour: str, error: type[Exception], words: str
) -> None:
    elevenlabs_server.queue(behaviour)
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")) as caught:
        engine_for(elevenlabs_server).synthesize_chunk(CHUNK)
    assert len(elevenlabs_server.tts_requests) == 1, "the SDK's own retries must be off"
    assert KEY not in str(caught.value)
    assert "\n" not in str(caught.value)
    if behaviour == "429":
        assert caught.value.retry_after_s == 1.0  # type: ignore[attr-defined]


def test_a_wrong_key_never_reaches_the_message(elevenlabs_server: ElevenLabsServer) -> None:
    wrong = "xi-wrong-ANOTHERKEYTHATMUSTNOTLEAK987654"
    with pytest.raises(ProviderRejected) as caught:
        engine_for(elevenlabs_server, key=wrong).check_quota(10)
    assert wrong not in str(caught.value) and "Invalid API key" in str(caught.value)


def test_a_slow_server_is_a_timeout(elevenlabs_server: ElevenLabsServer) -> None:
    elevenlabs_server.queue("timeout")
    elevenlabs_server.hang_s = 3
    with pytest.raises(ProviderTimeout):
        engine_for(elevenlabs_server, timeout_s=1).synthesize_chunk(CHUNK)


def test_no_server_is_unavailable(elevenlabs_server: ElevenLabsServer) -> None:
    engine = engine_for(elevenlabs_server)
    elevenlabs_server.stop()
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        engine.synthesize_chunk(CHUNK)


def test_no_key_is_rejected_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
    with pytest.raises(ProviderRejected, match="ELEVENLABS_API_KEY"):
        make_client(None, None, 5)


def test_an_unknown_output_format_is_refused(elevenlabs_server: ElevenLabsServer) -> None:
    with pytest.raises(ValueError, match="ulaw_8000"):
        engine_for(elevenlabs_server, output_format="ulaw_8000")


def test_quota_exceeded_reads_as_cost_not_as_a_bad_key() -> None:
    from elevenlabs.core.api_error import ApiError

    body = {"detail": {"status": "quota_exceeded", "message": f"quota; key {KEY}"}}
    error = elevenlabs_tts.translate_error(
        ApiError(status_code=401, headers={}, body=body), secret=KEY
    )
    assert isinstance(error, CostExceeded) and KEY not in str(error)
