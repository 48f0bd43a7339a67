"""Voice clarity (seed §4.1 ``clarity_score``): how much of the speech stands clear of the noise.

Clarity is the share of speech windows (50 ms windows above the silence threshold, as
``quality.audio`` counts them) whose level is at least ``CLARITY_MARGIN_DB`` above the
recording's noise floor (the 10th-percentile window level, ``noise_floor_dbfs``). Clean
speech scores 1; speech over hum or hiss, or words mumbled into the noise, score less. It
needs no reference recording, so it works on any engine's output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ytempire.quality.audio import NOISE_PERCENTILE, SILENCE_DBFS, scan_levels

# 20 dB over the noise is where speech is heard without effort (a tenth of its amplitude).
CLARITY_MARGIN_DB = 20.0


def speech_clarity(wav_path: Path) -> float:
    """The share, 0..1, of the speech windows in ``wav_path`` that stand clear of the noise.

    A file without speech (empty or silent) scores 0. The WAV is read in blocks.
    """
    levels = scan_levels(wav_path).levels
    if levels.size == 0:
        return 0.0
    speech = levels[levels >= SILENCE_DBFS]
    if speech.size == 0:
        return 0.0
    floor = float(np.percentile(levels, NOISE_PERCENTILE))
    return round(float(np.mean(speech - floor >= CLARITY_MARGIN_DB)), 4)
