"""The words of narration that get their own timing: what word-by-word captions highlight.

In a spaced language a word is what whitespace separates. Japanese, Chinese and Thai write
no spaces, so a run of their text is cut into phrases (BudouX's, the units a reader takes
in at a glance and a line may break between): "ブラックホールは、ゆっくりと蒸発します。"
is three words, "ブラックホールは、", "ゆっくりと", "蒸発します。". Joining the words of an
unspaced run without spaces gives the run back.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from budoux import Parser


def _is_kana(char: str) -> bool:
    return "\u3040" <= char <= "\u30ff" or "\uff66" <= char <= "\uff9f"


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


@cache
def _parser(kind: str) -> Parser:
    import budoux

    loaders = {
        "ja": budoux.load_default_japanese_parser,
        "zh": budoux.load_default_simplified_chinese_parser,
        "th": budoux.load_default_thai_parser,
    }
    return loaders[kind]()


def _unspaced(token: str) -> str | None:
    """Which phrase parser a whitespace-separated token needs, or None (a word as it is)."""
    if any(_is_kana(c) for c in token):
        return "ja"
    if any(_is_han(c) for c in token):
        return "zh"
    if any(_is_thai(c) for c in token):
        return "th"
    return None


def split_words(text: str) -> list[str]:
    """The timed words of ``text`` in order: its whitespace-separated words, each run of
    Japanese, Chinese or Thai cut into phrases."""
    words: list[str] = []
    for token in text.split():
        kind = _unspaced(token)
        words += _whole_numbers(_parser(kind).parse(token)) if kind else [token]
    return [w for w in words if w]


def _whole_numbers(phrases: list[str]) -> list[str]:
    """``phrases`` with none cut inside a number ("197" "4年、" → "1974年、")."""
    joined: list[str] = []
    for phrase in phrases:
        if joined and joined[-1][-1:].isdigit() and phrase[:1].isdigit():
            joined[-1] += phrase
        else:
            joined.append(phrase)
    return joined
