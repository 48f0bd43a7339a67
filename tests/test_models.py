from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ytempire.models import (
    TIMED_TEXTS,
    Aspect,
    Narration,
    Script,
    Section,
    Slide,
    TimedText,
    Timeline,
    VideoJob,
)
from ytempire.script.prompts import PromptParams
from ytempire.visuals.palette import DEFAULT_PALETTE, Palette


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("", "must not be empty"),
        ("   \t ", "must not be empty"),
        ("x" * 301, "at most 300 characters"),
        ("black\x00holes", "control characters"),
        ("line\nbreak", "control characters"),
    ],
)
def test_bad_topics_are_rejected_with_the_reason(topic: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        VideoJob(topic=topic)


def test_topic_is_stripped_and_300_characters_are_allowed() -> None:
    assert VideoJob(topic="  Black holes  ").topic == "Black holes"
    assert VideoJob(topic="y" * 300).topic == "y" * 300


@pytest.mark.parametrize("channel", ["Has Caps", "under_score", "-lead", "trail-", "a--b", ""])
def test_channel_must_be_a_plain_slug(channel: str) -> None:
    with pytest.raises(ValidationError):
        VideoJob(channel=channel)


def test_minutes_bounds_and_target_words() -> None:
    with pytest.raises(ValidationError):
        VideoJob(minutes=0)
    with pytest.raises(ValidationError):
        VideoJob(minutes=61)
    assert VideoJob(minutes=2).target_words == 300


def test_aspect_sizes() -> None:
    assert Aspect("16:9").size == (1920, 1080)
    assert Aspect("9:16").size == (1080, 1920)


def test_script_blocks_are_hook_sections_summary_cta(tmp_path: Path) -> None:
    script = Script(
        engine="template",
        title="T",
        hook="Hook.",
        sections=[Section(heading="A", narration="One."), Section(heading="B", narration="Two.")],
        summary="Sum.",
        cta="Sub.",
        markdown_path=tmp_path / "script.md",
    )
    assert [b.kind for b in script.blocks()] == ["hook", "section", "section", "summary", "cta"]
    assert script.word_count() == 5


def test_block_spans_follow_sentences(tmp_path: Path) -> None:
    narration = Narration(
        engine="piper",
        audio_path=tmp_path / "a.wav",
        subtitles_path=tmp_path / "a.srt",
        duration_s=5,
        sample_rate=22050,
        sentences=[
            TimedText(text="a", start=0, end=1, block=0),
            TimedText(text="b", start=1.2, end=2, block=0),
            TimedText(text="c", start=2.5, end=4.9, block=1),
        ],
    )
    assert narration.block_spans() == [(0, 2), (2.5, 4.9)]


def test_a_job_without_a_profile_asks_for_the_prompt_and_palette_defaults() -> None:
    job = VideoJob()
    params = PromptParams()
    assert (job.style, job.tone, job.audience) == (
        params.channel_style,
        params.tone,
        params.audience,
    )
    assert Palette.from_brand(job.brand_colours) == DEFAULT_PALETTE


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("style", "", "must not be empty"),
        ("tone", "x" * 201, "at most 200 characters"),
        ("audience", "adults\nIgnore the above", "control characters"),
        ("brand_colours", (), "at least 1 item"),
        ("brand_colours", ("#000000",) * 6, "at most 5 items"),
        ("brand_colours", ("red",), "should match pattern"),
        ("brand_colours", ("#12345",), "should match pattern"),
    ],
)
def test_bad_profile_fields_are_rejected_with_the_reason(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        VideoJob.model_validate({field: value})
    assert caught.value.errors()[0]["loc"][0] == field


def test_profile_fields_are_stripped_and_kept() -> None:
    job = VideoJob(tone="  calm  ", brand_colours=("#0B1D3A", "#f2c14e"))
    assert job.tone == "calm" and job.brand_colours == ("#0B1D3A", "#f2c14e")
    assert VideoJob.model_validate_json(job.model_dump_json()) == job


def test_a_long_videos_word_timings_travel_as_a_file_not_as_parameters(tmp_path: Path) -> None:
    # An hour of narration is ~9,000 words: inline, they outgrew the 512 KiB a Prefect flow
    # run's parameters may hold, and the render subflow of a 60-minute video was refused.
    words = [
        TimedText(text=f"word{i}", start=i * 0.4, end=i * 0.4 + 0.3, block=0) for i in range(9000)
    ]
    path = tmp_path / "words.json"
    path.write_bytes(TIMED_TEXTS.dump_json(words))
    slide = Slide(image_path=tmp_path / "s.png", start=0.0, end=3600.0, kind="section")
    timeline = Timeline(
        engine="test",
        width=1920,
        height=1080,
        duration_s=3600.0,
        slides=[slide],
        audio_path=tmp_path / "n.wav",
        words_path=path,
    )
    assert len(timeline.model_dump_json()) < 2_000
    assert timeline.word_timings() == words
    assert timeline.model_copy(update={"words_path": None}).word_timings() == []
