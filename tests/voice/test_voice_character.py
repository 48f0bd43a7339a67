"""Voices with character on the cloud engines: languages and accents choose the voice,
deliveries change what is sent, dialogues go to each speaker's voice. The real SDKs talk to
the local ElevenLabs-like and Google-like servers, which record what they were sent."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.servers.elevenlabs import KEY, ElevenLabsServer
from tests.servers.fake_speech import speak
from tests.servers.google_tts import GoogleTTSServer, parse_ssml
from ytempire.language import known
from ytempire.media.plan import word_cue_frames
from ytempire.media.subtitles import CAPTION_STYLES, caption_lines, speaker_colour
from ytempire.models import Delivery, ScriptBlock, TimedText, Turn, VideoJob, VoiceProfile
from ytempire.resilience.errors import ProviderRejected
from ytempire.voice import cloud_voices
from ytempire.voice.assemble import TURN_PAUSE_S, ChunkAudio
from ytempire.voice.chunks import Chunk, plan_chunks
from ytempire.voice.cloud_voices import elevenlabs_voice, google_voice
from ytempire.voice.delivery import STYLES
from ytempire.voice.dialogue import Dialogue, speaking
from ytempire.voice.elevenlabs_tts import ElevenLabsEngine, make_client
from ytempire.voice.errors import NarrationError
from ytempire.voice.google_tts import GoogleEngine
from ytempire.voice.google_tts import make_client as google_client
from ytempire.voice.profiles import settings_for
from ytempire.voice.subtitles import cues_from_sentences, to_srt, to_vtt
from ytempire.voice.synthesis import synthesize

ES = Chunk(index=0, block=0, sentences=["Los agujeros negros brillan.", "¿Por qué?"])
MALE, FEMALE = VoiceProfile.professional_male, VoiceProfile.professional_female


def eleven(
    server: ElevenLabsServer,
    profile: VoiceProfile = MALE,
    *,
    model: str = "eleven_multilingual_v2",
    language: str = "en",
    accent: str | None = None,
) -> ElevenLabsEngine:
    voice = elevenlabs_voice(profile, language, accent)
    return ElevenLabsEngine(
        make_client(KEY, server.url, 5),
        profile,
        model=model,
        api_key=KEY,
        voice_id=voice.name,
        language_code=voice.language_code,
    )


def google(
    server: GoogleTTSServer,
    profile: VoiceProfile = MALE,
    language: str = "en",
    accent: str | None = None,
) -> GoogleEngine:
    client = google_client(endpoint=server.url)
    return GoogleEngine(client, profile, timeout_s=5, language_tag=language, accent=accent)


# --- languages and accents ------------------------------------------------------------------


def test_a_spanish_chunk_sends_the_language_to_models_that_take_it(
    elevenlabs_server: ElevenLabsServer,
) -> None:
    eleven(elevenlabs_server, model="eleven_turbo_v2_5", language="es").synthesize_chunk(ES)
    eleven(elevenlabs_server, language="es").synthesize_chunk(ES)
    turbo, multilingual = elevenlabs_server.tts_requests
    assert (turbo.body["model_id"], turbo.body["language_code"]) == ("eleven_turbo_v2_5", "es")
    # Multilingual v2 refuses a language code (the SDK says so): it reads the text's.
    assert multilingual.body["model_id"] == "eleven_multilingual_v2"
    assert "language_code" not in multilingual.body


def test_a_spanish_job_gets_a_spanish_google_voice(google_tts_server: GoogleTTSServer) -> None:
    engine = google(google_tts_server, language="es")
    audio = engine.synthesize_chunk(ES)
    (request,) = google_tts_server.requests
    assert request.voice == {"languageCode": "es-ES", "name": "es-ES-Neural2-B"}
    assert engine.name == "google:es-ES-Neural2-B" and engine.notes == ()
    assert audio.words is not None and [len(w) for w in audio.words] == [4, 2]


def test_an_accent_picks_the_voices_of_its_locale(
    google_tts_server: GoogleTTSServer, elevenlabs_server: ElevenLabsServer
) -> None:
    google(google_tts_server, FEMALE, "en", "en-GB").synthesize_chunk(ES)
    (request,) = google_tts_server.requests
    assert request.voice == {"languageCode": "en-GB", "name": "en-GB-Neural2-A"}
    eleven(elevenlabs_server, FEMALE, accent="en-GB").synthesize_chunk(ES)
    (spoken,) = elevenlabs_server.tts_requests
    assert spoken.voice_id == "Xb7hH8MSUJpSbSDYk0k2"  # Alice, a British premade voice
    assert spoken.voice_id != settings_for(FEMALE).elevenlabs_id


def test_what_cannot_be_had_as_asked_is_noted() -> None:
    mexican = google_voice(MALE, "es", "es-MX")
    assert (mexican.language_code, mexican.name) == ("es-US", "es-US-Neural2-B")
    assert mexican.notes == ("google: no es-MX voices; es-US voices used",)
    calm = google_voice(VoiceProfile.calm_female, "ja")
    assert calm.name == "ja-JP-Neural2-B" and "no calm_female voice" in calm.notes[0]
    assert google_voice(MALE, "pt-BR").language_code == "pt-BR"
    assert google_voice(MALE, "zh", "zh-TW").notes == ()
    australian = elevenlabs_voice(MALE, "en", "en-AU")
    assert australian.name == settings_for(MALE).elevenlabs_id
    assert australian.notes and "en-AU" in australian.notes[0]


def test_every_language_has_google_voices_of_one_tier_per_locale() -> None:
    for code in known():
        for profile in VoiceProfile:
            assert google_voice(profile, code).language_code
    table = cloud_voices._table()["google"]
    for locale, voices in table["voices"].items():
        tiers = {re.sub(r"-[A-Z]$", "", v)[len(locale) + 1 :] for v in voices.values()}
        assert len(tiers) == 1 and all(v.startswith(locale) for v in voices.values()), locale
    for locale in table["locales"].values():
        assert locale in table["voices"]


def test_a_language_google_has_no_voices_for_skips_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table: dict[str, Any] = {"google": {"locales": {}, "voices": {}}, "elevenlabs": {}}
    monkeypatch.setattr(cloud_voices, "_table", lambda: table)
    with pytest.raises(ProviderRejected, match=r"google: no voices for Spanish \(es\)"):
        google_voice(MALE, "es")


# --- delivery -------------------------------------------------------------------------------


def test_a_delivery_changes_the_elevenlabs_voice_settings(
    elevenlabs_server: ElevenLabsServer,
) -> None:
    engine = eleven(elevenlabs_server, VoiceProfile.energetic_male)
    engine.synthesize_chunk(ES)
    engine.synthesize_chunk(ES.model_copy(update={"delivery": Delivery.excited}))
    engine.synthesize_chunk(ES.model_copy(update={"delivery": Delivery.whisper}))
    plain, excited, whisper = (r.body["voice_settings"] for r in elevenlabs_server.tts_requests)
    assert plain == {"stability": 0.75, "similarity_boost": 0.85, "style": 0.0, "speed": 1.1}
    style = STYLES[Delivery.excited]
    assert excited == {
        "stability": style.stability,
        "similarity_boost": style.similarity_boost,
        "style": style.style,
        "speed": 1.2,  # 1.1 x 1.1, held to ElevenLabs' highest speed
    }
    assert whisper["stability"] == STYLES[Delivery.whisper].stability
    assert whisper["speed"] == pytest.approx(1.1 * 0.9)


def test_a_delivery_wraps_the_google_ssml_in_prosody_and_keeps_the_timings(
    google_tts_server: GoogleTTSServer,
) -> None:
    engine = google(google_tts_server)
    plain = engine.synthesize_chunk(ES)
    whispered = engine.synthesize_chunk(ES.model_copy(update={"delivery": Delivery.whisper}))
    first, second = google_tts_server.requests
    assert "<prosody" not in first.ssml
    assert second.ssml.startswith(
        '<speak><prosody rate="90%" pitch="-1st" volume="x-soft"><emphasis level="reduced">'
    )
    assert parse_ssml(second.ssml)[0] == parse_ssml(first.ssml)[0]
    assert whispered.sentences == plain.sentences and whispered.words == plain.words
    assert whispered.characters > plain.characters  # Google bills the prosody tags


class Tones:
    """A speech engine that cannot say deliveries (as the offline ones): fake speech."""

    name = "tones:test"
    price_per_1k_chars = 0.0
    concurrent = False
    pause_scale = 1.0
    rate = 16_000

    def fits(self, sentences: Sequence[str]) -> bool:
        return True

    def billed_characters(self, chunk: Chunk) -> int:
        return 0

    def check_quota(self, characters: int) -> None:
        return None

    def cache_key(self) -> str:
        return self.name

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        samples, starts, ends = speak(chunk.text, self.rate)
        spans, at = [], 0
        for sentence in chunk.sentences:
            spans.append((starts[at], ends[at + len(sentence) - 1]))
            at += len(sentence) + 1
        return ChunkAudio(samples=samples, rate=self.rate, sentences=list(spans))


def test_an_engine_that_cannot_say_a_delivery_notes_it(tmp_path: Path) -> None:
    blocks = [
        ScriptBlock(kind="hook", heading="h", text="Quiet now.", delivery=Delivery.whisper),
        ScriptBlock(kind="cta", heading="c", text="Subscribe!", delivery=Delivery.excited),
    ]
    result = synthesize(Tones(), blocks, tmp_path / "raw.wav")
    assert result.fallbacks == [
        "delivery 'excited' not honoured by tones:test",
        "delivery 'whisper' not honoured by tones:test",
    ]
    assert (
        synthesize(
            Tones(), [blocks[0].model_copy(update={"delivery": None})], tmp_path / "b.wav"
        ).fallbacks
        == []
    )


# --- dialogue -------------------------------------------------------------------------------

DIALOGUE = ScriptBlock(
    kind="section",
    heading="Two views",
    text="Is it hot? Very hot. Hotter than the sun.",
    delivery=Delivery.serious,
    turns=[
        Turn(speaker="Ana", text="Is it hot?"),
        Turn(speaker="Ben", text="Very hot. Hotter than the sun.", delivery=Delivery.excited),
    ],
)
HOOK = ScriptBlock(kind="hook", heading="h", text="Black holes glow.")


def test_turns_are_chunks_of_their_speaker_and_delivery() -> None:
    chunks = plan_chunks([HOOK, DIALOGUE])
    assert [(c.block, c.speaker, c.delivery, c.sentences) for c in chunks] == [
        (0, None, None, ["Black holes glow."]),
        (1, "Ana", Delivery.serious, ["Is it hot?"]),
        (1, "Ben", Delivery.excited, ["Very hot.", "Hotter than the sun."]),
    ]


def test_a_dialogue_speaks_each_turn_in_its_speakers_voice(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    job = VideoJob(speakers=(("Ana", FEMALE), ("Ben", MALE)))
    engine = speaking(job, lambda profile, host: eleven(elevenlabs_server, profile))
    assert isinstance(engine, Dialogue) and engine.host == "Ana"
    result = synthesize(engine, [HOOK, DIALOGUE], tmp_path / "raw.wav")
    by_text = {r.text: r.voice_id for r in elevenlabs_server.tts_requests}
    assert by_text == {
        "Black holes glow.": settings_for(FEMALE).elevenlabs_id,  # the host narrates
        "Is it hot?": settings_for(FEMALE).elevenlabs_id,
        "Very hot. Hotter than the sun.": settings_for(MALE).elevenlabs_id,
    }
    assert [s.speaker for s in result.sentences] == [None, "Ana", "Ben", "Ben"]
    assert [w.speaker for w in result.words if w.block == 1] == ["Ana"] * 3 + ["Ben"] * 6
    # Between the turns: the turn gap, then Ben starts.
    ana, ben = result.sentences[1], result.sentences[2]
    gap = ben.start - ana.end
    assert TURN_PAUSE_S < gap < TURN_PAUSE_S + 0.1


def test_a_turn_by_someone_not_speaking_is_one_line(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    engine = Dialogue([("Ana", eleven(elevenlabs_server))])
    with pytest.raises(NarrationError, match="'Ben', who is not one of the speakers"):
        synthesize(engine, [DIALOGUE], tmp_path / "raw.wav")
    assert elevenlabs_server.tts_requests == []


def test_speakers_at_different_rates_are_joined_at_the_hosts(tmp_path: Path) -> None:
    low = Tones()
    low.rate = 8_000
    result = synthesize(Dialogue([("Ana", Tones()), ("Ben", low)]), [DIALOGUE], tmp_path / "r.wav")
    assert result.sample_rate == 16_000
    assert [s.speaker for s in result.sentences] == ["Ana", "Ben", "Ben"]
    assert np.all(np.diff([s.start for s in result.sentences]) > 0)


def test_subtitles_mark_the_speaker_of_each_turn() -> None:
    said = [
        ("Ana", "Is it hot?", 0.0, 1.2),
        ("Ben", "Very hot.", 1.5, 2.7),
        ("Ben", "Hotter than the sun.", 2.9, 4.4),
        (None, "Subscribe.", 5.0, 6.2),
    ]
    sentences = [
        TimedText(text=text, start=a, end=b, block=1, speaker=who) for who, text, a, b in said
    ]
    cues = cues_from_sentences(sentences, 7.0)
    assert [(c.start, c.end, c.speaker) for c in cues] == [(a, b, w) for w, _, a, b in said]
    srt = to_srt(cues)
    assert [line for line in srt.splitlines() if ":" in line and "-->" not in line] == [
        "ANA: Is it hot?",
        "BEN: Very hot.",
    ]
    assert "\nHotter than the sun.\n" in srt and "\nSubscribe.\n" in srt
    vtt = to_vtt(cues)
    assert "<v Ana>Is it hot?" in vtt and "<v Ben>Very hot." in vtt
    assert "<v Ben>Hotter than the sun." in vtt and "\nSubscribe.\n" in vtt


def test_burned_captions_break_at_a_new_speaker_and_colour_the_second() -> None:
    words = [
        TimedText(text=w, start=i * 0.3, end=i * 0.3 + 0.25, block=1, speaker=who)
        for i, (who, w) in enumerate([("Ana", "Is"), ("Ana", "it"), ("Ben", "So"), ("Ben", "hot")])
    ]
    lines = caption_lines(words, CAPTION_STYLES["clean"], (1920, 1080))
    assert [([w for _, w in ws], who) for _, _, ws, who in lines] == [
        (["Is", "it"], "Ana"),
        (["So", "hot"], "Ben"),
    ]
    cues = word_cue_frames(lines, 30, 60)
    assert [c.voice for c in cues] == [0, 1]
    assert speaker_colour(0) == "" and speaker_colour(1).startswith(r"{\1c&H")
