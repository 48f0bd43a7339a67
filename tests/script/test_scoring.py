from __future__ import annotations

import pytest

from ytempire.script.scoring import WEIGHTS, ScriptScore, score_script

KEYWORD = "hawking radiation"
HOOK = "Have you ever wondered how a black hole can shrink? The answer is strange."
CTA = "Subscribe for more, and tell us in the comments what to cover next."
SUMMARY = "So black holes leak. Keep that in mind."
FILLER = "It starts with a simple idea. Most people never think about it. "
SECTION = (
    f"This is where {KEYWORD} comes in. Have you heard of it before? "
    + FILLER * 5
    + f"That is {KEYWORD} at work. "
    + FILLER * 3
)


def _score(
    hook: str = HOOK,
    sections: list[str] | None = None,
    cta: str = CTA,
    target: int | None = None,
    keywords: list[str] | None = None,
) -> ScriptScore:
    sections = [SECTION] if sections is None else sections
    words = len(" ".join([hook, *sections, SUMMARY, cta]).split())
    return score_script(
        hook, sections, SUMMARY, cta, target or words, [KEYWORD] if keywords is None else keywords
    )


def test_weights_sum_to_one() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_good_script_passes_everything() -> None:
    result = _score()
    assert result.checks == {
        "readability": True,
        "length": True,
        "keyword_density": True,
        "hook": True,
        "audience_question": True,
        "cta": True,
    }
    assert result.score == 1.0 and result.passed and result.feedback == []
    assert 0.01 <= result.metrics["keyword_density"] <= 0.03
    assert result.metrics["flesch_reading_ease"] >= 60


def test_length_within_ten_percent() -> None:
    words = _score().metrics["words"]
    assert _score(target=round(words / 1.09)).checks["length"]
    short = _score(target=round(words / 0.8))
    assert not short.checks["length"]
    assert 0 < short.metrics["length_score"] < 1
    assert "words" in short.feedback[0] and "target" in short.feedback[0]


def test_keyword_density_band() -> None:
    absent = _score(keywords=["quantum foam"])
    assert not absent.checks["keyword_density"]
    assert absent.metrics["keyword_density"] == 0
    assert any('"quantum foam" more' in f for f in absent.feedback)

    stuffed = _score(sections=[f"{KEYWORD} is {KEYWORD}. " * 6 + SECTION])
    assert not stuffed.checks["keyword_density"]
    assert any("stuffing" in f for f in stuffed.feedback)

    assert _score(keywords=[]).checks["keyword_density"]


def test_hard_text_fails_readability() -> None:
    dense = (
        "The multifaceted institutional considerations characterizing contemporary "
        "organizational decision-making processes necessitate comprehensive evaluation "
        "methodologies incorporating heterogeneous stakeholder perspectives. "
    ) * 4
    result = _score(sections=[dense + SECTION])
    assert not result.checks["readability"]
    assert any("Flesch" in f for f in result.feedback)


@pytest.mark.parametrize(
    ("hook", "passes"),
    [
        ("What if black holes are not forever?", True),
        ("Black holes are shrinking right now!", True),
        ("Nothing lasts forever, not even a black hole.", True),
        ("In 1974, one physicist proved black holes leak.", True),
        ("Welcome back to the channel! Today we look at black holes.", False),
        ("Hi everyone, what is going on?", False),
        ("Black holes are regions of space.", False),
        ("", False),
    ],
)
def test_hook_needs_a_question_or_a_claim(hook: str, passes: bool) -> None:
    result = _score(hook=hook)
    assert result.checks["hook"] is passes
    assert any("hook" in f for f in result.feedback) is not passes


def test_audience_question_and_cta() -> None:
    plain = SECTION.replace("Have you heard of it before? ", "")
    # The hook's opening question is the hook's; it does not count as asking the audience.
    result = _score(sections=[plain], cta="Thanks for watching.")
    assert not result.checks["audience_question"]
    assert not result.checks["cta"]
    assert result.metrics["engagement"] == pytest.approx(1 / 3, abs=1e-3)
    assert result.score == pytest.approx(1 - WEIGHTS["engagement"] * 2 / 3, abs=1e-3)
    assert len(result.feedback) == 2
    assert _score(cta="Drop a comment below.").checks["cta"]


def test_two_failed_checks_fall_under_the_floor() -> None:
    # One check failed outright stays above 0.7; a second one does not.
    words = _score().metrics["words"]
    one = _score(target=round(words * 3))
    assert one.score >= 0.7
    two = _score(target=round(words * 3), keywords=["quantum foam"])
    assert two.score < 0.7
