"""The voice stage speaking other languages, dialogues and a channel's cloned voice, under
Prefect, with the real SDKs against the local ElevenLabs-like and Google-like servers."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from prefect import flow

from blocks.channel import ChannelProfile, remember_cloned_voice
from tasks.voice import synthesize_voice
from tests.servers.elevenlabs import KEY, ElevenLabsServer
from tests.servers.google_tts import GoogleTTSServer
from ytempire.media.subtitles import parse_srt
from ytempire.models import (
    ClonedVoice,
    Narration,
    Script,
    Section,
    Turn,
    VideoJob,
    VoiceConsent,
    VoiceProfile,
)
from ytempire.quality.audio import read_wav
from ytempire.settings import Settings
from ytempire.voice.assemble import TURN_PAUSE_S
from ytempire.voice.chunks import plan_chunks
from ytempire.voice.cloning import record_path, samples_sha256
from ytempire.voice.profiles import settings_for
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

SPANISH = Script(
    engine="test",
    title="Cómo brillan los agujeros negros",
    hook="Los agujeros negros no son del todo negros.",
    sections=[Section(heading="El borde", narration="Cerca del borde aparecen partículas.")],
    summary="Así pierden su masa.",
    cta="Suscríbete.",
    markdown_path=Path("script.md"),
    language="es",
)
TURNS = [
    Turn(speaker="Ana", text="So do black holes really glow?"),
    Turn(speaker="Ben", text="They do. Faintly, at the edge."),
    Turn(speaker="Ana", text="Then they shrink."),
]
DIALOGUE = Script(
    engine="test",
    title="Do black holes glow?",
    hook="Two of us disagree about black holes.",
    sections=[
        Section(
            heading="The glow",
            narration=" ".join(t.text for t in TURNS),
            turns=TURNS,
        )
    ],
    summary="They glow, and they shrink.",
    cta="Subscribe for more.",
    markdown_path=Path("script.md"),
)


@flow
def voice_only(job: VideoJob, script: Script) -> Narration:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return synthesize_voice(job, script, settings, uuid.uuid4())


@pytest.fixture
def servers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    elevenlabs_server: ElevenLabsServer,
    google_tts_server: GoogleTTSServer,
) -> tuple[ElevenLabsServer, GoogleTTSServer]:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
    monkeypatch.setenv("YTEMPIRE_ELEVENLABS_BASE_URL", elevenlabs_server.url)
    monkeypatch.setenv("YTEMPIRE_GOOGLE_TTS_ENDPOINT", google_tts_server.url)
    monkeypatch.setenv("YTEMPIRE_VOICE_TIMEOUT_S", "5")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("YTEMPIRE_MUSIC_DIR", raising=False)
    return elevenlabs_server, google_tts_server


def test_a_spanish_job_sends_the_spanish_voice_to_both_providers(
    servers: tuple[ElevenLabsServer, GoogleTTSServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    eleven, google = servers
    monkeypatch.setenv("YTEMPIRE_ELEVENLABS_MULTILINGUAL_MODEL", "eleven_turbo_v2_5")
    job = VideoJob(topic="Cómo brillan los agujeros negros", language="es")
    narration = voice_only(job, SPANISH)
    assert narration.engine == "elevenlabs:eleven_turbo_v2_5"
    sent = {(r.body["model_id"], r.body.get("language_code")) for r in eleven.tts_requests}
    assert sent == {("eleven_turbo_v2_5", "es")}
    # Without ElevenLabs, Google speaks it with a voice of Spain.
    monkeypatch.delenv("ELEVENLABS_API_KEY")
    narration = voice_only(job.model_copy(update={"video_id": uuid.uuid4().hex}), SPANISH)
    assert narration.engine == "google:es-ES-Neural2-B"
    assert {(r.voice["languageCode"], r.voice["name"]) for r in google.requests} == {
        ("es-ES", "es-ES-Neural2-B")
    }


def test_a_dialogue_has_two_voices_and_speaker_marked_subtitles(
    servers: tuple[ElevenLabsServer, GoogleTTSServer],
) -> None:
    eleven, _ = servers
    female, male = VoiceProfile.professional_female, VoiceProfile.professional_male
    job = VideoJob(topic="Do black holes glow?", speakers=(("Ana", female), ("Ben", male)))
    narration = voice_only(job, DIALOGUE)
    voices = {r.text: r.voice_id for r in eleven.tts_requests}
    assert voices[TURNS[1].text] == settings_for(male).elevenlabs_id
    assert {voices[t.text] for t in (TURNS[0], TURNS[2])} == {settings_for(female).elevenlabs_id}
    assert voices[DIALOGUE.hook] == settings_for(female).elevenlabs_id  # the host narrates

    turns = [s for s in narration.sentences if s.speaker]
    assert [s.speaker for s in turns] == ["Ana", "Ben", "Ben", "Ana"]
    cues = parse_srt(narration.subtitles_path.read_text(encoding="utf-8"))
    labelled = [(a, b, text) for a, b, text in cues if re.match(r"^(ANA|BEN): ", text)]
    assert [text.split(":")[0] for *_, text in labelled] == ["ANA", "BEN", "ANA"]
    # Each turn's label is on the cue of the turn's first sentence: it is up when the turn
    # starts (to the millisecond, or earlier where a short cue took its minimum second from
    # the pause before), never over the other speaker's speech.
    spoken = sorted(narration.sentences, key=lambda s: s.start)
    for (start, end, text), sentence in zip(labelled, [turns[0], turns[1], turns[3]], strict=True):
        before = spoken[spoken.index(sentence) - 1]
        assert before.end - 0.0015 <= start <= sentence.start + 0.0015 < end
        assert text.split(": ", 1)[1].startswith(sentence.text.split()[0])
    vtt = (narration.subtitles_path.parent / "subtitles.vtt").read_text(encoding="utf-8")
    assert "<v Ana>So do black holes" in vtt and "<v Ben>They do." in vtt
    # The timings are the audio's: speech inside each turn, a turn gap of quiet between.
    samples, rate = read_wav(narration.audio_path)
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples

    def rms(a: float, b: float) -> float:
        part = mono[round(a * rate) : round(b * rate)]
        return float(20 * np.log10(np.sqrt(np.mean(part**2)) + 1e-12))

    for sentence in turns:
        assert rms(sentence.start + 0.03, sentence.start + 0.15) > -30
    gap = turns[1].start - turns[0].end
    assert TURN_PAUSE_S - 0.05 < gap < TURN_PAUSE_S + 0.1
    assert rms(turns[0].end + 0.05, turns[1].start - 0.05) < -50


def test_a_channels_voice_is_cloned_once_for_two_videos(
    servers: tuple[ElevenLabsServer, GoogleTTSServer], tmp_path: Path
) -> None:
    eleven, _ = servers
    sample = tmp_path / "ana.wav"
    sample.write_bytes(b"RIFF" + bytes(range(200)))
    consent = VoiceConsent(
        statement="I, Ana Ruiz, agree to narrate this channel with a clone of my voice.",
        given_by="Ana Ruiz",
        given_on=date(2026, 12, 1),
    )
    job = VideoJob(
        topic="Why black holes glow",
        channel="space-facts",
        voice_samples=(sample,),
        voice_consent=consent,
    )
    first = voice_only(job, DIALOGUE)
    second = voice_only(job.model_copy(update={"video_id": uuid.uuid4().hex}), DIALOGUE)
    (clone,) = eleven.clones
    assert clone.files == [("ana.wav", sample.read_bytes())]
    assert {r.voice_id for r in eleven.tts_requests} == {clone.voice_id}
    assert len(eleven.tts_requests) == 2 * len(plan_chunks(DIALOGUE.blocks()))
    assert first.fallbacks == [
        f"elevenlabs: space-facts's voice cloned as {clone.voice_id} (kept in the workspace)"
    ]
    assert second.fallbacks == []
    record = record_path(Settings().workspace, "space-facts", samples_sha256([sample]))
    assert ClonedVoice.model_validate_json(record.read_text()).voice_id == clone.voice_id


def test_a_clone_is_kept_on_the_channels_profile_block() -> None:
    clone = ClonedVoice(voice_id="clone42", samples_sha256="ab" * 32, created_at=datetime.now(UTC))
    assert remember_cloned_voice("space-facts", clone) is False  # no profile of it on the server
    ChannelProfile(name="space-facts", niche="space").save("space-facts-profile")
    try:
        assert remember_cloned_voice("space-facts", clone) is True
        kept = ChannelProfile.load("space-facts-profile")
        assert isinstance(kept, ChannelProfile) and kept.cloned_voice == clone
        assert kept.job(uuid.uuid4().hex, "Tides").cloned_voice == clone
    finally:
        ChannelProfile.delete("space-facts-profile")
