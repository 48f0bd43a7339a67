"""Piper chunks spoken in worker processes: in order, with timings that sit on the sound."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.voice.test_piper_engine import BLOCKS, EDGE_S, PROFILE, Narrated
from ytempire.voice import piper_engine, piper_workers
from ytempire.voice.chunks import plan_chunks
from ytempire.voice.piper_workers import PiperWorkers
from ytempire.voice.sentences import split_sentences
from ytempire.voice.synthesis import synthesize

pytestmark = pytest.mark.slow


def test_chunks_spoken_in_workers_keep_order_and_exact_timings(tmp_path: Path) -> None:
    engine = PiperWorkers(PROFILE)
    assert engine.concurrent == (piper_workers.workers() > 1)
    assert len(plan_chunks(BLOCKS, engine.fits)) > 1, "several chunks to run side by side"
    try:
        result = synthesize(engine, BLOCKS, tmp_path / "narration.wav")
        if piper_workers.workers() > 1:
            assert piper_workers._pool is not None, "the chunks were spoken in worker processes"
    finally:
        piper_workers.release()  # their voices' memory back for the rest of the session
    assert piper_workers._pool is None

    assert (result.engine, result.cost_usd) == (piper_engine.ENGINE, 0.0)
    assert engine.cache_key() == piper_engine.PiperEngine(PROFILE).cache_key()
    assert [(s.block, s.text) for s in result.sentences] == [
        (number, text)
        for number, block in enumerate(BLOCKS)
        for text in split_sentences(block.text)
    ]
    narrated = Narrated(result.audio_path, result.sentences, result.duration_s)
    assert narrated.samples.size / narrated.rate == pytest.approx(result.duration_s)
    for before, sentence in zip([None, *result.sentences], result.sentences, strict=False):
        assert narrated.level(sentence.start, sentence.end) > -30, sentence.text
        assert narrated.level(sentence.end, sentence.end + EDGE_S) < -80, sentence.text
        if before is not None:
            assert before.end < sentence.start
            assert narrated.level(sentence.start - EDGE_S, sentence.start) < -80, sentence.text
