"""What each TTS request says: the script cut into chunks at sentence boundaries.

A chunk never crosses a script block, so the pause between blocks is ours (and the slides
that follow the blocks stay exact), nor a dialogue turn, so each chunk has one speaker and
one delivery (calm, excited...) that the engine can say it in; and it is shorter than
``MAX_CHUNK_CHARS`` (or whatever else an engine's request must fit, such as Google's
5,000-byte SSML). A sentence too long
for one request is cut at clause boundaries (after a comma, semicolon, colon or dash), and a
clause still too long at spaces: never inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from ytempire.models import Delivery, ScriptBlock
from ytempire.voice.errors import NarrationError
from ytempire.voice.sentences import split_sentences

MAX_CHUNK_CHARS = 3000

# A clause ends after a comma, semicolon, colon or dash (with its closing quotes) and a space.
_CLAUSE_END = re.compile(r"(?<=[,;:—–])[\"'”’)\]]*\s+|\s+[-–—]\s+")
# Text a voice can say: a sentence of punctuation alone ("...") is not spoken.
_SPEAKABLE = re.compile(r"\w")

Fits = Callable[[Sequence[str]], bool]


class Chunk(BaseModel):
    """One request's worth of narration: consecutive sentences of one block (and of one
    turn, in a dialogue), said by one speaker in one delivery."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0, description="position among all chunks")
    block: int = Field(ge=0, description="index into Script.blocks()")
    sentences: list[str] = Field(min_length=1)
    delivery: Delivery | None = Field(default=None, description="None: the voice's own")
    speaker: str | None = Field(default=None, description="a dialogue's speaker; None: narrator")

    @property
    def text(self) -> str:
        """The sentences joined by single spaces: exactly what a plain-text engine is sent."""
        return " ".join(self.sentences)


def under_limit(limit: int = MAX_CHUNK_CHARS) -> Fits:
    """A ``fits`` test: the sentences, joined by spaces, are shorter than ``limit`` characters."""

    def fits(sentences: Sequence[str]) -> bool:
        return len(" ".join(sentences)) < limit

    return fits


def _pack(pieces: list[str], fits: Fits, joiner: str) -> list[str]:
    """Greedily join consecutive ``pieces`` (with ``joiner``) while the result still fits."""
    packed: list[str] = []
    for piece in pieces:
        if packed and fits([packed[-1] + joiner + piece]):
            packed[-1] += joiner + piece
        else:
            packed.append(piece)
    return packed


def split_long_sentence(sentence: str, fits: Fits) -> list[str]:
    """``sentence`` as pieces that each fit, cut at clause boundaries, else between words.

    Joining the pieces with single spaces gives back the sentence (whitespace-normalised).
    Raises ``NarrationError`` if a single word does not fit.
    """
    sentence = " ".join(sentence.split())
    if fits([sentence]):
        return [sentence]
    clauses = [c.strip() for c in _clause_pieces(sentence) if c.strip()]
    pieces: list[str] = []
    for clause in clauses:
        if fits([clause]):
            pieces.append(clause)
            continue
        for word in clause.split():
            if not fits([word]):
                raise NarrationError(f"a word of {len(word)} characters is too long to speak")
        pieces += _pack(clause.split(), fits, " ")
    return _pack(pieces, fits, " ")


def _clause_pieces(sentence: str) -> list[str]:
    """The sentence cut after each clause boundary; a dash between spaces starts a clause."""
    pieces, at = [], 0
    for match in _CLAUSE_END.finditer(sentence):
        text = match.group(0)
        if text.strip() and text.strip()[0] in "-–—":
            # " - more": the dash belongs to the clause it introduces.
            pieces.append(sentence[at : match.start()])
            at = match.start() + len(text) - len(text.lstrip())
        else:
            pieces.append(sentence[at : match.end()])
            at = match.end()
    pieces.append(sentence[at:])
    return pieces


def plan_chunks(blocks: Sequence[ScriptBlock], fits: Fits | None = None) -> list[Chunk]:
    """Every block's sentences, in order, packed into chunks that each ``fits``.

    A dialogue block (one with ``turns``) is its turns' sentences, each turn's chunks carrying
    its speaker and its delivery (the block's where the turn has none); any other block's
    chunks carry the block's delivery and no speaker. ``fits`` defaults to
    :func:`under_limit` (shorter than 3,000 characters). Sentences with nothing to say
    (punctuation only) are dropped. Raises ``NarrationError`` when there are no blocks or a
    block has nothing to say: the slides follow the blocks, so each must be heard.
    """
    fits = fits or under_limit()
    if not blocks:
        raise NarrationError("there are no blocks to narrate")
    chunks: list[Chunk] = []
    for number, block in enumerate(blocks):
        parts: list[tuple[str, str | None, Delivery | None]] = [
            (t.text, t.speaker, t.delivery or block.delivery) for t in block.turns
        ] or [(block.text, None, block.delivery)]
        planned = len(chunks)
        for text, speaker, delivery in parts:
            for sentences in _packed(_speakable(text, fits), fits):
                chunks.append(
                    Chunk(
                        index=len(chunks),
                        block=number,
                        sentences=sentences,
                        delivery=delivery,
                        speaker=speaker,
                    )
                )
        if len(chunks) == planned:
            raise NarrationError(f"block {number} ({block.kind}) has no speakable text")
    return chunks


def _speakable(text: str, fits: Fits) -> list[str]:
    """The sentences of ``text`` that say something, each cut to pieces that fit."""
    return [
        piece
        for sentence in split_sentences(text)
        if _SPEAKABLE.search(sentence)
        for piece in split_long_sentence(sentence, fits)
    ]


def _packed(sentences: list[str], fits: Fits) -> list[list[str]]:
    """Consecutive ``sentences`` grouped greedily into groups that fit."""
    groups: list[list[str]] = []
    for sentence in sentences:
        if groups and fits([*groups[-1], sentence]):
            groups[-1].append(sentence)
        else:
            groups.append([sentence])
    return groups
