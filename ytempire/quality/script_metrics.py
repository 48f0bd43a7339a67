"""Measurements of a script's text, in its language's units: readability, length against
target, keyword density.

Length is counted as the script writers count it (``ytempire.script.languages``): words
where the language separates words by spaces, characters (letters, kana, kanji; no
punctuation) where it does not, and the target is that many units a minute of narration.
Readability is the language's own formula (``quality.readability``), or skipped with the
reason where the language has none.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel

from ytempire.language import language
from ytempire.models import Script
from ytempire.quality import readability
from ytempire.script.languages import Unit, spoken_length, unit

_WORD = re.compile(r"[\w'’-]+")


class ScriptMetrics(BaseModel):
    language: str  # the language's code: "en", "ja"
    spaced: bool
    length_unit: Unit
    length: int
    target_length: int
    length_ratio: float
    readability_formula: str | None
    readability_score: float | None
    readability: float | None
    keyword: str
    keyword_density: float
    skipped: dict[str, str]  # measurement → why it was not measured


def keyword_density(text: str, keyword: str, tag: str = "en") -> float:
    """Share of the text taken by occurrences of ``keyword`` (a phrase), in the unit of
    ``tag``'s language: the share of words where words are separated by spaces; else the
    share of characters (letters, kana, kanji; punctuation and spaces left out on both
    sides, full-width letters folded to their usual forms)."""
    if not keyword.strip():
        return 0.0
    if language(tag).spaced:
        words = _WORD.findall(text.lower())
        phrase = keyword.lower().split()
        n = len(phrase)
        hits = sum(1 for i in range(len(words) - n + 1) if words[i : i + n] == phrase)
        return hits * n / len(words) if words else 0.0
    letters, wanted = _letters(text), _letters(keyword)
    if not letters or not wanted:
        return 0.0
    return letters.count(wanted) * len(wanted) / len(letters)


def _letters(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def measure_script(script: Script, target: int) -> ScriptMetrics:
    """The script's measurements; ``target`` is its length as asked, in the script
    language's unit (``script.languages.target_length`` of the job's minutes)."""
    tag = script.language
    spoken = language(tag)
    text = script.spoken_text()
    length = spoken_length(text, tag)
    read = readability.measure(text, tag)
    skipped = {"readability": read.skipped} if read.skipped else {}
    if not any(k.strip() for k in script.keywords):
        skipped["keyword_density"] = "the script has no keywords to count"
    # The primary keyword is the one the script leans on most.
    keyword = max(script.keywords or [""], key=lambda k: keyword_density(text, k, tag))
    return ScriptMetrics(
        language=spoken.code,
        spaced=spoken.spaced,
        length_unit=unit(tag),
        length=length,
        target_length=target,
        length_ratio=round(length / target, 4) if target else 0.0,
        readability_formula=read.formula,
        readability_score=read.score,
        readability=read.readability,
        keyword=keyword,
        keyword_density=round(keyword_density(text, keyword, tag), 4),
        skipped=skipped,
    )
