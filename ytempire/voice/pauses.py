"""No dead air: pauses in the raw narration longer than the channel allows are shortened.

Runs on the engine's raw speech (:class:`ytempire.models.Synthesis`) before mastering and
before anything is timed on it, so subtitles, captions, slides and chapters, all read from
the timings, follow the shortened audio exactly. A pause is a run of 5 ms frames quieter
than ``PAUSE_DBFS``; one longer than the limit
loses its middle, keeping its edges, where one word decays and the next starts. Every
timing moves with the samples it belongs to (a time inside a cut goes to the join).

The WAV is read twice in blocks and the result written atomically beside it: memory holds
a block, not the narration.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ytempire.models import Synthesis, TimedText
from ytempire.voice.alignment import through_cuts
from ytempire.voice.assemble import FRAME_S, frame_rms
from ytempire.workspace import atomic_path

# A pause is what the voice suite counts as silence: under -45 dBFS once mastered, which
# lifts a raw engine voice (about -20 LUFS) by about 6 dB to -14 LUFS.
PAUSE_DBFS = -51.0
# Frames per block read: a few seconds of audio at a time.
_BLOCK_FRAMES = 1000


def shorten_pauses(synthesis: Synthesis, max_pause_s: float, destination: Path) -> Synthesis:
    """``synthesis`` with every silence longer than ``max_pause_s`` cut to that length: its
    audio written (atomically) to ``destination`` and every sentence and word timing moved
    with the audio. The raw WAV is left as it is, so doing it again gives the same result.
    Returned unchanged (the same object) when no pause is too long."""
    path = synthesis.audio_path
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        total = wav.getnframes()
    frame = max(1, round(FRAME_S * rate))
    quiet = np.concatenate(
        [
            frame_rms(block, rate) <= 32768 * 10 ** (PAUSE_DBFS / 20)
            for block in _blocks(path, frame)
        ]
    )
    kept = _kept(quiet, frame, total, max(1, round(max_pause_s / FRAME_S)))
    if kept == [(0, total)]:
        return synthesis
    with (
        wave.open(str(path), "rb") as source,
        atomic_path(destination) as tmp,
        wave.open(str(tmp), "wb") as out,
    ):
        out.setparams(source.getparams())
        for a, b in kept:
            source.setpos(a)
            out.writeframes(source.readframes(b - a))
    written = sum(b - a for a, b in kept)

    def moved(items: list[TimedText]) -> list[TimedText]:
        spans = through_cuts([(round(t.start * rate), round(t.end * rate)) for t in items], kept)
        return [
            t.model_copy(update={"start": a / rate, "end": b / rate})
            for t, (a, b) in zip(items, spans, strict=True)
        ]

    return synthesis.model_copy(
        update={
            "audio_path": destination,
            "duration_s": written / rate,
            "sentences": moved(synthesis.sentences),
            "words": moved(synthesis.words),
        }
    )


def _blocks(path: Path, frame: int) -> Iterator[np.ndarray]:
    with wave.open(str(path), "rb") as wav:
        while True:
            data = wav.readframes(frame * _BLOCK_FRAMES)
            if not data:
                return
            yield np.frombuffer(data, dtype="<i2")


def _kept(quiet: np.ndarray, frame: int, total: int, keep: int) -> list[tuple[int, int]]:
    """The sample ranges left when each run of more than ``keep`` quiet frames loses its
    middle (``keep`` frames of it stay, split between its two edges)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    kept: list[tuple[int, int]] = []
    at = 0
    for first, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - first <= keep:
            continue
        cut_from = min(total, int(first + keep // 2) * frame)
        kept.append((at, cut_from))
        at = min(total, int(stop - (keep - keep // 2)) * frame)
    kept.append((at, total))
    return [(a, b) for a, b in kept if b > a]
