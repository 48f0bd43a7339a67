"""Voice clarity on WAVs whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.quality.outputs import RATE, speech_like, write_wav
from ytempire.quality.clarity import speech_clarity


def test_clean_speech_is_clear(tmp_path: Path) -> None:
    assert speech_clarity(write_wav(tmp_path / "a.wav", 0.3 * speech_like(6.3))) == 1.0


def test_speech_over_hiss_is_not(tmp_path: Path) -> None:
    # The bursts sit about 12 dB over a -30 dBFS hiss: none stands 20 dB clear.
    noisy = 0.3 * speech_like(6.3) + np.random.default_rng(0).normal(
        0, 10 ** (-30 / 20), round(6.3 * RATE)
    )
    assert speech_clarity(write_wav(tmp_path / "b.wav", noisy)) == pytest.approx(0.0, abs=0.05)


def test_mumbling_into_the_noise_counts_against_clarity(tmp_path: Path) -> None:
    # Half the speech at about -17 dBFS, half 25 dB quieter (above the -45 dBFS silence
    # threshold, but under 20 dB over the -60 dBFS hiss).
    loud = 0.3 * speech_like(2.1)
    quiet = loud * 10 ** (-25 / 20)
    hiss = np.random.default_rng(0).normal(0, 10 ** (-60 / 20), len(loud) * 2)
    clarity = speech_clarity(write_wav(tmp_path / "c.wav", np.concatenate([loud, quiet]) + hiss))
    assert 0.4 < clarity < 0.6


def test_silence_and_empty_files_have_no_clarity(tmp_path: Path) -> None:
    assert speech_clarity(write_wav(tmp_path / "d.wav", np.zeros(RATE))) == 0.0
    assert speech_clarity(write_wav(tmp_path / "e.wav", np.zeros(0))) == 0.0
