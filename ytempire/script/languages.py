"""What the script writers know of each language: who can write it offline, its headings,
how long a minute of it is, and how the prompts name it.

The offline template writers are English (``template_writer``, its own grammar) and every
language with a phrase table ``ytempire/data/explainer_phrases_<code>.toml``
(``phrase_writer``: Spanish and Japanese today). Any other language needs a chat model:
``require_writer`` says so in one line before anything is made, and the script stage says the
same if it is reached without one.

Length is counted in the language's unit: words where words are separated by spaces,
characters (letters, kana, kanji; no punctuation or spaces) where they are not. A minute of
narration holds ``per_minute`` units (``ytempire/data/script_languages.toml``: 150 words, or
330 characters of Japanese).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from ytempire.language import Language, LanguageError, language
from ytempire.models import WORDS_PER_MINUTE

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
TABLE_FILE = DATA_DIR / "script_languages.toml"
ENGLISH = "en"
# Regions the prompts name in words ("Portuguese as spoken in Brazil"); others by their code.
REGIONS = {
    "419": "Latin America",
    "AR": "Argentina",
    "AU": "Australia",
    "BR": "Brazil",
    "CA": "Canada",
    "CN": "mainland China",
    "ES": "Spain",
    "FR": "France",
    "GB": "the United Kingdom",
    "IN": "India",
    "MX": "Mexico",
    "PT": "Portugal",
    "TW": "Taiwan",
    "US": "the United States",
}
_WORD = re.compile(r"[\w'’-]+")

Unit = Literal["words", "characters"]


class NoScriptWriter(LanguageError):
    """A language that nothing configured can write a script in; the message is one line."""


def phrase_file(code: str) -> Path:
    """Where the phrase table of language ``code``'s offline writer is (it may not exist)."""
    return DATA_DIR / f"explainer_phrases_{code}.toml"


def offline_languages() -> list[str]:
    """The language codes an offline template writer writes: English and every phrase table."""
    tables = DATA_DIR.glob("explainer_phrases_*.toml")
    return sorted({ENGLISH, *(p.stem.removeprefix("explainer_phrases_") for p in tables)})


def has_writer(tag: str) -> bool:
    """Whether an offline template writer writes ``tag``'s language."""
    return language(tag).code in offline_languages()


def require_writer(tag: str, llm_configured: bool, *, after_models: bool = False) -> None:
    """Nothing, when a script can be written in ``tag``'s language; else ``NoScriptWriter``.

    Without a chat model (``llm_configured`` false) only the offline writers' languages can
    be written. ``after_models``: the models were tried and failed, and the template writer,
    the last resort, has no table for the language.
    """
    spoken = language(tag)
    if llm_configured or spoken.code in offline_languages():
        return
    have = ", ".join(offline_languages())
    if after_models:
        raise NoScriptWriter(
            f"no offline script writer for {spoken.tag!r} (have: {have}) to fall back on "
            "after the models failed"
        )
    raise NoScriptWriter(
        f"no offline script writer for {spoken.tag!r} (have: {have}); set an LLM "
        f"(OPENAI_API_KEY / OPENAI_BASE_URL) to write in {spoken.name}"
    )


@cache
def _table() -> dict[str, dict[str, Any]]:
    with TABLE_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _entry(tag: str) -> dict[str, Any]:
    spoken = language(tag)
    entry = _table().get(spoken.code)
    if entry is None:
        raise LanguageError(f"no script headings for {spoken.tag!r} in {TABLE_FILE.name}")
    return entry


def headings(tag: str) -> tuple[str, str]:
    """The summary's and the call to action's headings in ``tag``'s language."""
    entry = _entry(tag)
    return str(entry["summary_heading"]), str(entry["cta_heading"])


def unit(tag: str) -> Unit:
    """What a script's length is counted in: words, or characters where there are no spaces."""
    return "words" if language(tag).spaced else "characters"


def per_minute(tag: str) -> int:
    """How many units (``unit``) a minute of narration holds in ``tag``'s language."""
    return int(_entry(tag).get("per_minute", WORDS_PER_MINUTE))


def target_length(minutes: float, tag: str) -> int:
    """The length of ``minutes`` of narration in ``tag``'s unit."""
    return round(minutes * per_minute(tag))


def spoken_length(text: str, tag: str) -> int:
    """The length of ``text`` in ``tag``'s unit: words, or characters without punctuation."""
    if unit(tag) == "words":
        return len(_WORD.findall(text))
    return sum(ch.isalnum() for ch in text)


def prompt_name(tag: str) -> str:
    """How a prompt names the language: "Spanish", "Portuguese as spoken in Brazil (pt-BR)"."""
    spoken: Language = language(tag)
    if spoken.region is None:
        return spoken.name
    return f"{spoken.name} as spoken in {REGIONS.get(spoken.region, spoken.region)} ({spoken.tag})"
