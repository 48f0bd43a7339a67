"""Engagement of a script, and the targets the writing prompt states.

The script suite (``quality_suites/script.json``) is what judges a script: readability,
engagement, length and keyword density. This module supplies the one measurement it needs
that is about writing rather than text statistics, engagement, a heuristic in place of the
seed's engagement model. It gives a third of a point for each of:

- a hook whose first sentence is a short question or a strong, specific claim, not a greeting;
- a direct question to the audience after the hook's first sentence;
- a call to action that asks viewers to subscribe or comment.

The seed's threshold, 0.75, therefore asks for all three. The constants below are the aims
the prompt spells out for the model (``script.prompts``); the suite's bands around them are
wider, so a draft that nearly meets an aim still passes.

The cues are read in the script's language: English, Spanish and Japanese have their words
for the viewer, for subscribing and commenting, for greetings and strong claims
(``CUES``; ``reads(tag)`` says whether a language has them). A Japanese hook's first sentence
is measured in characters (``MAX_HOOK_CHARACTERS``), its sentences end at 。！？.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from ytempire.language import language

# What the prompt asks for (the suite's gates are in quality_suites/script.json).
MIN_FLESCH = 60.0
LENGTH_TOLERANCE = 0.10
DENSITY_RANGE = (0.01, 0.03)
MAX_HOOK_WORDS = 25
# The same for a language written without spaces: about 2.2 Japanese characters a word.
MAX_HOOK_CHARACTERS = 55

_WORD = re.compile(r"[\w'’-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_UNSPACED_END = re.compile(r"(?<=[。！？!?])[」』”’)）]*\s*")


@dataclass(frozen=True)
class Cues:
    """How a language addresses the viewer, asks to subscribe or comment, greets (a weak
    opening) and makes a strong claim."""

    audience: re.Pattern[str]
    cta: re.Pattern[str]
    weak_opener: re.Pattern[str]
    strong: re.Pattern[str]


CUES: dict[str, Cues] = {
    "en": Cues(
        audience=re.compile(
            r"\b(you|your|yours|yourself|you're|you've|you'd|you'll|we|us|our|anyone)\b", re.I
        ),
        cta=re.compile(r"\b(subscrib\w*|comment\w*)\b", re.I),
        weak_opener=re.compile(
            r"^\s*(hi|hello|hey|welcome|in this video|today,? (we|i)|this video|so,? today)\b",
            re.I,
        ),
        # Words that make an opening line a claim worth staying for.
        strong=re.compile(
            r"\b(never|always|every|everyone|nobody|most|only|secret|truth|wrong|myth|mistake|"
            r"surprising|shocking|biggest|smallest|fastest|worst|best|first|last|nothing|"
            r"everything|impossible|actually|really|change|changed|danger|dangerous)\b|\d",
            re.I,
        ),
    ),
    "es": Cues(
        audience=re.compile(
            # Pronouns, and the second person of the verbs a question to the viewer uses
            # (Spanish drops the pronoun: "¿Habías oído…?").
            r"\b(tú|tu|tus|te|ti|contigo|usted|ustedes|vos|nosotros|nos|nuestr\w*|alguien|"
            r"has|sabes|crees|piensas|conoces|recuerdas|puedes|quieres|ves|tienes|\w+ías|"
            r"\w+aste|\w+iste)\b",
            re.I,
        ),
        cta=re.compile(r"\b(suscr[ií]b\w*|suscripci\w*|coment\w*)", re.I),
        weak_opener=re.compile(
            r"^\s*(hola|bienvenid\w*|en este v[ií]deo|hoy (vamos|les|te)|este v[ií]deo)\b", re.I
        ),
        strong=re.compile(
            r"\b(nunca|siempre|todo|todos|nadie|nada|solo|sólo|secreto|verdad|error|mito|"
            r"sorprendente|mayor|menor|peor|mejor|primer\w*|último|imposible|realmente|"
            r"cambi\w*|peligr\w*)\b|\d",
            re.I,
        ),
    ),
    "ja": Cues(
        # Polite questions (…ますか, …ですか) are asked of the listener.
        audience=re.compile(r"あなた|皆さん|みなさん|みんな|ますか|ですか|ませんか|でしょうか"),
        cta=re.compile(r"チャンネル登録|登録|コメント|高評価"),
        weak_opener=re.compile(
            r"^\s*(こんにちは|こんばんは|どうも|はじめまして|今日は|この動画では)"
        ),
        strong=re.compile(
            r"実は|本当|誰も|誰でも|必ず|絶対|決して|秘密|真実|間違い|誤解|驚き|意外|最も|一番|"
            r"初めて|最後|不可能|危険|変わ|\d"
        ),
    ),
}

# What each missing part is called in a recommendation.
_MISSING = {
    "hook": "a short question or bold, specific claim as the hook's first sentence",
    "audience_question": "a direct question to the audience",
    "cta": "a call to action asking viewers to subscribe and comment",
}


class Engagement(BaseModel):
    """Which engaging parts a script has, and the share of them (0, 1/3, 2/3 or 1)."""

    score: float = Field(ge=0, le=1)
    hook: bool
    audience_question: bool
    cta: bool

    @property
    def missing(self) -> list[str]:
        """The absent parts, each as a recommendation names it."""
        present = {"hook": self.hook, "audience_question": self.audience_question, "cta": self.cta}
        return [_MISSING[part] for part, ok in present.items() if not ok]


def reads(tag: str) -> bool:
    """Whether ``engagement`` knows the cues of ``tag``'s language."""
    return language(tag).code in CUES


def engagement(hook: str, rest: list[str], cta: str, tag: str = "en") -> Engagement:
    """Score a script's hook, its question to the audience anywhere after the hook's first
    sentence (``rest`` is the spoken text after the hook: sections, summary, CTA), and its
    call to action, with the cues of ``tag``'s language (``KeyError`` for a language
    ``reads`` does not)."""
    code = language(tag).code
    cues, spaced = CUES[code], language(tag).spaced
    parts = {
        "hook": _strong_opening(hook, cues, spaced),
        "audience_question": _asks_audience(hook, rest, cues, spaced),
        "cta": bool(cues.cta.search(cta)),
    }
    return Engagement(score=round(sum(parts.values()) / len(parts), 4), **parts)


def _sentences(text: str, spaced: bool = True) -> list[str]:
    ends = _SENTENCE_END if spaced else _UNSPACED_END
    return [s.strip() for s in ends.split(text.strip()) if s.strip()]


def _strong_opening(hook: str, cues: Cues, spaced: bool) -> bool:
    """Whether the hook's first sentence is a short question or claim, not a greeting."""
    sentences = _sentences(hook, spaced)
    if not sentences:
        return False
    first = sentences[0]
    long = (
        len(_WORD.findall(first)) > MAX_HOOK_WORDS
        if spaced
        else sum(ch.isalnum() for ch in first) > MAX_HOOK_CHARACTERS
    )
    if cues.weak_opener.search(first) or long:
        return False
    return first.endswith(("?", "!", "？", "！")) or bool(cues.strong.search(first))


def _asks_audience(hook: str, rest: list[str], cues: Cues, spaced: bool) -> bool:
    """Whether a question addressed to the viewer appears beyond the hook's opening line."""
    candidates = _sentences(hook, spaced)[1:] + [
        s for part in rest for s in _sentences(part, spaced)
    ]
    questions = (s for s in candidates if s.rstrip("\"'”’)」』）").endswith(("?", "？")))
    return any(cues.audience.search(s) for s in questions)
