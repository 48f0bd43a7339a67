"""A narration joined into its WAV piece by piece, from chunks kept on disk, is the one
joined in memory: same samples, same timings, no scratch left behind."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tests.voice.test_assemble import CHUNKS, chunk_audio
from ytempire.models import ScriptBlock
from ytempire.voice.assemble import ChunkAudio, join, join_into
from ytempire.voice.chunks import Chunk, plan_chunks, under_limit
from ytempire.voice.synthesis import synthesize


def test_join_into_hands_over_the_track_in_order() -> None:
    audios = [chunk_audio(c) for c in CHUNKS]
    track, sentences, words = join(CHUNKS, audios, pause_scale=1.25)
    pieces: list[np.ndarray] = []

    joined = join_into(CHUNKS, audios, pieces.append, pause_scale=1.25)

    # Chunk, pause, chunk, pause, chunk, end pause: never the whole track at once.
    assert len(pieces) == 6 and max(len(p) for p in pieces) < len(track) / 2
    np.testing.assert_array_equal(np.concatenate(pieces), track)
    assert (joined.samples, joined.rate) == (len(track), 24_000)
    assert joined.sentences == sentences and joined.words == words


class Engine:
    """A speech engine that speaks fake speech (the SpeechEngine protocol, no provider)."""

    name = "fake:speech"
    price_per_1k_chars = 0.0
    concurrent = False
    pause_scale = 1.0

    def __init__(self) -> None:
        self.fits = under_limit(40)

    def billed_characters(self, chunk: Chunk) -> int:
        return len(chunk.text)

    def check_quota(self, characters: int) -> None:
        return None

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        return chunk_audio(chunk)

    def cache_key(self) -> str:
        return "fake"


BLOCKS = [
    ScriptBlock(kind="section", heading=f"Part {i}", text=f"Part {i} begins. It ends here.")
    for i in range(5)
]


def test_synthesis_joins_the_chunks_from_disk(tmp_path: Path) -> None:
    engine = Engine()
    seen: list[ChunkAudio] = []

    result = synthesize(engine, BLOCKS, tmp_path / "raw.wav", on_chunk=lambda c, a: seen.append(a))

    chunks = plan_chunks(BLOCKS, engine.fits)
    audios: Sequence[ChunkAudio] = [chunk_audio(c) for c in chunks]
    track, sentences, _ = join(chunks, audios)
    with wave.open(str(tmp_path / "raw.wav"), "rb") as wav:
        written = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    np.testing.assert_array_equal(written, track)
    assert result.sentences == sentences
    assert result.duration_s == len(track) / 24_000
    assert len(seen) == len(chunks) > 1
    # The chunks' scratch folder is gone; only the narration is left.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.wav"]
