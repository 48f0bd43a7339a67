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
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

# What the prompt asks for (the suite's gates are in quality_suites/script.json).
MIN_FLESCH = 60.0
LENGTH_TOLERANCE = 0.10
DENSITY_RANGE = (0.01, 0.03)
MAX_HOOK_WORDS = 25

_WORD = re.compile(r"[\w'’-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_AUDIENCE = re.compile(
    r"\b(you|your|yours|yourself|you're|you've|you'd|you'll|we|us|our|anyone)\b", re.I
)
_WEAK_OPENER = re.compile(
    r"^\s*(hi|hello|hey|welcome|in this video|today,? (we|i)|this video|so,? today)\b", re.I
)
# Words that make an opening line a claim worth staying for.
_STRONG = re.compile(
    r"\b(never|always|every|everyone|nobody|most|only|secret|truth|wrong|myth|mistake|"
    r"surprising|shocking|biggest|smallest|fastest|worst|best|first|last|nothing|everything|"
    r"impossible|actually|really|change|changed|danger|dangerous)\b|\d",
    re.I,
)
_CTA = re.compile(r"\b(subscrib\w*|comment\w*)\b", re.I)

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


def engagement(hook: str, rest: list[str], cta: str) -> Engagement:
    """Score a script's hook, its question to the audience anywhere after the hook's first
    sentence (``rest`` is the spoken text after the hook: sections, summary, CTA), and its
    call to action."""
    parts = {
        "hook": _strong_opening(hook),
        "audience_question": _asks_audience(hook, rest),
        "cta": bool(_CTA.search(cta)),
    }
    return Engagement(score=round(sum(parts.values()) / len(parts), 4), **parts)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _strong_opening(hook: str) -> bool:
    """Whether the hook's first sentence is a short question or claim, not a greeting."""
    sentences = _sentences(hook)
    if not sentences:
        return False
    first = sentences[0]
    if _WEAK_OPENER.search(first) or len(_WORD.findall(first)) > MAX_HOOK_WORDS:
        return False
    return first.endswith(("?", "!")) or bool(_STRONG.search(first))


def _asks_audience(hook: str, rest: list[str]) -> bool:
    """Whether a question addressed to the viewer appears beyond the hook's opening line."""
    candidates = _sentences(hook)[1:] + [s for part in rest for s in _sentences(part)]
    return any(s.rstrip("\"'”’)").endswith("?") and _AUDIENCE.search(s) for s in candidates)
