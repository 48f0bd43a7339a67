"""The Piper voice, loaded once for the whole test session."""

from __future__ import annotations

import pytest
from piper import PiperVoice

from ytempire.voice import piper_engine


@pytest.fixture(scope="session")
def piper_voice() -> PiperVoice:
    return piper_engine.load_voice()
