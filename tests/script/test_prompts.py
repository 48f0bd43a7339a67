from __future__ import annotations

import json
import re

import pytest

from ytempire.models import ContentType, Topic, VideoJob
from ytempire.script.parse import parse_draft
from ytempire.script.prompts import EXAMPLE, ROLE, TEMPLATES, PromptParams, build_messages

TOPIC = Topic(
    engine="test",
    title="How black holes evaporate",
    keywords=["hawking radiation", "event horizon"],
    reason="searches up 40% this week",
)
PARAMS = PromptParams(
    channel_style="STYLE-X",
    audience="AUDIENCE-X",
    tone="TONE-X",
    humor_level="HUMOR-X",
    cta_position="POSITION-X",
    reference_videos=["REF-A", "REF-B"],
    source_count=7,
    controversy_level=4,
    key_points=["POINT-A", "POINT-B"],
    unique_angle="ANGLE-X",
)
# What each seed template must show, from its own placeholders.
EXPECTED = {
    ContentType.educational: ["STYLE-X", "POSITION-X", "AUDIENCE-X", "TONE-X"],
    ContentType.entertainment: ["HUMOR-X", "STYLE-X", "REF-A, REF-B"],
    ContentType.news_commentary: ["TONE-X", "Reference 7 sources", "4/10", "POINT-A", "ANGLE-X"],
}


def _user(messages: list[dict[str, str]]) -> str:
    return messages[1]["content"]


@pytest.mark.parametrize("content_type", list(ContentType))
def test_every_template_parameter_is_filled(content_type: ContentType) -> None:
    job = VideoJob(minutes=2.5, content_type=content_type)
    messages = build_messages(job, TOPIC, PARAMS)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == ROLE
    user = _user(messages)
    assert "Length: 2.5 minutes (375 words)" in user
    assert "How black holes evaporate" in user
    for value in EXPECTED[content_type]:
        assert value in user
    assert not re.search(r"\{[a-z_]+\}", user), "a placeholder was left unfilled"
    # Every placeholder the seed template names has a value in PromptParams or the job.
    names = set(re.findall(r"\{([a-z_]+)\}", TEMPLATES[content_type]))
    from_job = {"topic", "duration", "length", "word_count", "target_audience"}
    assert names <= from_job | set(PromptParams.model_fields)


def test_prompt_follows_the_seed_frame_and_describes_the_json() -> None:
    user = _user(build_messages(VideoJob(minutes=1), TOPIC, PromptParams()))
    order = ["Context:", "Instructions:", "Constraints:", "Output Format:", "Example (", "Now,"]
    positions = [user.index(part) for part in order]
    assert positions == sorted(positions)
    for key in ('"title"', '"hook"', '"sections"', '"heading"', '"narration"', '"visual_cues"'):
        assert key in user
    for key in ('"summary"', '"cta"', '"tags"', '"description"', "stock_footage", "chart"):
        assert key in user
    assert 'Primary keyword: "hawking radiation"' in user
    assert "135 to 165" in user  # ±10% of 150 words
    assert "searches up 40% this week" in user


def test_defaults_fill_key_points_from_the_topic() -> None:
    job = VideoJob(content_type=ContentType.news_commentary)
    user = _user(build_messages(job, TOPIC, PromptParams()))
    assert "Key points to cover: hawking radiation; event horizon" in user


def test_the_example_is_a_valid_draft() -> None:
    draft = parse_draft(json.dumps(EXAMPLE))
    assert {c.kind for c in draft.sections[0].visual_cues} == {
        "stock_footage",
        "text_overlay",
        "chart",
    }


def test_feedback_replays_the_draft_and_lists_the_failed_checks() -> None:
    feedback = ["Ask the audience a question.", "Write between 135 and 165 words."]
    messages = build_messages(
        VideoJob(), TOPIC, PromptParams(), feedback=feedback, previous='{"title": "Old"}'
    )
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == '{"title": "Old"}'
    for item in feedback:
        assert f"- {item}" in messages[3]["content"]


def test_feedback_without_a_draft_joins_the_request() -> None:
    messages = build_messages(VideoJob(), TOPIC, PromptParams(), feedback=["Be shorter."])
    assert len(messages) == 2
    assert "- Be shorter." in _user(messages)


def test_params_for_a_job_take_its_style_tone_and_audience() -> None:
    job = VideoJob(style="bold captions", tone="upbeat", audience="teenagers")
    params = PromptParams.for_job(job)
    assert (params.channel_style, params.tone, params.audience) == (
        "bold captions",
        "upbeat",
        "teenagers",
    )
    assert PromptParams.for_job(VideoJob()) == PromptParams()
