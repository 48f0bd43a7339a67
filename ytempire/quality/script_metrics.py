"""Measurements of a script's text: readability, length against target, keyword density."""

from __future__ import annotations

import re

import textstat
from pydantic import BaseModel

from ytempire.models import Script


class ScriptMetrics(BaseModel):
    words: int
    target_words: int
    length_ratio: float
    flesch_reading_ease: float
    readability: float
    keyword: str
    keyword_density: float


def keyword_density(text: str, keyword: str) -> float:
    """Share of the text's words that belong to occurrences of ``keyword`` (a phrase)."""
    words = re.findall(r"[\w'’-]+", text.lower())
    if not words or not keyword.strip():
        return 0.0
    phrase = keyword.lower().split()
    n = len(phrase)
    hits = sum(1 for i in range(len(words) - n + 1) if words[i : i + n] == phrase)
    return hits * n / len(words)


def measure_script(script: Script, target_words: int) -> ScriptMetrics:
    text = script.spoken_text()
    words = script.word_count()
    flesch = float(textstat.flesch_reading_ease(text))
    # The primary keyword is the one the script leans on most.
    keyword = max(script.keywords or [""], key=lambda k: keyword_density(text, k))
    return ScriptMetrics(
        words=words,
        target_words=target_words,
        length_ratio=round(words / target_words, 4) if target_words else 0.0,
        flesch_reading_ease=round(flesch, 2),
        readability=round(min(max(flesch, 0.0), 100.0) / 100, 4),
        keyword=keyword,
        keyword_density=round(keyword_density(text, keyword), 4),
    )
