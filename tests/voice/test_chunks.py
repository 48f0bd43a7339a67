"""Chunking: sentence boundaries under 3,000 characters, clause splits, never mid-word."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from ytempire.models import ScriptBlock
from ytempire.voice.chunks import MAX_CHUNK_CHARS, plan_chunks, split_long_sentence, under_limit
from ytempire.voice.errors import NarrationError
from ytempire.voice.sentences import split_sentences

WORDS = "light mass energy horizon quantum radiation particle star orbit glow".split()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def block(text: str, kind: str = "section") -> ScriptBlock:
    return ScriptBlock(kind=kind, heading="h", text=text)


def test_short_blocks_are_one_chunk_each() -> None:
    blocks = [block("One. Two three.", "hook"), block("Four five. Six!")]
    chunks = plan_chunks(blocks)
    assert [(c.index, c.block, c.sentences) for c in chunks] == [
        (0, 0, ["One.", "Two three."]),
        (1, 1, ["Four five.", "Six!"]),
    ]
    assert chunks[0].text == "One. Two three."


def test_a_long_block_is_cut_at_sentence_boundaries_under_the_limit() -> None:
    rng = random.Random(4)
    text = " ".join(sentence(rng, rng.randint(5, 40)) for _ in range(300))
    assert len(text) > 4 * MAX_CHUNK_CHARS
    chunks = plan_chunks([block(text)])
    assert len(chunks) >= 5
    assert all(len(c.text) < MAX_CHUNK_CHARS for c in chunks)
    # Nothing lost, nothing reordered, every cut between two sentences.
    assert [s for c in chunks for s in c.sentences] == split_sentences(text)
    # Greedy packing: a chunk plus the next chunk's first sentence would not fit.
    for a, b in pairwise(chunks):
        assert len(a.text + " " + b.sentences[0]) >= MAX_CHUNK_CHARS


def test_chunks_never_cross_blocks() -> None:
    rng = random.Random(7)
    blocks = [block(" ".join(sentence(rng, 8) for _ in range(n))) for n in (3, 90, 2)]
    chunks = plan_chunks(blocks)
    assert [c.block for c in chunks] == sorted(c.block for c in chunks)
    for c in chunks:
        assert all(s in blocks[c.block].text for s in c.sentences)


def test_a_sentence_over_the_limit_is_cut_at_clauses() -> None:
    clauses = [f"clause number {i} says something about {WORDS[i % 10]} again" for i in range(9)]
    text = "; ".join(clauses) + "."
    fits = under_limit(120)
    pieces = split_long_sentence(text, fits)
    assert len(pieces) > 1
    assert " ".join(pieces) == text
    assert all(fits([p]) for p in pieces)
    # Every cut is right after a semicolon.
    assert all(p.endswith(";") for p in pieces[:-1])


def test_a_clause_over_the_limit_is_cut_between_words_never_inside_one() -> None:
    rng = random.Random(1)
    text = " ".join(rng.choice(WORDS) for _ in range(200)) + "."
    pieces = split_long_sentence(text, under_limit(100))
    assert " ".join(pieces) == text
    words = set(WORDS) | {w + "." for w in WORDS}
    for piece in pieces:
        assert len(piece) < 100
        assert all(word in words for word in piece.split()), piece


def test_dash_clauses_keep_their_dash() -> None:
    text = "first part of it - second part of it - third part of it"
    pieces = split_long_sentence(text, under_limit(30))
    assert pieces == ["first part of it", "- second part of it", "- third part of it"]


def test_a_word_longer_than_the_limit_is_an_error() -> None:
    with pytest.raises(NarrationError, match="too long"):
        split_long_sentence("a " + "x" * 50 + " b", under_limit(20))


def test_punctuation_only_sentences_are_not_spoken() -> None:
    (chunk,) = plan_chunks([block("Hello there. ... Goodbye.")])
    assert chunk.sentences == ["Hello there.", "Goodbye."]


@pytest.mark.parametrize("text", ["", "   ", "...", "?!"])
def test_a_block_with_nothing_to_say_is_an_error(text: str) -> None:
    with pytest.raises(NarrationError, match="block 1"):
        plan_chunks([block("Hello."), block(text, "cta")])


def test_no_blocks_is_an_error() -> None:
    with pytest.raises(NarrationError):
        plan_chunks([])


def test_an_engines_own_limit_decides() -> None:
    # An engine whose request grows faster than the text (SSML marks) gets smaller chunks.
    def fits(sentences: list[str] | tuple[str, ...]) -> bool:
        return len(" ".join(sentences)) * 3 <= 300

    rng = random.Random(3)
    text = " ".join(sentence(rng, 6) for _ in range(40))
    chunks = plan_chunks([block(text)], fits)
    assert all(len(c.text) * 3 <= 300 for c in chunks)
    assert [s for c in chunks for s in c.sentences] == split_sentences(text)
