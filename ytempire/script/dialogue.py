"""A narrated section told as a dialogue of two speakers: the template writers' turns.

The offline writers write narration; a dialogue job gives each section to its two speakers
by turns. A turn is one or two sentences, and a question ends it, so the other speaker
answers. The first speaker opens every section.
"""

from __future__ import annotations

import re

from ytempire.language import language
from ytempire.models import Section, Turn

SENTENCES_PER_TURN = 2
_SPACED_END = re.compile(r"(?<=[.!?])\s+")
_UNSPACED_END = re.compile(r"(?<=[。！？!?])\s*")


def sentences(text: str, tag: str) -> list[str]:
    """``text``'s sentences, split where the language ends them."""
    ends = _SPACED_END if language(tag).spaced else _UNSPACED_END
    return [s.strip() for s in ends.split(text.strip()) if s.strip()]


def as_turns(text: str, speakers: tuple[str, str], tag: str) -> list[Turn]:
    """``text`` as turns that alternate between ``speakers``, the first one opening."""
    joiner = " " if language(tag).spaced else ""
    turns: list[Turn] = []
    spoken: list[str] = []
    for sentence in sentences(text, tag):
        spoken.append(sentence)
        if len(spoken) == SENTENCES_PER_TURN or sentence.endswith(("?", "？")):
            turns.append(Turn(speaker=speakers[len(turns) % 2], text=joiner.join(spoken)))
            spoken = []
    if spoken:
        turns.append(Turn(speaker=speakers[len(turns) % 2], text=joiner.join(spoken)))
    return turns


def in_turns(sections: list[Section], speakers: tuple[str, str], tag: str) -> list[Section]:
    """Each section as ``speakers``' turns; its narration is their texts joined by a space."""
    told = []
    for section in sections:
        turns = as_turns(section.narration, speakers, tag)
        narration = " ".join(t.text for t in turns)
        told.append(section.model_copy(update={"turns": turns, "narration": narration}))
    return told
