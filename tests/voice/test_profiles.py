"""The seed's voice profiles (§2.2) and Piper's length scale for each."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ytempire.models import VoiceProfile
from ytempire.voice.profiles import VOICE_PROFILES, settings_for


def test_every_profile_has_settings() -> None:
    assert set(VOICE_PROFILES) == set(VoiceProfile)


def test_seed_values() -> None:
    energetic = settings_for(VoiceProfile.energetic_male)
    assert energetic.elevenlabs_id == "VR6AewLTigWG4xSOukaG"
    assert (energetic.speed, energetic.pitch) == (1.1, 0.5)


@pytest.mark.parametrize("profile", list(VoiceProfile))
def test_length_scale_is_the_inverse_of_speed(profile: VoiceProfile) -> None:
    settings = settings_for(profile)
    assert settings.length_scale == pytest.approx(1 / settings.speed)


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        VOICE_PROFILES[VoiceProfile.calm_female] = VOICE_PROFILES[  # type: ignore[index]
            VoiceProfile.energetic_male
        ]
    with pytest.raises(ValidationError):
        settings_for(VoiceProfile.calm_female).speed = 2.0  # type: ignore[misc]
