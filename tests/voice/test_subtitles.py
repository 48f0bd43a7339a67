"""Subtitle cues: line and cue limits, minimum time on screen, no overlap, SRT/VTT text."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from ytempire.models import TimedText
from ytempire.voice.subtitles import (
    MAX_LINE_CHARS,
    MAX_LINES,
    MIN_CUE_S,
    Cue,
    cues_from_sentences,
    to_srt,
    to_vtt,
)

LONG_SENTENCE = (
    "Black holes slowly lose mass through a quantum process near the event horizon, and over "
    "unimaginably long stretches of time that steady leak of radiation adds up until the "
    "smallest of them finally evaporate completely in a last bright flash of energy."
)
EPS = 1e-9


def timed(text: str, start: float, end: float, block: int = 0) -> TimedText:
    return TimedText(text=text, start=start, end=end, block=block)


def assert_rules(cues: list[Cue], audio_end: float) -> None:
    for cue in cues:
        assert 1 <= len(cue.lines) <= MAX_LINES
        assert all(0 < len(line) <= MAX_LINE_CHARS for line in cue.lines), cue.lines
        assert 0 <= cue.start < cue.end <= audio_end + EPS
    for a, b in pairwise(cues):
        assert a.end <= b.start + EPS, (a, b)


def test_short_sentences_are_one_cue_each() -> None:
    sentences = [timed("Hello there.", 0.0, 1.5), timed("How are you today?", 1.75, 3.5)]
    cues = cues_from_sentences(sentences, audio_end=4.0)
    assert [c.lines for c in cues] == [["Hello there."], ["How are you today?"]]
    assert [(c.start, c.end) for c in cues] == [(0.0, 1.5), (1.75, 3.5)]


def test_two_lines_are_balanced() -> None:
    text = "This sentence is a little too long to fit on a single line."
    (cue,) = cues_from_sentences([timed(text, 0.0, 4.0)], audio_end=4.0)
    assert len(cue.lines) == 2
    assert " ".join(cue.lines) == text
    assert abs(len(cue.lines[0]) - len(cue.lines[1])) <= 12


def test_long_sentence_becomes_several_cues_sharing_its_time() -> None:
    start, end = 2.0, 17.0
    cues = cues_from_sentences([timed(LONG_SENTENCE, start, end)], audio_end=18.0)
    assert len(cues) >= 3
    assert_rules(cues, 18.0)
    assert " ".join(" ".join(c.lines) for c in cues) == LONG_SENTENCE
    # The cues tile the sentence: no gaps, first at its start, last at its end.
    assert cues[0].start == start and cues[-1].end == pytest.approx(end)
    for a, b in pairwise(cues):
        assert a.end == pytest.approx(b.start)
    # Time is shared in proportion to characters.
    total = sum(len(" ".join(c.lines)) for c in cues)
    for c in cues:
        share = len(" ".join(c.lines)) / total
        assert c.end - c.start == pytest.approx((end - start) * share)


def test_long_sentence_cues_are_balanced() -> None:
    cues = cues_from_sentences([timed(LONG_SENTENCE, 0.0, 15.0)], audio_end=15.0)
    lengths = [len(" ".join(c.lines)) for c in cues]
    # Greedy filling would leave a short last cue; balanced cues differ by little.
    assert max(lengths) - min(lengths) <= 25, lengths


def test_a_word_longer_than_a_line_is_cut() -> None:
    url = "https://example.com/" + "a" * 80
    cues = cues_from_sentences([timed(f"Visit {url} today.", 0.0, 6.0)], audio_end=6.0)
    assert_rules(cues, 6.0)
    assert "".join("".join(c.lines) for c in cues).replace(" ", "") == f"Visit{url}today."


def test_short_cue_extends_into_the_following_pause() -> None:
    sentences = [timed("Yes.", 0.0, 0.4), timed("And then some more words.", 2.0, 4.0)]
    cues = cues_from_sentences(sentences, audio_end=5.0)
    assert (cues[0].start, cues[0].end) == (0.0, MIN_CUE_S)
    assert (cues[1].start, cues[1].end) == (2.0, 4.0)


def test_short_cue_stops_at_the_next_cue_then_reaches_back() -> None:
    sentences = [
        timed("First sentence here.", 0.0, 2.0),
        timed("Yes.", 2.5, 2.9),
        timed("Next one.", 3.1, 4.5),
    ]
    cues = cues_from_sentences(sentences, audio_end=5.0)
    assert_rules(cues, 5.0)
    # Forward it may only reach 3.1 (the next cue); the rest comes from the pause before it.
    assert cues[1].end == pytest.approx(3.1)
    assert cues[1].start == pytest.approx(2.1)
    assert cues[1].end - cues[1].start == pytest.approx(MIN_CUE_S)


def test_short_cue_never_passes_the_audio_end() -> None:
    sentences = [timed("A long opening sentence.", 0.0, 2.95), timed("End.", 3.0, 3.3)]
    cues = cues_from_sentences(sentences, audio_end=3.5)
    assert_rules(cues, 3.5)
    assert cues[-1].end == pytest.approx(3.5)
    # It reaches back into the 50 ms pause, but not into the previous cue.
    assert cues[-1].start == pytest.approx(2.95)


def test_sentences_past_the_audio_end_are_clamped_or_dropped() -> None:
    sentences = [timed("Inside the audio.", 0.0, 2.0), timed("Overruns.", 2.5, 4.0)]
    cues = cues_from_sentences([*sentences, timed("Beyond.", 4.5, 5.0)], audio_end=3.0)
    assert len(cues) == 2
    assert cues[-1].end == 3.0


def test_random_narrations_obey_every_rule() -> None:
    rng = random.Random(7)
    words = LONG_SENTENCE.split()
    for _ in range(200):
        sentences, at = [], 0.0
        for _ in range(rng.randint(1, 8)):
            text = " ".join(rng.choices(words, k=rng.randint(1, 45)))
            length = rng.uniform(0.2, 8.0)
            sentences.append(timed(text, at, at + length))
            at += length + rng.choice([0.0, 0.05, 0.25, 0.6])
        audio_end = sentences[-1].end + rng.choice([0.0, 0.1, 0.4])
        assert_rules(cues_from_sentences(sentences, audio_end), audio_end)


def test_srt_text() -> None:
    cues = [
        Cue(start=0.0, end=1.5, lines=["Hello there."]),
        Cue(start=3661.0015, end=3662.25, lines=["Two lines", "of text --> here"]),
    ]
    assert to_srt(cues) == (
        "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n"
        "2\n01:01:01,002 --> 01:01:02,250\nTwo lines\nof text -> here\n"
    )


def test_vtt_text() -> None:
    cues = [
        Cue(start=0.0, end=1.5, lines=["Tom & Jerry <3"]),
        Cue(start=61.25, end=62.0, lines=["Two lines", "of text"]),
    ]
    assert to_vtt(cues) == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.500\nTom &amp; Jerry &lt;3\n\n"
        "00:01:01.250 --> 00:01:02.000\nTwo lines\nof text\n"
    )


def test_no_cues() -> None:
    assert to_srt([]) == ""
    assert to_vtt([]) == "WEBVTT\n"


def test_overlapping_and_empty_sentences() -> None:
    sentences = [
        timed("First words here.", 0.0, 2.0),
        timed("Overlaps the first.", 1.5, 3.5),
        timed("   ", 4.0, 5.0),
    ]
    cues = cues_from_sentences(sentences, audio_end=6.0)
    assert_rules(cues, 6.0)
    assert [c.text for c in cues] == ["First words here.", "Overlaps the first."]
    assert cues[1].start == 2.0


def word_timings(text: str, start: float, pace: float, block: int = 0) -> list[TimedText]:
    """One timing per word, ``pace`` seconds per character, a short gap between words."""
    words, at = [], start
    for word in text.split():
        words.append(TimedText(text=word, start=at, end=at + pace * len(word), block=block))
        at += pace * len(word) + 0.05
    return words


def test_word_timings_start_each_cue_with_its_first_word() -> None:
    # Words spoken unevenly: the second half three times as slow as the first.
    tokens = LONG_SENTENCE.split()
    half = len(tokens) // 2
    fast = word_timings(" ".join(tokens[:half]), 1.0, 0.03)
    slow = word_timings(" ".join(tokens[half:]), fast[-1].end + 0.05, 0.09)
    words = fast + slow
    sentence = timed(LONG_SENTENCE, words[0].start, words[-1].end)
    cues = cues_from_sentences([sentence], audio_end=words[-1].end + 1, words=words)
    assert len(cues) >= 3
    assert_rules(cues, words[-1].end + 1)
    assert cues[0].start == sentence.start and cues[-1].end == sentence.end
    position = 0
    for cue in cues:
        first = cue.lines[0].split()[0]
        assert words[position].text == first
        assert cue.start == pytest.approx(words[position].start)
        position += len(" ".join(cue.lines).split())
    # Proportional sharing would have put these boundaries elsewhere.
    proportional = cues_from_sentences([sentence], audio_end=words[-1].end + 1)
    assert any(abs(a.start - b.start) > 0.3 for a, b in zip(cues, proportional, strict=True))


def test_word_timings_that_do_not_match_the_text_are_ignored() -> None:
    sentence = timed(LONG_SENTENCE, 0.0, 15.0)
    wrong = word_timings("completely different words here", 0.0, 0.05)
    with_wrong = cues_from_sentences([sentence], audio_end=15.0, words=wrong)
    assert with_wrong == cues_from_sentences([sentence], audio_end=15.0)


def test_word_timings_follow_each_sentence_in_order() -> None:
    first = "A short one."
    second = LONG_SENTENCE
    words = word_timings(first, 0.0, 0.05) + word_timings(second, 2.0, 0.05, block=1)
    sentences = [
        timed(first, words[0].start, words[2].end),
        timed(second, words[3].start, words[-1].end, block=1),
    ]
    cues = cues_from_sentences(sentences, audio_end=words[-1].end + 1, words=words)
    assert cues[0].lines == [first]
    second_words = words[3:]
    starts = {round(w.start, 6) for w in second_words}
    assert all(round(c.start, 6) in starts for c in cues[1:])


def test_japanese_and_chinese_cues_break_without_spaces_within_the_display_width() -> None:
    from ytempire.voice.subtitles import display_width
    from ytempire.voice.words import split_words

    japanese = (
        "1974年、スティーブン・ホーキングは量子力学と相対性理論を組み合わせ、"
        "ブラックホールはかすかに光るはずだと考えました。"
    )
    chinese = (
        "一九七四年，霍金把量子力学和相对论结合起来，认为黑洞会发出微弱的光芒，现在称为霍金辐射。"
    )
    for text in (japanese, chinese):
        words = split_words(text)
        step = 8.0 / len(words)
        timings = [timed(w, i * step, (i + 0.9) * step) for i, w in enumerate(words)]
        cues = cues_from_sentences([timed(text, 0.0, 8.0)], 8.0, timings)
        lines = [line for cue in cues for line in cue.lines]
        assert "".join(lines) == text  # broken between phrases, no space added
        # 42 columns: 21 wide characters, where a character count would allow 42.
        assert all(display_width(line) <= MAX_LINE_CHARS for line in lines), lines
        assert max(len(line) for line in lines) <= MAX_LINE_CHARS // 2 + 4
        assert len(cues) > 1 and all(a.end <= b.start + EPS for a, b in pairwise(cues))
        # Each cue starts when its first phrase is spoken.
        starts = {w.text: w.start for w in timings}
        for cue in cues[1:]:
            first = next(w for w in words if cue.lines[0].startswith(w))
            assert cue.start == pytest.approx(starts[first])
