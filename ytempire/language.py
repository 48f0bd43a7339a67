"""The languages a video can be made in: BCP-47 tags and what each stage needs to know.

A tag is ``language`` or ``language-REGION`` (``en``, ``es``, ``pt-BR``, ``ja``, ``en-GB``),
as YouTube's ``defaultLanguage`` takes it. :func:`language` parses and checks one against the
table in ``ytempire/data/languages.toml``; a tag that is malformed or names a language the
table does not know is one line (:class:`LanguageError`). What the table says of a language
is what the stages ask: its name (for prompts), the script it is written in (for fonts),
whether words are separated by spaces (for line breaking, pace and keyword counts) and
whether it is written right to left.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

LANGUAGES_FILE = Path(__file__).resolve().parent / "data" / "languages.toml"
_TAG = re.compile(r"^(?P<code>[a-z]{2,3})(?:-(?P<region>[A-Z]{2}|[0-9]{3}))?$")
DEFAULT_LANGUAGE = "en"


class LanguageError(ValueError):
    """A language tag that is malformed or unknown; the message is one line."""


class Language(BaseModel):
    """One language as the pipeline uses it."""

    model_config = ConfigDict(frozen=True)

    tag: str  # as asked and normalised: "pt-BR"
    code: str  # the language alone: "pt"
    region: str | None  # "BR", or None
    name: str  # in English, for prompts: "Portuguese"
    native: str  # in itself: "Português"
    script: str  # ISO 15924: Latn, Cyrl, Arab, Hebr, Deva, Jpan, Hans, Hang, Thai
    spaced: bool  # words separated by spaces (False: Japanese, Chinese, Thai)
    rtl: bool  # written right to left (Arabic, Hebrew)

    @property
    def is_english(self) -> bool:
        return self.code == "en"


@cache
def _table() -> dict[str, dict[str, object]]:
    with LANGUAGES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def normalise(tag: str) -> str:
    """``tag`` in the form YouTube and this table use: ``pt_br`` → ``pt-BR``."""
    parts = tag.strip().replace("_", "-").split("-")
    if len(parts) == 2:
        return f"{parts[0].lower()}-{parts[1].upper()}"
    return parts[0].lower() if len(parts) == 1 else tag.strip()


def language(tag: str) -> Language:
    """The :class:`Language` of a BCP-47 tag, or :class:`LanguageError` in one line."""
    text = normalise(tag)
    match = _TAG.match(text)
    if not match:
        raise LanguageError(
            f"language {tag.strip()!r} is not a language tag such as en, es, pt-BR or ja"
        )
    code = match["code"]
    entry = _table().get(code)
    if entry is None:
        raise LanguageError(
            f"language {text!r} is not one ytempire knows (known: {', '.join(known())})"
        )
    return Language(tag=text, code=code, region=match["region"], **entry)  # type: ignore[arg-type]


def known() -> list[str]:
    """Every language code the table knows, sorted."""
    return sorted(_table())


def check_tag(tag: str) -> str:
    """``tag`` normalised if :func:`language` knows it (a pydantic validator's body)."""
    return language(tag).tag
