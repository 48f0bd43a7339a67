"""The voice stage under Prefect: ElevenLabs → Google TTS → Piper, retried by error kind,
quotas checked before spending, every request recorded, the winner mastered.

The real ``elevenlabs`` SDK and the real Google client talk over HTTP to local servers that
fail on command; nothing of ours is patched.
"""

from __future__ import annotations

import uuid
import wave
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from prefect import flow

from tasks.voice import synthesize_voice
from tests.servers.elevenlabs import KEY, ElevenLabsServer
from tests.servers.google_tts import GoogleTTSServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Narration, Script, Section, VideoJob
from ytempire.quality.audio import read_wav
from ytempire.settings import Settings
from ytempire.voice.quota import OPERATION
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

SCRIPT = Script(
    engine="test",
    title="Why black holes glow",
    hook="Black holes are not quite black. So why do they glow?",
    sections=[
        Section(
            heading="The edge",
            narration="Near the edge, pairs of particles appear. One falls in, one escapes.",
        )
    ],
    summary="So black holes slowly shine away their mass.",
    cta="Subscribe for more.",
    markdown_path=Path("script.md"),
)
CHARACTERS = sum(len(b.text) for b in SCRIPT.blocks())


@flow
def voice_only(job: VideoJob, run_id: uuid.UUID) -> Narration:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return synthesize_voice(job, SCRIPT, settings, run_id)


class Servers:
    def __init__(self, eleven: ElevenLabsServer, google: GoogleTTSServer) -> None:
        self.eleven, self.google = eleven, google

    def eleven_tts(self) -> int:
        return len(self.eleven.tts_requests)

    def eleven_quota_checks(self) -> int:
        return sum(r.path == "/v1/user/subscription" for r in self.eleven.requests)


@pytest.fixture
def env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    elevenlabs_server: ElevenLabsServer,
    google_tts_server: GoogleTTSServer,
) -> Servers:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
    monkeypatch.setenv("YTEMPIRE_ELEVENLABS_BASE_URL", elevenlabs_server.url)
    monkeypatch.setenv("YTEMPIRE_GOOGLE_TTS_ENDPOINT", google_tts_server.url)
    monkeypatch.setenv("YTEMPIRE_VOICE_TIMEOUT_S", "5")
    # These tests are about voices' prices: compute (tests/flows/test_costs.py) costs 0 here.
    monkeypatch.setenv("YTEMPIRE_COMPUTE_USD_PER_CPU_HOUR", "0")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("YTEMPIRE_MUSIC_DIR", raising=False)
    elevenlabs_server.hang_s = 1.5
    return Servers(elevenlabs_server, google_tts_server)


def run(job: VideoJob | None = None) -> tuple[Narration, AnalyticsStore, uuid.UUID, VideoJob]:
    job = job or VideoJob(topic="Why black holes glow")
    run_id = uuid.uuid4()
    narration = voice_only(job, run_id)
    return narration, AnalyticsStore(Settings().analytics_url), run_id, job


def test_elevenlabs_speaks_and_every_request_is_recorded(env: Servers) -> None:
    narration, store, run_id, job = run()
    assert narration.engine == "elevenlabs:eleven_multilingual_v2"
    assert narration.fallbacks == []
    assert env.eleven_tts() == len(SCRIPT.blocks()) and env.google.requests == []
    assert narration.characters == CHARACTERS
    assert narration.cost_usd == pytest.approx(CHARACTERS * 0.15 / 1000)
    calls = store.model_calls(OPERATION)
    assert {c.model_name for c in calls} == {"elevenlabs:eleven_multilingual_v2"}
    assert sorted(c.tokens_used for c in calls) == sorted(len(b.text) for b in SCRIPT.blocks())
    (event,) = store.events(run_id)
    assert event.stage == "voice" and event.status == "completed"
    assert event.model_used == narration.engine and event.error_message is None
    assert event.cost_cents == round(narration.cost_usd * 100)
    # The delivered audio is the master, timed on itself: the engine's 0.2 s lead is gone.
    folder = Settings().workspace / job.video_id
    assert narration.audio_path == folder / "narration.wav"
    assert narration.raw_audio_path == folder / "work" / "voice_raw.wav"
    with wave.open(str(narration.audio_path), "rb") as file:
        assert (file.getframerate(), file.getnchannels()) == (48000, 2)
    assert narration.sentences[0].start < 0.02
    assert len(narration.words) == sum(len(b.text.split()) for b in SCRIPT.blocks())
    assert narration.loudness_lufs == pytest.approx(-14, abs=0.2)
    srt = narration.subtitles_path.read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:00,0")


def test_exhausted_subscription_goes_straight_to_google(env: Servers) -> None:
    env.eleven.character_count = env.eleven.character_limit - 10
    narration, store, run_id, _ = run()
    assert env.eleven_quota_checks() == 1 and env.eleven_tts() == 0
    assert narration.engine == "google:en-US-Neural2-D"
    (line,) = narration.fallbacks
    assert line.startswith("elevenlabs failed: elevenlabs: ") and "10 left" in line
    google_calls = [c for c in store.model_calls(OPERATION) if c.model_name.startswith("google")]
    assert len(google_calls) == len(env.google.requests) == len(SCRIPT.blocks())
    assert narration.cost_usd == pytest.approx(narration.characters * 0.016 / 1000)
    (event,) = store.events(run_id)
    assert "elevenlabs failed" in (event.error_message or "")


@pytest.mark.parametrize("behaviour", ["401", "quota"])
def test_rejections_and_quota_errors_are_not_retried(env: Servers, behaviour: str) -> None:
    env.eleven.default = behaviour
    env.eleven.character_limit = 10**9
    narration, _, _, _ = run()
    # One attempt: its first requests fail, nothing is tried again.
    assert env.eleven_quota_checks() == 1
    assert narration.engine.startswith("google:")
    assert KEY not in " ".join(narration.fallbacks)


def test_a_rate_limit_is_retried_and_elevenlabs_still_speaks(
    env: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_VOICE_CONCURRENCY", "1")
    env.eleven.queue("429")
    narration, store, _, _ = run()
    assert env.eleven_quota_checks() == 2
    assert narration.engine.startswith("elevenlabs:") and narration.fallbacks == []
    # The 429 was not paid for: one row per chunk that came back.
    assert len(store.model_calls(OPERATION)) == len(SCRIPT.blocks())


def test_a_server_failing_every_call_gets_three_attempts_then_google(env: Servers) -> None:
    env.eleven.default = "500"
    narration, _, _, _ = run()
    # The third failure in a row opens the elevenlabs circuit breaker: no fourth attempt.
    assert env.eleven_quota_checks() == 3
    assert narration.engine.startswith("google:")
    assert "HTTP 500" in narration.fallbacks[0]
    assert "elevenlabs circuit opened after 3 failures" in narration.fallbacks[0]


def test_timeouts_are_retried_then_google(env: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTEMPIRE_VOICE_CONCURRENCY", "1")
    monkeypatch.setenv("YTEMPIRE_VOICE_TIMEOUT_S", "0.5")
    env.eleven.default = "timeout"
    narration, _, _, _ = run()
    assert env.eleven_quota_checks() == 3 and env.eleven_tts() == 3  # then the breaker opens
    assert narration.engine.startswith("google:")
    assert "timeout" in narration.fallbacks[0]


def test_a_retry_resends_only_the_chunk_that_failed(env: Servers) -> None:
    env.eleven.fail_text("pairs of particles", "500")
    narration, store, _, _ = run()
    assert narration.engine.startswith("elevenlabs:") and narration.fallbacks == []
    # Each chunk succeeded once; the failed one was sent twice. (Chunks the failure cancelled
    # before they started were sent once, by the retry.)
    sent = Counter(r.text for r in env.eleven.tts_requests)
    failed = SCRIPT.blocks()[1].text
    assert sent == Counter({**{b.text: 1 for b in SCRIPT.blocks()}, failed: 2})
    calls = store.model_calls(OPERATION)
    assert sum(c.tokens_used for c in calls) == narration.characters == CHARACTERS


def test_over_the_daily_quota_elevenlabs_is_not_called(
    env: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_ELEVENLABS_DAILY_CHARS", "1000")
    store = AnalyticsStore(Settings().analytics_url)
    store.record_model_call(
        "elevenlabs:eleven_multilingual_v2",
        OPERATION,
        latency_ms=900,
        tokens_used=950,
        cost_usd=0.14,
        timestamp=datetime.now(UTC),
    )
    narration, _, _, _ = run()
    assert env.eleven.requests == []
    assert narration.engine.startswith("google:")
    assert "daily quota" in narration.fallbacks[0] and "50 left today" in narration.fallbacks[0]


def test_every_cloud_engine_failing_leaves_piper(env: Servers) -> None:
    env.eleven.default = "quota"
    env.google.default = "401"
    narration, store, run_id, _ = run()
    assert narration.engine == "piper:en_US-joe-medium" and narration.cost_usd == 0.0
    assert [line.split(" failed")[0] for line in narration.fallbacks] == ["elevenlabs", "google"]
    assert len(env.google.requests) >= 1
    (event,) = store.events(run_id)
    assert event.model_used == "piper:en_US-joe-medium"


def test_without_configuration_piper_speaks_and_nothing_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    for name in (
        "ELEVENLABS_API_KEY",
        "YTEMPIRE_GOOGLE_TTS_ENDPOINT",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "YTEMPIRE_MUSIC_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    narration, store, _, _ = run()
    assert narration.engine == "piper:en_US-joe-medium" and narration.fallbacks == []
    assert store.model_calls(OPERATION) == []
    assert narration.sample_rate == 48000
    # Piper's own phoneme timings give every word its span (ytempire/voice/alignment.py).
    assert [w.text for w in narration.words] == " ".join(b.text for b in SCRIPT.blocks()).split()


def test_a_music_folder_puts_a_bed_under_the_voice(
    env: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    rate = 44_100
    t = np.arange(8 * rate) / rate
    bed = 0.3 * np.sin(2 * np.pi * 13_000 * t)
    with wave.open(str(music / "bed.wav"), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(np.round(bed * 32767).astype("<i2").tobytes())
    monkeypatch.setenv("YTEMPIRE_MUSIC_DIR", str(music))
    narration, _, _, _ = run()
    assert narration.engine.startswith("elevenlabs:")
    assert narration.music_path == music / "bed.wav"
    assert narration.voice_path is not None and narration.voice_path.name == "voice_master.wav"
    mix, _ = read_wav(narration.audio_path)
    voice, _ = read_wav(narration.voice_path)
    assert mix.shape == voice.shape
    assert not np.array_equal(mix, voice)
    assert narration.loudness_lufs == pytest.approx(-14, abs=0.2)
