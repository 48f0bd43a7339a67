"""Joining chunks: edges cut to the sound, known pauses, no clicks, timings that move along."""

from __future__ import annotations

import numpy as np
import pytest

from tests.servers.fake_speech import LEAD_S, TAIL_S, speak
from ytempire.voice.assemble import (
    BLOCK_PAUSE_S,
    END_PAUSE_S,
    KEEP_AFTER_S,
    KEEP_BEFORE_S,
    SENTENCE_PAUSE_S,
    ChunkAudio,
    join,
    sound_bounds,
    trim,
)
from ytempire.voice.chunks import Chunk

RATE = 24_000


def chunk_audio(chunk: Chunk) -> ChunkAudio:
    """Fake speech for the chunk, with spans from its character times (as engines give)."""
    samples, starts, ends = speak(chunk.text, RATE)
    spans, words, at = [], [], 0
    for s in chunk.sentences:
        spans.append((starts[at], ends[at + len(s) - 1]))
        word_spans, offset = [], at
        for w in s.split():
            i = chunk.text.index(w, offset)
            word_spans.append((starts[i], ends[i + len(w) - 1]))
            offset = i + len(w)
        words.append(word_spans)
        at += len(s) + 1
    return ChunkAudio(samples=samples, rate=RATE, sentences=spans, words=words)


CHUNKS = [
    Chunk(index=0, block=0, sentences=["Black holes glow.", "Why?"]),
    Chunk(index=1, block=0, sentences=["Heat leaks out."]),
    Chunk(index=2, block=1, sentences=["Subscribe now."]),
]


def test_sound_bounds_keep_a_little_silence_either_side() -> None:
    samples, _, ends = speak("Hello there.", RATE)
    start, end = sound_bounds(samples, RATE)  # type: ignore[misc]
    assert start / RATE == pytest.approx(LEAD_S - KEEP_BEFORE_S, abs=0.006)
    assert end / RATE == pytest.approx(ends[-1] + KEEP_AFTER_S, abs=0.006)
    assert sound_bounds(np.zeros(RATE, dtype=np.int16), RATE) is None
    assert sound_bounds(np.zeros(0, dtype=np.int16), RATE) is None


def test_trim_moves_timings_with_the_audio() -> None:
    audio = chunk_audio(CHUNKS[0])
    cut = trim(audio)
    offset = (len(audio.samples) - len(cut.samples)) / RATE
    assert offset == pytest.approx(LEAD_S - KEEP_BEFORE_S + TAIL_S - KEEP_AFTER_S, abs=0.01)
    shift = audio.sentences[0][0] - cut.sentences[0][0]  # type: ignore[index]
    assert shift == pytest.approx(LEAD_S - KEEP_BEFORE_S, abs=0.006)
    for before, after in zip(audio.sentences, cut.sentences, strict=True):
        assert before is not None and after is not None
        assert after[0] == pytest.approx(before[0] - shift)
        assert after[1] == pytest.approx(before[1] - shift)
    assert cut.words is not None and audio.words is not None
    assert cut.words[1][0][0] == pytest.approx(audio.words[1][0][0] - shift)
    assert trim(cut) is cut


def test_join_puts_our_pauses_between_chunks_and_blocks() -> None:
    audios = [chunk_audio(c) for c in CHUNKS]
    samples, sentences, words = join(CHUNKS, audios, pause_scale=1.25)
    assert [s.text for s in sentences] == [
        "Black holes glow.",
        "Why?",
        "Heat leaks out.",
        "Subscribe now.",
    ]
    assert [s.block for s in sentences] == [0, 0, 0, 1]
    assert [w.text for w in words][:3] == ["Black", "holes", "glow."]
    assert len(words) == 9
    # Between chunks: the kept edges plus our pause (a sentence pause in a block, a block
    # pause between blocks), scaled; no other gap.
    edges = KEEP_AFTER_S + KEEP_BEFORE_S
    gap_1 = sentences[2].start - sentences[1].end
    gap_2 = sentences[3].start - sentences[2].end
    assert gap_1 == pytest.approx(SENTENCE_PAUSE_S * 1.25 + edges, abs=0.012)
    assert gap_2 == pytest.approx(BLOCK_PAUSE_S * 1.25 + edges, abs=0.012)
    tail = len(samples) / RATE - sentences[-1].end
    assert tail == pytest.approx(END_PAUSE_S * 1.25 + KEEP_AFTER_S, abs=0.012)
    assert sentences[0].start == pytest.approx(KEEP_BEFORE_S, abs=0.006)


def test_joins_do_not_click() -> None:
    # Chunks that start and end at full scale (a cosine tone, cut anywhere): without fades,
    # each join would jump between silence and a loud sample.
    t = np.arange(RATE // 2) / RATE
    tone = np.round(0.8 * 32767 * np.cos(2 * np.pi * 440 * t)).astype(np.int16)
    audios = [ChunkAudio(samples=tone, rate=RATE, sentences=[(0.0, 0.5)]) for _ in range(3)]
    chunks = [Chunk(index=i, block=i, sentences=[f"Part {i}."]) for i in range(3)]
    samples, sentences, _ = join(chunks, audios)
    signal = samples.astype(np.float64) / 32768
    one_ms = RATE // 1000
    for s in sentences:
        start, end = round(s.start * RATE), round(s.end * RATE)
        assert np.all(signal[start - one_ms : start] == 0)
        assert np.abs(signal[start : start + one_ms // 4]).max() < 0.05
        assert np.abs(signal[end - one_ms // 4 : end]).max() < 0.05
        assert np.all(signal[end : end + one_ms] == 0)
    # Past the fades the chunk is untouched.
    middle = round((sentences[0].start + 0.25) * RATE)
    assert np.abs(signal[middle - 50 : middle + 50]).max() == pytest.approx(0.8, abs=0.01)


def test_a_chunk_at_another_rate_is_resampled_and_keeps_its_timings() -> None:
    audios = [chunk_audio(c) for c in CHUNKS]
    track, sentences, _ = join(CHUNKS, audios)
    slow = ChunkAudio(samples=audios[1].samples[::2], rate=RATE // 2, sentences=audios[1].sentences)
    odd_track, odd_sentences, _ = join(CHUNKS, [audios[0], slow, audios[2]])
    assert abs(len(odd_track) - len(track)) <= 2
    for a, b in zip(sentences, odd_sentences, strict=True):
        assert b.start == pytest.approx(a.start, abs=0.002)
        assert b.end == pytest.approx(a.end, abs=0.002)


def test_silent_sentences_get_no_timing() -> None:
    audio = chunk_audio(CHUNKS[0])
    quiet = ChunkAudio(samples=audio.samples, rate=RATE, sentences=[audio.sentences[0], None])
    _, sentences, words = join(CHUNKS[:1], [quiet])
    assert [s.text for s in sentences] == ["Black holes glow."]
    assert words == []
