"""A 0–1 quality score for a written script, with one actionable sentence per failed check.

Four components, after seed §4.1, each scored 0–1 with partial credit, then weighted:

| component | weight | full marks when | no marks at |
|---|---|---|---|
| readability | 0.25 | Flesch reading ease ≥ 60 ("plain English", as in docs/quality.md) | ≤ 30 |
| length | 0.25 | words within ±10% of the target (minutes × 150) | ±50% |
| keyword density | 0.20 | the main keyword is 1–3% of the words (seed: 2%) | 0%, or ≥ 6% |
| engagement | 0.30 | hook, audience question and call to action (0.10 each) | none of them |

Engagement is a heuristic in place of the seed's engagement model: the hook's first sentence
is a question or a strong claim, the script asks the audience at least one question, and the
call to action asks viewers to subscribe or comment.

Partial credit makes drafts comparable (the writer keeps the better one), and keeps the seed's
behaviour that one failed check alone does not fall under the 0.7 regeneration floor while
two do. A check passes only with full marks; each failed check gets one feedback sentence.
"""

from __future__ import annotations

import re

import textstat
from pydantic import BaseModel, Field

from ytempire.quality.script_metrics import keyword_density

WEIGHTS = {"readability": 0.25, "length": 0.25, "keyword_density": 0.20, "engagement": 0.30}

MIN_FLESCH = 60.0
ZERO_FLESCH = 30.0
LENGTH_TOLERANCE = 0.10
ZERO_LENGTH_ERROR = 0.50
DENSITY_RANGE = (0.01, 0.03)
ZERO_DENSITY = 0.06
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


class ScriptScore(BaseModel):
    """A script's quality: the weighted score, each check, the numbers behind them, feedback."""

    score: float = Field(ge=0, le=1)
    checks: dict[str, bool]
    metrics: dict[str, float]
    feedback: list[str] = Field(description="one actionable sentence per failed check")

    @property
    def passed(self) -> bool:
        return all(self.checks.values())


def score_script(
    hook: str,
    sections_text: list[str],
    summary: str,
    cta: str,
    target_words: int,
    keywords: list[str],
) -> ScriptScore:
    """Score the spoken parts of a script against its target length and keywords.

    The text scored is what the narrator says, in order: hook, sections, summary, CTA. With
    no keywords there is nothing to aim the density at, and that check passes.
    """
    text = "\n\n".join([hook, *sections_text, summary, cta])
    words = len(_WORD.findall(text))
    feedback: list[str] = []
    checks: dict[str, bool] = {}

    flesch = float(textstat.flesch_reading_ease(text)) if words else 0.0
    readability = _ramp(flesch, ZERO_FLESCH, MIN_FLESCH)
    checks["readability"] = readability == 1.0
    if not checks["readability"]:
        feedback.append(
            f"Readability is Flesch {flesch:.0f}; aim for {MIN_FLESCH:.0f} or more with "
            "shorter sentences and everyday words."
        )

    ratio = words / target_words if target_words > 0 else 0.0
    error = abs(ratio - 1.0)
    length = _ramp(-error, -ZERO_LENGTH_ERROR, -LENGTH_TOLERANCE)
    checks["length"] = length == 1.0
    if not checks["length"]:
        low = round(target_words * (1 - LENGTH_TOLERANCE))
        high = round(target_words * (1 + LENGTH_TOLERANCE))
        feedback.append(
            f"The spoken text has {words} words; write between {low} and {high} words "
            f"(target {target_words})."
        )

    keyword = max(keywords, key=lambda k: keyword_density(text, k)) if keywords else ""
    density = keyword_density(text, keyword) if keyword else 0.0
    low_d, high_d = DENSITY_RANGE
    if not keyword:
        keyword_score = 1.0
    elif density < low_d:
        keyword_score = density / low_d
    else:
        keyword_score = _ramp(-density, -ZERO_DENSITY, -high_d)
    checks["keyword_density"] = keyword_score == 1.0
    if not checks["keyword_density"]:
        if density < low_d:
            how = f"more: it is only {density:.1%} of the words"
        else:
            how = f"less: at {density:.1%} of the words it reads as stuffing"
        feedback.append(
            f'Use the keyword "{keyword}" {how}; aim for about 2% ({low_d:.0%}–{high_d:.0%}).'
        )

    checks["hook"] = _strong_opening(hook)
    if not checks["hook"]:
        feedback.append(
            "Open the hook with a short question or a bold, specific claim as its very first "
            "sentence, not a greeting."
        )
    checks["audience_question"] = _asks_audience(hook, [*sections_text, summary, cta])
    if not checks["audience_question"]:
        feedback.append(
            "Ask the audience at least one direct question in the script, such as what they "
            "think or have experienced."
        )
    checks["cta"] = bool(_CTA.search(cta))
    if not checks["cta"]:
        feedback.append("End with a call to action that asks viewers to subscribe and comment.")

    engagement = sum(checks[k] for k in ("hook", "audience_question", "cta")) / 3
    components = {
        "readability": readability,
        "length": length,
        "keyword_density": keyword_score,
        "engagement": engagement,
    }
    score = sum(WEIGHTS[name] * value for name, value in components.items())
    metrics = {
        "flesch_reading_ease": round(flesch, 2),
        "words": float(words),
        "target_words": float(target_words),
        "length_ratio": round(ratio, 4),
        "keyword_density": round(density, 4),
        "engagement": round(engagement, 4),
        **{f"{name}_score": round(value, 4) for name, value in components.items()},
    }
    return ScriptScore(
        score=round(min(max(score, 0.0), 1.0), 4), checks=checks, metrics=metrics, feedback=feedback
    )


def _ramp(value: float, zero_at: float, full_at: float) -> float:
    """0 at or below ``zero_at``, 1 at or above ``full_at``, linear between."""
    if value >= full_at:
        return 1.0
    if value <= zero_at:
        return 0.0
    return (value - zero_at) / (full_at - zero_at)


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
