"""Sentence boundaries in narration text, and the form of a sentence a TTS engine should read.

Narration is synthesised one sentence at a time so that every sentence's start and end in the
audio are exact; the splitter therefore decides where pauses and subtitle timings fall.
"""

from __future__ import annotations

import re
from functools import partial

# Titles, capitalised as written: read as words when a name follows ("Dr. Smith"), never the
# end of a sentence. Capitalisation tells "Ms. Lee" from "20 ms." and "St. Louis" from "1st.".
TITLES = {
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Ms.": "Miz",
    "Dr.": "Doctor",
    "Prof.": "Professor",
    "St.": "Saint",
    "Mt.": "Mount",
}
# Abbreviations that continue the sentence wherever they stand ("e.g. Paris").
INLINE = {
    "vs.": "versus",
    "cf.": "compare",
    "e.g.": "for example",
    "i.e.": "that is",
    "approx.": "approximately",
}
# Abbreviations that continue the sentence only before a number ("No. 5", but "No. It isn't.").
BEFORE_NUMBER = {
    "no.": "number",
    "nos.": "numbers",
    "fig.": "figure",
    "figs.": "figures",
    "vol.": "volume",
}
# Read as words, but free to end a sentence ("apples, pears, etc.").
FINAL_OK = {"etc.": "et cetera"}

# Terminal punctuation, then any closing quotes or brackets, then a space or the end; or a
# full-width full stop, question or exclamation mark (Japanese, Chinese), which needs no space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|[。！？]+[」』）\"'”’)\]]*")
# Letters with dots: initials and initialisms ("F.", "U.S.", "a.m.").
_DOTTED_LETTERS = re.compile(r"^(?:[A-Za-z]\.)+$")
# Paragraph breaks end a sentence even without punctuation (a heading, a list item).
_PARAGRAPH = re.compile(r"\n\s*\n")
_OPENERS = "\"'“‘(["
_CLOSERS = "\"'”’)]"


def _alternation(words: dict[str, str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# espeak, under Piper, ends a sentence at "Mr." or "Fig." before a capital or a digit and reads
# "vs." and "i.e." letter by letter, so the spoken form spells these out.
_SPOKEN = [
    (re.compile(rf"(?<![\w.])({_alternation(TITLES)})(?=\s+[A-Z])"), TITLES),
    (re.compile(rf"(?<![\w.])({_alternation(BEFORE_NUMBER)})(?=\s*\d)", re.I), BEFORE_NUMBER),
    (re.compile(rf"(?<![\w.])({_alternation(INLINE | FINAL_OK)})", re.I), INLINE | FINAL_OK),
]
_INNER_ELLIPSIS = re.compile(r"\s*(?:…|\.{3})\s*(?=\w)")
_INNER_DOTTED = re.compile(r"(?<![\w.])((?:[A-Za-z]\.)*[A-Za-z])\.(?=\s+\S)")


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Whether the punctuation at ``text[start:end]`` ends a sentence."""
    rest = text[end:].lstrip()
    if not rest:
        return True
    # A sentence in narration starts with a capital, a digit or a quote: punctuation followed by
    # a lower-case word ("Wait... what", "approx. five") continues the sentence.
    if rest[0].islower():
        return False
    # A quoted question or exclamation that a particle continues: 「本当？」と思う.
    if text[end - 1] in "」』）" and "\u3041" <= rest[0] <= "\u309f":
        return False
    if text[start:end].rstrip(_CLOSERS) != ".":
        return True
    word = text[:end].rsplit(maxsplit=1)[-1].lstrip(_OPENERS)
    if word in TITLES or word.lower() in INLINE or _DOTTED_LETTERS.match(word):
        return False
    return not (word.lower() in BEFORE_NUMBER and rest[0].isdigit())


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, in order, each whitespace-normalised and non-empty.

    A sentence ends at ".", "!", "?" or "…" (with any closing quotes) followed by a space and
    a word that does not start in lower case, or by the end of the text, and at "。", "！" or
    "？" (with any closing brackets) wherever they stand; a paragraph break
    (a blank line) also ends one. Decimals ("3.5") never split, and neither do titles
    ("Dr."), inline abbreviations ("e.g.", "vs."), "No."/"Fig." before a number, or dotted
    initials and initialisms ("F.", "U.S.", "a.m."), which are taken to continue the sentence.
    Joining the result with single spaces gives back the text with its whitespace normalised
    (in Japanese and Chinese, with a space after each full stop).
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        flat = " ".join(paragraph.split())
        begin = 0
        for match in _END.finditer(flat):
            if _is_boundary(flat, match.start(), match.end()):
                sentences.append(flat[begin : match.end()].strip())
                begin = match.end()
        sentences.append(flat[begin:].strip())
    return [s for s in sentences if s]


def spoken_form(sentence: str) -> str:
    """The sentence as a TTS engine should read it: the same words, no inner sentence breaks.

    Known abbreviations become words ("Dr. Smith" → "Doctor Smith", "e.g." → "for example"),
    dotted initials lose the dot that would end the sentence early ("U.S. President" → "U.S
    President"), and an ellipsis inside the sentence becomes a comma, which engines pause at.
    The sentence's final punctuation is kept, so a question still sounds like one.
    """
    spoken = sentence
    for pattern, words in _SPOKEN:
        spoken = pattern.sub(partial(_spell_out, words=words), spoken)
    spoken = _INNER_ELLIPSIS.sub(", ", spoken)
    return _INNER_DOTTED.sub(r"\1", spoken)


def _spell_out(match: re.Match[str], words: dict[str, str]) -> str:
    abbreviation = match.group(1)
    word = words.get(abbreviation) or words[abbreviation.lower()]
    if abbreviation[0].isupper():
        word = word[0].upper() + word[1:]
    # The abbreviation's dot may also be the sentence's full stop: keep one.
    at_end = not match.string[match.end() :].strip(_CLOSERS)
    return word + "." if at_end else word
