"""Word timings of offline speech, from the voice model's own phoneme durations.

Piper's model decides how many audio samples each phoneme gets (its duration predictor's
``w_ceil``); with the model's alignment output exposed (the ``onnx`` package patches it in
memory), those counts add up exactly to the audio it returns. Word boundaries are where
eSpeak's phonemes put a space, so every word's span is exact for the sound the model made,
not an estimate. Edits that cut silence out of the audio move the spans with it
(:func:`through_cuts`).

A word of the text is not always one phonemised word ("1,200" is read "one thousand two
hundred"): :func:`word_spans` groups the phonemised words by how many each text word yields
alone, and where that still does not add up, shares the sentence's sound among its words in
proportion to their letters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Span = tuple[float, float]
# Phonemes that are not sound of a word: sentence start/end, pauses at punctuation.
_NOT_SPOKEN = frozenset('^$_,.;:!?¡¿—…"()')


def phoneme_words(alignments: Sequence[tuple[str, int]]) -> list[tuple[int, int]]:
    """(first, end) sample of each phonemised word of one sentence's alignments
    ((phoneme, samples) in order), without the pauses and punctuation around it."""
    words: list[tuple[int, int]] = []
    at = 0
    current: tuple[int, int] | None = None
    for phoneme, samples in alignments:
        if phoneme == " ":
            if current:
                words.append(current)
            current = None
        elif phoneme not in _NOT_SPOKEN:
            current = (current[0] if current else at, at + samples)
        at += samples
    if current:
        words.append(current)
    return words


def word_spans(
    words: Sequence[str], spoken: Sequence[Span], count_of: Callable[[str], int]
) -> list[Span]:
    """The span of each of ``words`` (a sentence's whitespace-separated words) from the
    ``spoken`` spans of its phonemised words (:func:`phoneme_words`, in seconds).

    ``count_of(word)`` says how many phonemised words a text word becomes when read alone;
    it is asked only when the counts of the sentence differ.
    """
    if not words:
        return []
    if not spoken:
        return [(0.0, 0.0)] * len(words)
    if len(spoken) == len(words):
        return list(spoken)
    counts = [max(1, count_of(w)) for w in words]
    if sum(counts) != len(spoken):
        return _by_letters(words, spoken[0][0], spoken[-1][1])
    grouped, at = [], 0
    for n in counts:
        grouped.append((spoken[at][0], spoken[at + n - 1][1]))
        at += n
    return grouped


def _by_letters(words: Sequence[str], first: float, end: float) -> list[Span]:
    """The sound from ``first`` to ``end`` shared among ``words`` by their letters."""
    weights = [max(1, sum(c.isalnum() for c in w)) for w in words]
    total, spans, done = sum(weights), [], 0
    for weight in weights:
        a = first + (end - first) * done / total
        done += weight
        spans.append((a, first + (end - first) * done / total))
    return spans


def through_cuts(
    spans: Sequence[tuple[int, int]], kept: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Sample ``spans`` moved into the audio made of only the ``kept`` sample ranges (in
    order, not overlapping) joined: a sample inside a cut goes to the join."""

    def move(sample: int) -> int:
        out = 0
        for a, b in kept:
            if sample < a:
                break
            out += min(sample, b) - a
        return out

    return [(move(a), move(b)) for a, b in spans]
