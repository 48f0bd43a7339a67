"""Which cloud voice speaks a job: its language and accent choose the locale, its voice
profile the voice (the table: ``ytempire/data/cloud_voices.toml``).

Google voices belong to a locale (``es-ES-Neural2-B``): the accent (``VideoJob.accent``) or
else the language picks the locale, and the profile picks the voice in it. ElevenLabs
voices speak every language of the multilingual models; a few premade voices carry an
accent, and the accent picks them. What could not be had as asked (no voices for an
accent, no voice for a profile in a locale) is a note the narration keeps.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ytempire.language import language
from ytempire.models import VoiceProfile
from ytempire.resilience.errors import ProviderRejected
from ytempire.voice.profiles import settings_for

VOICES_FILE = Path(__file__).resolve().parent.parent / "data" / "cloud_voices.toml"


class CloudVoice(BaseModel):
    """The voice a cloud engine is asked for, and the notes on how it was chosen."""

    model_config = ConfigDict(frozen=True)

    name: str  # Google's voice name, or ElevenLabs' voice id
    language_code: str  # Google: the locale ("es-ES"); ElevenLabs: ISO 639-1 ("es")
    notes: tuple[str, ...] = ()


@cache
def _table() -> dict[str, Any]:
    with VOICES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _region(tag: str) -> str | None:
    parts = tag.split("-")
    return parts[1] if len(parts) > 1 else None


def google_voice(profile: VoiceProfile, language_tag: str, accent: str | None = None) -> CloudVoice:
    """The Google voice for ``profile`` speaking ``language_tag`` with ``accent``.

    The locale is the accent's (or the language tag's, ``pt-BR``) where Google has voices
    for it, else the table's nearest (``es-MX`` → ``es-US``), else the language's default
    (``es`` → ``es-ES``) with a note. Raises ``ProviderRejected`` (the engine is skipped)
    when Google has no voices for the language at all.
    """
    table = _table()["google"]
    voices: dict[str, dict[str, str]] = table["voices"]
    locales: dict[str, str] = table["locales"]
    spoken = language(language_tag)
    asked = accent or spoken.tag
    notes: list[str] = []
    locale = locales.get(asked) or (asked if asked in voices else None)
    if locale is None:
        locale = locales.get(spoken.code)
        if locale is None:
            raise ProviderRejected("google", f"no voices for {spoken.name} ({spoken.code})")
    if _region(asked) and _region(asked) != _region(locale):
        notes.append(f"google: no {asked} voices; {locale} voices used")
    in_locale = voices[locale]
    name = in_locale.get(profile.value)
    if name is None:
        name = in_locale["default"]
        notes.append(f"google: {locale} has no {profile.value} voice; its default {name} used")
    return CloudVoice(name=name, language_code=locale, notes=tuple(notes))


def elevenlabs_voice(
    profile: VoiceProfile, language_tag: str, accent: str | None = None
) -> CloudVoice:
    """The ElevenLabs voice for ``profile``: the table's voice of ``accent`` where it has
    one, else the profile's own (noted when an accent was asked for)."""
    code = language(language_tag).code
    own = settings_for(profile).elevenlabs_id
    if accent is None:
        return CloudVoice(name=own, language_code=code)
    accented: dict[str, str] = _table()["elevenlabs"]["voices"].get(accent, {})
    if profile.value in accented:
        return CloudVoice(name=accented[profile.value], language_code=code)
    note = f"elevenlabs: no premade {accent} voice for {profile.value}; its own voice used"
    return CloudVoice(name=own, language_code=code, notes=(note,))
