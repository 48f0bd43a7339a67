"""A real script to draw: hook, three sections (one with an over-long heading), summary, CTA;
a narration for it, and frames decoded from a rendered video."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.quality.outputs import write_wav
from ytempire.models import Narration, Script, Section, TimedText


@pytest.fixture
def script(tmp_path: Path) -> Script:
    return make_script(tmp_path)


def make_script(folder: Path) -> Script:
    return Script(
        engine="test",
        title="How Black Holes Evaporate",
        hook=(
            "What if black holes, the ultimate cosmic vacuum cleaners, slowly disappear? "
            "Physics says they do."
        ),
        sections=[
            Section(
                heading="What is Hawking radiation?",
                narration=(
                    "So, in 1974 Stephen Hawking combined quantum mechanics with relativity. "
                    "He found that black holes should glow faintly. This glow is now called "
                    "Hawking radiation. It comes from quantum effects at the event horizon."
                ),
            ),
            Section(
                heading="Virtual particles at the edge",
                narration=(
                    "Empty space is never truly empty. Pairs of particles pop in and out of "
                    "existence. Near the horizon, one partner falls in while the other escapes."
                ),
            ),
            Section(
                heading=(
                    "How long does it take for a black hole with the mass of the Sun to "
                    "completely evaporate away into nothing at all?"
                ),
                narration=(
                    "For a black hole with the mass of our Sun, evaporation takes about ten to "
                    "the power of sixty-seven years. That is far longer than the age of the "
                    "universe."
                ),
            ),
        ],
        summary="Black holes are not forever. They radiate, shrink and finally vanish.",
        cta="If you enjoyed this, subscribe and turn on notifications for more space science.",
        markdown_path=folder / "script.md",
    )


Narrate = Callable[[Script, float], Narration]


@pytest.fixture
def narrate(tmp_path: Path) -> Narrate:
    """A narration of ``seconds`` for a script (see ``narration_for``)."""
    return lambda script, seconds: narration_for(script, seconds, tmp_path)


def narration_for(script: Script, seconds: float, folder: Path) -> Narration:
    """A narration of ``seconds`` for ``script``: a quiet tone (22.05 kHz mono WAV, as Piper
    writes), each block spoken in an equal share of the time, one subtitle cue per block."""
    rate = 22_050
    t = np.arange(round(seconds * rate)) / rate
    audio = write_wav(folder / "narration.wav", 0.2 * np.sin(2 * np.pi * 220 * t), rate)
    blocks = script.blocks()
    step = seconds / len(blocks)
    sentences = [
        TimedText(text=f"Block {i}.", start=i * step + 0.1, end=(i + 1) * step - 0.1, block=i)
        for i in range(len(blocks))
    ]
    srt = folder / "narration.srt"
    srt.write_text(
        "".join(
            f"{i + 1}\n{_srt(s.start)} --> {_srt(s.end)}\n{s.text}\n\n"
            for i, s in enumerate(sentences)
        ),
        encoding="utf-8",
    )
    return Narration(
        engine="test",
        audio_path=audio,
        subtitles_path=srt,
        duration_s=seconds,
        sample_rate=rate,
        sentences=sentences,
    )


def _srt(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"00:{ms // 60_000:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def decoded_frames(video: Path, times: list[float]) -> list[np.ndarray]:
    """The RGB frames (uint8 arrays) shown at each of ``times`` seconds of ``video``."""
    import av

    wanted = sorted(times)
    found: dict[float, np.ndarray] = {}
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            at = frame.time or 0.0
            for t in wanted:
                if t not in found and at >= t:
                    found[t] = frame.to_ndarray(format="rgb24")
            if len(found) == len(wanted):
                break
    return [found[t] for t in times]
