"""The channel voice profiles (seed §2.2): which voice each provider uses, and how fast.

Every engine reads its own column: ElevenLabs the voice id, Google the Neural2 voice name,
Piper the length scale. Offline there is one Piper voice (en_US-joe-medium) for all four
profiles, so profiles differ there only in pace; the narration's engine name says so.
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
    google_voice: str
    speed: float = Field(gt=0, description="speaking rate, 1.0 = the voice's natural pace")
    pitch: float = Field(description="semitones; Piper cannot shift pitch and ignores it")

    @property
    def length_scale(self) -> float:
        """Piper's phoneme length scale for this speed (above 1 is slower)."""
        return 1.0 / self.speed


VOICE_PROFILES: Mapping[VoiceProfile, VoiceSettings] = MappingProxyType(
    {
        VoiceProfile.professional_male: VoiceSettings(
            elevenlabs_id="pNInz6obpgDQGcFmaJgB",  # Adam
            google_voice="en-US-Neural2-D",
            speed=1.0,
            pitch=0.0,
        ),
        VoiceProfile.professional_female: VoiceSettings(
            elevenlabs_id="EXAVITQu4vr4xnSDxMaL",  # Sarah
            google_voice="en-US-Neural2-F",
            speed=1.0,
            pitch=0.0,
        ),
        VoiceProfile.energetic_male: VoiceSettings(
            elevenlabs_id="VR6AewLTigWG4xSOukaG",  # Arnold
            google_voice="en-US-Neural2-A",
            speed=1.1,
            pitch=0.5,
        ),
        VoiceProfile.calm_female: VoiceSettings(
            elevenlabs_id="pFZP5JQG7iQjIQuC4Bku",  # Lily
            google_voice="en-US-Neural2-C",
            speed=0.95,
            pitch=-0.5,
        ),
    }
)


def settings_for(profile: VoiceProfile) -> VoiceSettings:
    """The settings of ``profile``; every ``VoiceProfile`` has an entry."""
    return VOICE_PROFILES[profile]
