"""Subtitle cues from timed sentences, written as SRT and WebVTT.

The rules follow common broadcast practice: at most two lines of at most 42 columns, and
each cue on screen for at least a second where the pause after it (or before it) allows.
Widths are display widths (:func:`display_width`): a wide character (Japanese, Chinese,
Korean) takes two columns, so a line holds 21 of them. A sentence too long for one cue is
split at word boundaries into balanced cues; the words of Japanese, Chinese and Thai are
BudouX phrases (``voice.words.split_words``), joined without spaces (:func:`join_words`).
Each cue starts when its first word is spoken where the engine gave word timings, and
otherwise the cues share the sentence's time in proportion to their characters.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable
from itertools import pairwise

from pydantic import BaseModel, Field

from ytempire.models import TimedText
from ytempire.voice.words import split_words

# Characters a sentence, and so a caption line, ends with: Latin, CJK full-width, Arabic's
# question mark, Devanagari's danda.
SENTENCE_ENDS = (".", "!", "?", ":", ";", "。", "！", "？", "؟", "।")
MAX_LINE_CHARS = 42
MAX_LINES = 2
MIN_CUE_S = 1.0


class Cue(BaseModel):
    """One subtitle on screen from ``start`` to ``end`` (seconds), one to two lines."""

    start: float = Field(ge=0)
    end: float = Field(ge=0)
    lines: list[str] = Field(min_length=1, max_length=MAX_LINES)
    speaker: str | None = Field(default=None, description="who says it, in a dialogue")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: two for a wide or full-width character (East Asian
    width W or F), none for a combining mark, one for any other."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def unspaced_char(ch: str) -> bool:
    """Whether ``ch`` belongs to a script written without spaces: a wide character that is
    not Hangul (Korean spaces its words), or Thai."""
    hangul = "가" <= ch <= "힣" or "ᄀ" <= ch <= "ᇿ" or "㄰" <= ch <= "㆏"
    wide = unicodedata.east_asian_width(ch) in ("W", "F") and not hangul
    return wide or "฀" <= ch <= "๿"


def join_words(words: Iterable[str]) -> str:
    """``words`` as text: separated by a space, except where either side of the join is a
    character of an unspaced script (Japanese phrases join as they were written)."""
    text = ""
    for word in words:
        if text and word and not (unspaced_char(text[-1]) or unspaced_char(word[0])):
            text += " "
        text += word
    return text


def _words(text: str) -> list[str]:
    """Words of ``text`` (``voice.words.split_words``); one wider than a line is cut into
    line-sized pieces."""
    words: list[str] = []
    for word in split_words(text):
        piece = ""
        for ch in word:
            if piece and display_width(piece + ch) > MAX_LINE_CHARS:
                words.append(piece)
                piece = ""
            piece += ch
        words.append(piece)
    return words


def _line_count(words: list[str]) -> int:
    """How many lines of ``MAX_LINE_CHARS`` the words fill (greedy filling is optimal)."""
    lines, line = 0, ""
    for word in words:
        joined = join_words([line, word]) if line else word
        if not line or display_width(joined) > MAX_LINE_CHARS:
            lines, line = lines + 1, word
        else:
            line = joined
    return lines


def _lines(words: list[str]) -> list[str]:
    """The words as one line if they fit, else two lines as even in width as possible."""
    text = join_words(words)
    if display_width(text) <= MAX_LINE_CHARS:
        return [text]
    splits = ([join_words(words[:cut]), join_words(words[cut:])] for cut in range(1, len(words)))
    fitting = [pair for pair in splits if _widest(pair) <= MAX_LINE_CHARS]
    return min(fitting, key=_widest)


def _widest(lines: list[str]) -> int:
    return max(map(display_width, lines))


def _chunks(words: list[str]) -> list[list[str]]:
    """Split words into the fewest cues that fit, with their lengths as even as possible."""
    parts = -(-_line_count(words) // MAX_LINES)
    if parts <= 1:
        return [words]
    n = len(words)
    prefix = [0]
    for word in words:
        prefix.append(prefix[-1] + display_width(word) + 1)
    target = prefix[-1] / parts

    def fits(i: int, j: int) -> bool:
        return _line_count(words[i:j]) <= MAX_LINES

    # cost[k][j]: best cost of words[:j] in k cues (sum of squared deviations from the mean).
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(parts + 1)]
    back = [[0] * (n + 1) for _ in range(parts + 1)]
    cost[0][0] = 0.0
    for k in range(1, parts + 1):
        for j in range(1, n + 1):
            for i in range(j - 1, -1, -1):
                if not fits(i, j):
                    break
                if cost[k - 1][i] < inf:
                    c = cost[k - 1][i] + (prefix[j] - prefix[i] - target) ** 2
                    if c < cost[k][j]:
                        cost[k][j], back[k][j] = c, i
    bounds = [n]
    for k in range(parts, 0, -1):
        bounds.append(back[k][bounds[-1]])
    bounds.reverse()
    return [words[a:b] for a, b in pairwise(bounds)]


def _word_times(sentences: list[TimedText], words: list[TimedText]) -> dict[int, list[TimedText]]:
    """Each sentence's word timings (by position in ``sentences``), where ``words`` has them:
    the words follow the sentences in order, one per word of ``voice.words.split_words``."""
    found: dict[int, list[TimedText]] = {}
    at = 0
    for i, sentence in enumerate(sentences):
        tokens = split_words(sentence.text)
        candidate = words[at : at + len(tokens)]
        if tokens and [w.text for w in candidate] == tokens:
            found[i] = candidate
            at += len(tokens)
    return found


def _starts_in_words(chunks: list[list[str]], text: str) -> list[tuple[int, float]]:
    """For each cue chunk after the first: (index of the sentence word it starts in, how far
    into that word it starts, as a share of the word's characters)."""
    tokens = split_words(text)
    starts: list[tuple[int, float]] = []
    token, into = 0, 0
    for chunk in chunks:
        starts.append((token, into / max(1, len(tokens[token])) if token < len(tokens) else 0.0))
        for piece in chunk:
            into += len(piece)
            if token < len(tokens) and into >= len(tokens[token]):
                token, into = token + 1, 0
    return starts[1:]


def cues_from_sentences(
    sentences: list[TimedText], audio_end: float, words: list[TimedText] | None = None
) -> list[Cue]:
    """Subtitle cues for timed sentences, in order and never overlapping.

    Every cue has at most ``MAX_LINES`` lines of at most ``MAX_LINE_CHARS`` columns
    (:func:`display_width`). A sentence that does not fit one cue becomes several, split at
    word boundaries (a word longer than a line is cut). With ``words`` (one timing per word
    of ``voice.words.split_words``, in order, as engines with word timestamps give), each of
    those cues starts
    when its first word does; otherwise they share the sentence's time in proportion to their
    characters. A cue shorter than ``MIN_CUE_S`` is extended into the pause after it, then
    into the pause before it, never into a neighbouring cue and never past ``audio_end``.
    Sentences that start at or after ``audio_end``, or have no words, get no cue; a sentence
    whose timing overlaps the previous one starts when that one ends.
    """
    ordered = sorted(sentences, key=lambda s: s.start)
    word_times = _word_times(ordered, words or [])
    cues: list[Cue] = []
    for number, sentence in enumerate(ordered):
        # Timings from an engine may overlap; a sentence starts when the previous one ends.
        start = max(sentence.start, cues[-1].end if cues else 0.0)
        end = min(sentence.end, audio_end)
        pieces = _words(sentence.text)
        if end <= start or not pieces:
            continue
        chunks = _chunks(pieces)
        timed = word_times.get(number)
        if timed:
            cuts = []
            for token, share in _starts_in_words(chunks, sentence.text):
                word = timed[token]
                cuts.append(word.start + (word.end - word.start) * share)
        else:
            weights = [len(join_words(chunk)) for chunk in chunks]
            total = sum(weights)
            cuts = list(itertools.accumulate(w * (end - start) / total for w in weights[:-1]))
            cuts = [start + c for c in cuts]
        bounds = [start, *(min(max(c, start), end) for c in cuts), end]
        for chunk, (a, b) in zip(chunks, pairwise(bounds), strict=True):
            cues.append(Cue(start=a, end=max(a, b), lines=_lines(chunk), speaker=sentence.speaker))
        cues[-1].end = end

    for i, cue in enumerate(cues):
        if cue.end - cue.start >= MIN_CUE_S:
            continue
        later = cues[i + 1].start if i + 1 < len(cues) else audio_end
        cue.end = max(cue.end, min(cue.start + MIN_CUE_S, later, audio_end))
        earlier = cues[i - 1].end if i else 0.0
        cue.start = min(cue.start, max(cue.end - MIN_CUE_S, earlier))
    return cues


def _timestamp(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _escape_srt(line: str) -> str:
    # "-->" is the timing arrow; inside cue text a player would take it for one.
    return line.replace("-->", "->")


def _escape_vtt(line: str) -> str:
    # WebVTT cue text is markup: "&" and "<" start entities and tags, and escaping ">" also
    # keeps "-->" out of the text.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _labelled(cues: list[Cue]) -> list[list[str]]:
    """Each cue's lines, the first cue of a speaker's turn with ``NAME: `` before them."""
    out, previous = [], None
    for cue in cues:
        lines = list(cue.lines)
        if cue.speaker is not None and cue.speaker != previous:
            lines[0] = f"{cue.speaker.upper()}: {lines[0]}"
        previous = cue.speaker
        out.append(lines)
    return out


def to_srt(cues: list[Cue]) -> str:
    """SubRip text: numbered cues with ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` timings; in a
    dialogue the first cue of each turn starts with its speaker (``ANA: ``)."""
    blocks = [
        f"{n}\n{_timestamp(c.start, ',')} --> {_timestamp(c.end, ',')}\n"
        + "\n".join(map(_escape_srt, lines))
        for n, (c, lines) in enumerate(zip(cues, _labelled(cues), strict=True), start=1)
    ]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def to_vtt(cues: list[Cue]) -> str:
    """WebVTT text: the ``WEBVTT`` header, then cues timed ``HH:MM:SS.mmm --> HH:MM:SS.mmm``;
    in a dialogue each cue is a voice span (``<v Ana>``), which players show or style."""
    blocks = ["WEBVTT"]
    for c in cues:
        timing = f"{_timestamp(c.start, '.')} --> {_timestamp(c.end, '.')}"
        lines = [_escape_vtt(line) for line in c.lines]
        if c.speaker is not None:
            lines[0] = f"<v {_escape_vtt(c.speaker)}>{lines[0]}"
        blocks.append("\n".join([timing, *lines]))
    return "\n\n".join(blocks) + "\n"
