"""Readability in the script's own language: the formula each language has, or why none.

Every formula here scores plain text high on a 0-100 scale, so a script's ``readability``
is the score over 100 (clipped to 0..1) and the script suite judges it per language
(``quality_suites/script.json``; docs/languages.md, "Quality in other languages"):

- English: Flesch reading ease (textstat), as before.
- Spanish: Fernández Huerta (1959), ``206.84 − 60 × syllables/word − 1.02 × words/sentence``.
  Syllables are counted by vowel nuclei, not by textstat's hyphenation points: a
  hyphenation dictionary never splits one vowel off a word's edge (``agu-je-ros``, 3 for 4)
  and undercounts Spanish by about a quarter of a syllable a word, some 14 points of score.
- German: Flesch–Amstad; French: Kandel–Moles; Dutch: Flesch–Douma; Russian: Oborneva;
  Portuguese: Martins et al. (1996), ``248.835 − 1.015 × words/sentence − 84.6 ×
  syllables/word`` (textstat's counts, syllables from its offline hyphenation
  dictionaries); Italian: Gulpease (1988), which needs no syllables.
- Japanese: Tateisi, Ono and Yamada (1988), "A computer readability formula of Japanese texts
  for machine scoring" (COLING '88), the short form ``RS' = −0.12 ls − 1.37 la + 7.4 lh −
  23.18 lc − 5.4 lk − 4.67 cp + 115.79``: sentence length and the mean length of each run of
  one kind of character (alphabet, hiragana, kanji, katakana) in characters, and commas per
  sentence. It is scaled to a mean of 50 (standard deviation 10) over the 77 texts it was
  fitted on, higher being easier, so Japanese passes at 50 where the Flesch family pass at 60.
- Any other language: not measured, with the reason; the check is skipped, not passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from textstat.textstat import textstatistics

from ytempire.language import language

TEXTSTAT_LOCALES = {"de": "de_DE", "en": "en_US", "fr": "fr", "nl": "nl_NL", "pt": "pt_BR"}
TEXTSTAT_LOCALES |= {"es": "es", "it": "it_IT", "ru": "ru_RU"}

_SENTENCE_END = re.compile(r"[.!?…。！？．]+")
_LETTERS = re.compile(r"[^\W\d_]+")
# Spanish vowels; the strong ones (and a stressed i or u) start a syllable of their own
# next to another strong one (hiatus), the weak ones join a neighbour (diphthong).
_ES_VOWELS = re.compile(r"[aeiouáéíóúü]+")
_ES_STRONG = set("aeoáéóíú")
_TOUTEN = set("、，,")


@dataclass(frozen=True)
class Readability:
    """A text's readability in its language, or why it was not measured."""

    formula: str | None
    score: float | None  # the formula's own value
    skipped: str | None = None  # the reason, when no formula was applied

    @property
    def readability(self) -> float | None:
        """The score over 100, clipped to 0..1: what the script suite checks."""
        return None if self.score is None else round(min(max(self.score, 0.0), 100.0) / 100, 4)


@dataclass(frozen=True)
class _Formula:
    name: str
    score: Callable[[str], float]


@cache
def _textstat(code: str) -> textstatistics:
    """A textstat instance of its own for ``code`` (``textstat.set_lang`` is global state)."""
    stats = textstatistics()
    stats.set_lang(TEXTSTAT_LOCALES[code])
    return stats


def _flesch(code: str) -> Callable[[str], float]:
    """textstat's Flesch reading ease with the language's own constants."""
    return lambda text: float(_textstat(code).flesch_reading_ease(text))


def _martins(text: str) -> float:
    stats = _textstat("pt")
    return (
        248.835 - 1.015 * stats.words_per_sentence(text) - 84.6 * stats.avg_syllables_per_word(text)
    )


def _gulpease(text: str) -> float:
    return float(_textstat("it").gulpease_index(text))


def spanish_syllables(word: str) -> int:
    """Syllables of a Spanish word: its vowel groups, plus one per hiatus inside a group.

    A final ``y`` after a vowel (``hoy``, ``muy``) closes a diphthong; ``y`` alone is a word
    of one syllable; a word without vowels counts one."""
    word = word.lower()
    if word == "y":
        return 1
    count = 0
    for group in _ES_VOWELS.findall(word):
        count += 1 + sum(a in _ES_STRONG and b in _ES_STRONG for a, b in pairwise(group))
    return max(1, count)


def _sentences(text: str) -> int:
    return max(1, sum(1 for part in _SENTENCE_END.split(text) if _LETTERS.search(part)))


def _fernandez_huerta(text: str) -> float:
    words = _LETTERS.findall(text)
    if not words:
        return 0.0
    syllables = sum(spanish_syllables(w) for w in words)
    return 206.84 - 60 * syllables / len(words) - 1.02 * len(words) / _sentences(text)


def _kind(ch: str) -> str | None:
    """The kind of character a run of Tateisi's formula is made of, or None (a break)."""
    point = ord(ch)
    if 0x3041 <= point <= 0x309F:
        return "hiragana"
    if (0x30A1 <= point <= 0x30FF and ch != "・") or 0xFF66 <= point <= 0xFF9F:
        return "katakana"
    if 0x4E00 <= point <= 0x9FFF or 0x3400 <= point <= 0x4DBF or ch in "々〆〇":
        return "kanji"
    if ch.isalnum() and (ch.isascii() or 0xFF10 <= point <= 0xFF5A):
        return "alphabet"
    return None


def tateisi_features(text: str) -> dict[str, float]:
    """What Tateisi's formula reads of a Japanese text: ``ls`` letters per sentence, ``la``,
    ``lh``, ``lc``, ``lk`` the mean run length of alphabet, hiragana, kanji and katakana
    (0 where a kind never occurs), ``cp`` commas (、) per sentence."""
    runs: dict[str, list[int]] = {"alphabet": [], "hiragana": [], "kanji": [], "katakana": []}
    previous: str | None = None
    for ch in text:
        kind = _kind(ch)
        if kind is not None:
            if kind == previous:
                runs[kind][-1] += 1
            else:
                runs[kind].append(1)
        previous = kind
    sentences = _sentences(text)

    def mean(kind: str) -> float:
        lengths = runs[kind]
        return sum(lengths) / len(lengths) if lengths else 0.0

    return {
        "ls": sum(ch.isalnum() for ch in text) / sentences,
        "la": mean("alphabet"),
        "lh": mean("hiragana"),
        "lc": mean("kanji"),
        "lk": mean("katakana"),
        "cp": sum(ch in _TOUTEN for ch in text) / sentences,
    }


def _tateisi(text: str) -> float:
    f = tateisi_features(text)
    return (
        -0.12 * f["ls"]
        - 1.37 * f["la"]
        + 7.4 * f["lh"]
        - 23.18 * f["lc"]
        - 5.4 * f["lk"]
        - 4.67 * f["cp"]
        + 115.79
    )


FORMULAS: dict[str, _Formula] = {
    "de": _Formula("Flesch–Amstad reading ease", _flesch("de")),
    "en": _Formula("Flesch reading ease", _flesch("en")),
    "es": _Formula("Fernández Huerta readability", _fernandez_huerta),
    "fr": _Formula("Kandel–Moles reading ease", _flesch("fr")),
    "it": _Formula("Gulpease index", _gulpease),
    "ja": _Formula("Tateisi readability (RS')", _tateisi),
    "nl": _Formula("Flesch–Douma reading ease", _flesch("nl")),
    "pt": _Formula("Martins reading ease", _martins),
    "ru": _Formula("Oborneva reading ease", _flesch("ru")),
}


def measure(text: str, tag: str) -> Readability:
    """The readability of ``text``, written in ``tag``'s language, by that language's formula;
    a language without one is not measured, and says so."""
    spoken = language(tag)
    formula = FORMULAS.get(spoken.code)
    if formula is None:
        return Readability(
            formula=None,
            score=None,
            skipped=(
                f"no readability formula for {spoken.name} here "
                f"(have: {', '.join(sorted(FORMULAS))}; docs/languages.md)"
            ),
        )
    return Readability(formula=formula.name, score=round(formula.score(text), 2))
