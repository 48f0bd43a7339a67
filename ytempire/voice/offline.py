"""Which offline voice speaks a job: the engine and voice for its language, profile and accent.

The offline chain for a language, best first:

1. **Piper** (neural): en_US-joe-medium for English, then the voices of that language in the
   operator's folder (``YTEMPIRE_PIPER_VOICES_DIR``; a voice with several speakers offers its
   first four);
2. **Kokoro-82M** (neural) for Japanese, its five voices;
3. **eSpeak NG** (formant synthesis, robotic) for any of its languages: the last resort.

The four voice profiles take the first engine's voices in order (professional male,
professional female, energetic male, calm female), Kokoro and eSpeak by their own table
(``ytempire.voice.profiles``); where an engine has fewer voices than profiles they are shared
and the profiles differ in pace (and, on eSpeak, pitch). An accent (``en-GB``, ``es-MX``)
picks a Piper voice of that locale if the folder has one, else eSpeak's variant of it
(``en-gb``, ``es-419``), else the language's own choice, with a note saying the accent was
not available. A Piper voice is loaded when chosen; one that does not load is passed over
with a note. English with no folder and no accent is always Piper's joe, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ytempire.errors import one_line
from ytempire.language import language
from ytempire.models import VoiceProfile
from ytempire.voice.errors import NarrationError
from ytempire.voice.espeak_engine import EspeakEngine, voice_for
from ytempire.voice.kokoro_engine import KokoroEngine
from ytempire.voice.local_engine import LocalEngine
from ytempire.voice.piper_engine import (
    PiperEngine,
    PiperModel,
    bundled,
    folder_voices,
    load_voice,
)
from ytempire.voice.profiles import settings_for

# The profiles in the order they take an engine's voices.
PROFILE_ORDER = tuple(VoiceProfile)
KOKORO_LANGUAGE = "ja"
KOKORO_LOCALE = "ja-JP"


@dataclass(frozen=True)
class OfflineVoice:
    """The engine that speaks, and what could not be done as asked (fallback lines)."""

    engine: LocalEngine
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _PiperSlot:
    """One Piper voice: a model, and its speaker where it has several."""

    model: PiperModel
    speaker: int | None


def _piper_slots(code: str, voices_dir: Path | None) -> list[_PiperSlot]:
    models = [bundled()] if code == "en" else []
    if voices_dir is not None and voices_dir.is_dir():
        models += [m for m in folder_voices(voices_dir) if language_code(m.tag) == code]
    slots: list[_PiperSlot] = []
    for model in models:
        speakers: list[int | None] = (
            list(range(min(model.speakers, len(PROFILE_ORDER)))) if model.speakers > 1 else [None]
        )
        slots += [_PiperSlot(model, speaker) for speaker in speakers]
    return slots


def language_code(tag: str) -> str:
    """``es_ES`` or ``es-419`` → ``es``."""
    return tag.replace("_", "-").split("-")[0].lower()


def _piper(slots: list[_PiperSlot], profile: VoiceProfile, notes: list[str]) -> LocalEngine | None:
    """The profile's voice among ``slots``, loaded; a voice that does not load is passed
    over with a line in ``notes`` (None when none is left)."""
    while slots:
        slot = slots[PROFILE_ORDER.index(profile) % len(slots)]
        try:
            load_voice(slot.model)
        except Exception as error:  # a damaged voice file: ONNX, protobuf, JSON or OS errors
            notes.append(f"piper:{slot.model.name} skipped: it does not load ({one_line(error)})")
            slots = [s for s in slots if s.model != slot.model]
            continue
        return PiperEngine(profile, slot.model, slot.speaker)
    return None


def _kokoro(profile: VoiceProfile) -> LocalEngine:
    settings = settings_for(profile)
    return KokoroEngine(settings.kokoro_voice, settings.speed)


def _espeak(espeak_language: str, profile: VoiceProfile) -> LocalEngine:
    settings = settings_for(profile)
    return EspeakEngine(espeak_language, settings.espeak_variant, settings.speed, settings.pitch)


def offline_voice(
    tag: str,
    profile: VoiceProfile,
    accent: str | None = None,
    voices_dir: Path | None = None,
) -> OfflineVoice:
    """The offline engine for a job in language ``tag`` with voice ``profile`` and ``accent``
    (a locale of that language, or None), Piper voices also from ``voices_dir``.

    A region in ``tag`` itself (``pt-BR``) is a softer wish than an accent: it picks among
    the language's Piper voices and eSpeak's variants, but never a robotic variant over a
    neural voice of the language. Raises ``NarrationError`` (one line) for a language no
    offline engine speaks.
    """
    code = language(tag).code
    slots = _piper_slots(code, voices_dir)
    notes: list[str] = []
    locale = language(accent or tag)
    if locale.region:
        local = [s for s in slots if s.model.tag.lower() == locale.tag.lower()]
        if engine := _piper(local, profile, notes):
            return OfflineVoice(engine, tuple(notes))
        if locale.tag == KOKORO_LOCALE:
            return OfflineVoice(_kokoro(profile))
        spoken = voice_for(locale.tag)
        # eSpeak's own form of the locale, or its bare language where that is the
        # locale's home (es-ES, de-DE).
        regional = spoken and (spoken[0] != code or locale.region.lower() == code)
        neural = slots or code == KOKORO_LANGUAGE
        if spoken and regional and (accent or not neural):
            return OfflineVoice(_espeak(spoken[0], profile))
        if accent:
            notes.append(
                f"accent {locale.tag} skipped: no offline voice speaks it (Piper folder, "
                f"eSpeak NG); the {code} voice speaks"
            )
    if engine := _piper(slots, profile, notes):
        return OfflineVoice(engine, tuple(notes))
    if code == KOKORO_LANGUAGE:
        return OfflineVoice(_kokoro(profile), tuple(notes))
    if voice_for(code) is None:
        raise NarrationError(f"no offline voice speaks {language(tag).name} ({code})")
    return OfflineVoice(_espeak(code, profile), tuple(notes))


def neural_languages(voices_dir: Path | None = None) -> list[str]:
    """The languages with an offline neural voice: English, Japanese and the folder's."""
    found = {"en", KOKORO_LANGUAGE}
    if voices_dir is not None and voices_dir.is_dir():
        found |= {language_code(m.tag) for m in folder_voices(voices_dir)}
    return sorted(found)
