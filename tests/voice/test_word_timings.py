"""Offline word timings (Piper's phoneme durations) measured against the sound itself.

The reference: words separated by commas, where Piper pauses. Each pause is silence in the
audio, so the end of the word before it and the start of the word after it can be read off
the waveform (5 ms frames above -60 dBFS, well over Piper's own silence near -95 dBFS and
under its softest consonants). The aligned boundaries must fall on those edges.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from piper import PiperVoice

from ytempire.voice import piper_engine
from ytempire.voice.alignment import phoneme_words, through_cuts, word_spans

pytestmark = pytest.mark.slow

LISTS = [
    "Apples, bananas, cherries, dates, figs, grapes, lemons, mangoes, oranges, pears.",
    "Seven, twelve, thirty, forty, ninety, hundreds, thousands, millions, billions.",
    "Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus, Neptune, Pluto.",
    "Whales, sharks, turtles, seals, crabs, squids, shrimps, clams, corals, sponges.",
]
FRAME_S = 0.005
LOUD_DBFS = -60.0
MIN_PAUSE_S = 0.12  # the comma pauses (0.2 s once capped); stop closures are shorter
INSIDE_WORD_MS = 150  # a silence this far from both edges of its nearest boundary


def _pauses(samples: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """(start, end) of each silent stretch of at least ``MIN_PAUSE_S`` inside the sound."""
    frame = round(FRAME_S * rate)
    count = len(samples) // frame
    frames = samples[: count * frame].astype(np.float64).reshape(count, frame)
    loud = np.sqrt(np.mean(frames**2, axis=1)) > 32768 * 10 ** (LOUD_DBFS / 20)
    edges = np.flatnonzero(np.diff(np.concatenate(([1], loud.astype(np.int8), [1]))))
    runs = zip(edges[::2], edges[1::2], strict=True)
    return [
        (a * FRAME_S, b * FRAME_S)
        for a, b in runs
        if a > 0 and b < count and (b - a) * FRAME_S >= MIN_PAUSE_S
    ]


def test_word_boundaries_fall_on_the_pauses_piper_leaves(piper_voice: PiperVoice) -> None:
    errors_ms: list[float] = []
    for text in LISTS:
        samples, spans = piper_engine.speak_sentence(text, piper_engine.PACE_LENGTH_SCALE)
        rate = piper_engine.sample_rate()
        assert len(spans) == len(text.split())
        assert all(a < b for a, b in spans) and all(b <= c for (_, b), (c, _) in pairwise(spans))
        for pause_start, pause_end in _pauses(samples, rate):
            # The aligned boundary around this pause: the word ending before it, the next.
            k = min(range(len(spans) - 1), key=lambda i: abs(spans[i][1] - pause_start))
            edges = [abs(spans[k][1] - pause_start) * 1000, abs(spans[k + 1][0] - pause_end) * 1000]
            if min(edges) > INSIDE_WORD_MS:
                # A long stop closure ("Nep-tune") far from every boundary is no comma pause.
                continue
            errors_ms += edges
    errors = np.array(errors_ms)
    mean, p95 = float(errors.mean()), float(np.percentile(errors, 95))
    print(f"word boundaries: {errors.size} edges, mean {mean:.1f} ms, p95 {p95:.1f} ms")
    assert errors.size >= 60  # at least 30 of the 34 commas left a pause to measure against
    # Piper's noise makes every run differ; over 25 runs: mean 15.5-19.4 ms, p95 40-60 ms.
    assert mean < 25 and p95 < 75


def test_numbers_read_as_several_words_keep_one_span_per_written_word(
    piper_voice: PiperVoice,
) -> None:
    text = "In 1974, Dr. Hawking found 3.5 times more."
    samples, spans = piper_engine.speak_sentence(text, 1.0)
    assert len(spans) == len(text.split())
    duration = len(samples) / piper_engine.sample_rate()
    assert spans[0][0] >= 0 and spans[-1][1] <= duration + 1e-9
    # "1974," is read as several words: its span is the longest of the sentence.
    lengths = [b - a for a, b in spans]
    assert lengths.index(max(lengths)) == 1


def test_phoneme_words_skip_pauses_and_punctuation() -> None:
    alignments = [("^", 10), ("h", 5), ("i", 5), (",", 40), (" ", 20), ("j", 5), ("o", 5)]
    alignments += [(".", 7), ("$", 3)]
    assert phoneme_words(alignments) == [(10, 20), (80, 90)]


def test_word_spans_group_expansions_or_share_by_letters() -> None:
    spoken = [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]
    counts = {"In": 1, "1974": 2}
    assert word_spans(["In", "1974"], spoken, counts.__getitem__) == [(0.0, 1.0), (1.0, 3.0)]
    # Counts that do not add up: the sound is shared by letters (2 and 4 letters).
    shared = word_spans(["ab", "cdef"], spoken, lambda w: 1)
    assert shared == [(0.0, 1.0), (1.0, 3.0)]


def test_spans_move_through_cuts_and_a_time_inside_a_cut_goes_to_the_join() -> None:
    kept = [(0, 100), (200, 300)]
    assert through_cuts([(10, 50), (150, 250), (250, 300)], kept) == [
        (10, 50),
        (100, 150),
        (150, 200),
    ]
