"""Engagement: a strong hook, a question to the audience, a call to action."""

from __future__ import annotations

import pytest

from ytempire.script.scoring import engagement

HOOK = "Have you ever wondered how a black hole can shrink? The answer is strange."
SECTION = "This is where hawking radiation comes in. Have you heard of it before? It is small."
CTA = "Subscribe for more, and tell us in the comments what to cover next."


def test_a_script_with_all_three_parts_scores_one() -> None:
    result = engagement(HOOK, [SECTION, CTA], CTA)
    assert result.score == 1.0 and result.missing == []


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
    result = engagement(hook, [SECTION, CTA], CTA)
    assert result.hook is passes
    assert any("hook" in m for m in result.missing) is not passes


def test_audience_question_and_cta() -> None:
    plain = SECTION.replace("Have you heard of it before? ", "")
    # The hook's opening question is the hook's; it does not count as asking the audience.
    result = engagement(HOOK, [plain, "Thanks for watching."], "Thanks for watching.")
    assert (result.audience_question, result.cta) == (False, False)
    assert result.score == pytest.approx(1 / 3, abs=1e-3)
    assert result.missing == [
        "a direct question to the audience",
        "a call to action asking viewers to subscribe and comment",
    ]
    assert engagement(HOOK, [SECTION], "Drop a comment below.").cta


@pytest.mark.parametrize(
    ("tag", "hook", "section", "cta"),
    [
        (
            "es",
            "¿Alguna vez te has preguntado cómo se encoge un agujero negro? Es extraño.",
            "Aquí entra la radiación de Hawking. ¿Habías oído hablar de ella?",
            "Suscríbete y cuéntanos en los comentarios qué quieres ver.",
        ),
        (
            "ja",
            "ブラックホールはどうやって蒸発するのか、知っていますか？答えは意外です。",
            "ここでホーキング放射が登場します。聞いたことはありますか？",
            "チャンネル登録と、コメントをお願いします。",
        ),
    ],
)
def test_engagement_reads_the_scripts_language(tag: str, hook: str, section: str, cta: str) -> None:
    assert engagement(hook, [section, cta], cta, tag).score == 1.0
    assert engagement(hook, [section, cta], cta).score < 1.0  # English cues miss them
    greeting = "こんにちは、今日は宇宙の話です。" if tag == "ja" else "Hola, bienvenidos al canal."
    assert not engagement(greeting, [cta], "", tag).hook
