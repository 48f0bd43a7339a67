from __future__ import annotations

import json
from typing import Any

import pytest

from ytempire.resilience.errors import ErrorKind, InvalidOutput
from ytempire.script.parse import OUTPUT_FORMAT, parse_draft, repair_messages


def _draft(**changes: Any) -> dict[str, Any]:
    draft: dict[str, Any] = {
        "title": "Tides",
        "hook": "Why does the sea breathe twice a day?",
        "sections": [
            {
                "heading": "The pull",
                "narration": "The moon pulls on the oceans.",
                "visual_cues": [
                    {"kind": "stock_footage", "keywords": ["ocean", "moon"]},
                    {"kind": "text_overlay", "text": "Gravity"},
                    {"kind": "chart", "chart_type": "line", "data": {"high": 2.0, "low": 0.5}},
                ],
            }
        ],
        "summary": "The moon moves the sea.",
        "cta": "Subscribe for more.",
        "tags": ["tides"],
        "description": "Why tides happen.",
    }
    draft.update(changes)
    return draft


def test_plain_json() -> None:
    draft = parse_draft(json.dumps(_draft()))
    assert draft.title == "Tides"
    cues = draft.sections[0].visual_cues
    assert [c.kind for c in cues] == ["stock_footage", "text_overlay", "chart"]
    assert cues[0].keywords == ["ocean", "moon"]
    assert cues[2].data == {"high": 2.0, "low": 0.5} and cues[2].chart_type == "line"


@pytest.mark.parametrize(
    "wrap",
    [
        "```json\n{}\n```",
        "```\n{}\n```",
        "Here is your script:\n\n```json\n{}\n```\nHope it helps!",
        "Sure! {} Let me know if you want changes.",
    ],
)
def test_fences_and_prose_around_the_object(wrap: str) -> None:
    assert parse_draft(wrap.format(json.dumps(_draft(), indent=2))).title == "Tides"


def test_forgives_near_misses() -> None:
    raw = _draft(tags="tides, moon , ocean")
    raw["call_to_action"] = raw.pop("cta")
    raw["sections"] = [
        {
            "title": "The pull",
            "text": "The moon pulls on the oceans.",
            "visual_cues": [
                {"type": "stock_footage", "keywords": "ocean"},
                {"kind": "hologram"},
                {"kind": "chart", "data": {"a": "not a number"}},
            ],
        }
    ]
    draft = parse_draft(json.dumps({"script": raw}))
    assert draft.cta == "Subscribe for more."
    assert draft.tags == ["tides", "moon", "ocean"]
    section = draft.sections[0]
    assert (section.heading, section.narration) == ("The pull", "The moon pulls on the oceans.")
    # Unreadable cues are hints lost, not a failed draft.
    assert [(c.kind, c.keywords) for c in section.visual_cues] == [("stock_footage", ["ocean"])]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Once upon a time there was no JSON here.", "no JSON object"),
        ('{"title": "Tides", "hook": "x"', "no JSON object"),
        ("[1, 2, 3]", "no JSON object"),
        (json.dumps(_draft(sections=[])), "sections"),
        (json.dumps({k: v for k, v in _draft().items() if k != "hook"}), "hook"),
        (json.dumps(_draft(summary="   ")), "summary"),
        (json.dumps(_draft(sections=[{"heading": "a", "narration": " "}])), "no narration"),
    ],
)
def test_invalid_drafts_raise_invalid_output(text: str, reason: str) -> None:
    with pytest.raises(InvalidOutput, match=reason) as caught:
        parse_draft(text)
    assert caught.value.kind is ErrorKind.invalid_output
    assert caught.value.provider == "openai"
    assert "\n" not in str(caught.value)


def test_repair_messages_quote_the_answer_and_the_reason() -> None:
    messages = repair_messages("not json at all", "the answer contains no JSON object")
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert "not json at all" in user
    assert "the answer contains no JSON object" in user
    assert OUTPUT_FORMAT in user


def test_repair_messages_bound_a_huge_answer() -> None:
    user = repair_messages("x" * 100_000, "cut off")[1]["content"]
    assert len(user) < 30_000
