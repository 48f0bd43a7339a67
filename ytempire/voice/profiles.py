"""The channel voice profiles (seed §2.2): which voice each provider uses, and how fast.

Every engine reads its own column: ElevenLabs the voice id, Kokoro its Japanese voice,
eSpeak NG its variant, Piper the length scale; Google's voices belong to a locale and are
chosen per locale and profile (``ytempire.voice.cloud_voices``). Offline English has one
bundled Piper voice (en_US-joe-medium) for all four profiles, so profiles differ there only
in pace; a folder of Piper voices gives each profile its own (``ytempire.voice.offline``).

Kokoro has one male Japanese voice (jm_kumo, about 95 Hz): the energetic male profile takes
the lowest of the female voices (jf_gongitsune, about 235 Hz; jf_nezumi 240, jf_alpha 267,
jf_tebukuro 329 Hz, median pitch measured on one sentence), so the four profiles are four
voices. eSpeak's variants are its own male and female voices.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from ytempire.models import VoiceProfile


class VoiceSettings(BaseModel):
    """How one voice profile sounds on each provider."""

    model_config = ConfigDict(frozen=True)

    elevenlabs_id: str
    kokoro_voice: str = Field(description="Kokoro-82M's Japanese voice")
    espeak_variant: str = Field(description="eSpeak NG's variant (m1-m7, f1-f5)")
    speed: float = Field(gt=0, description="speaking rate, 1.0 = the voice's natural pace")
    pitch: float = Field(
        description="semitones; Google and eSpeak shift pitch, Piper and Kokoro cannot"
    )

    @property
    def length_scale(self) -> float:
        """Piper's phoneme length scale for this speed (above 1 is slower)."""
        return 1.0 / self.speed


VOICE_PROFILES: Mapping[VoiceProfile, VoiceSettings] = MappingProxyType(
    {
        VoiceProfile.professional_male: VoiceSettings(
            elevenlabs_id="pNInz6obpgDQGcFmaJgB",  # Adam
            kokoro_voice="jm_kumo",
            espeak_variant="m3",
            speed=1.0,
            pitch=0.0,
        ),
        VoiceProfile.professional_female: VoiceSettings(
            elevenlabs_id="EXAVITQu4vr4xnSDxMaL",  # Sarah
            kokoro_voice="jf_alpha",
            espeak_variant="f2",
            speed=1.0,
            pitch=0.0,
        ),
        VoiceProfile.energetic_male: VoiceSettings(
            elevenlabs_id="VR6AewLTigWG4xSOukaG",  # Arnold
            kokoro_voice="jf_gongitsune",
            espeak_variant="m1",
            speed=1.1,
            pitch=0.5,
        ),
        VoiceProfile.calm_female: VoiceSettings(
            elevenlabs_id="pFZP5JQG7iQjIQuC4Bku",  # Lily
            kokoro_voice="jf_nezumi",
            espeak_variant="f4",
            speed=0.95,
            pitch=-0.5,
        ),
    }
)


def settings_for(profile: VoiceProfile) -> VoiceSettings:
    """The settings of ``profile``; every ``VoiceProfile`` has an entry."""
    return VOICE_PROFILES[profile]
