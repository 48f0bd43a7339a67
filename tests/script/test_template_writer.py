from __future__ import annotations

from pathlib import Path

import pytest
import textstat

from ytempire.models import ContentType, Topic, VideoJob
from ytempire.script import template_writer
from ytempire.script.compose import tags_for, title_for, write_template_script
from ytempire.workspace import VideoFolder

KEYWORDS = ["hawking radiation", "event horizon", "black holes evaporate"]


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("minutes", [1, 5, 10])
def test_length_is_close_to_150_words_a_minute(content_type: ContentType, minutes: int) -> None:
    pieces = template_writer.write(
        "How black holes evaporate", KEYWORDS, content_type, minutes * 150
    )
    text = " ".join(
        [pieces.hook, *(s.narration for s in pieces.sections), pieces.summary, pieces.cta]
    )
    words = len(text.split())
    assert abs(words - minutes * 150) <= 0.1 * minutes * 150
    assert 3 <= len(pieces.sections) <= 5
    assert textstat.flesch_reading_ease(text) >= 60


def test_arc_follows_content_type() -> None:
    news = template_writer.write("Inflation", ["central banks"], ContentType.news_commentary, 600)
    fun = template_writer.write("Inflation", ["central banks"], ContentType.entertainment, 600)
    assert news.sections[0].heading == "What happened"
    assert fun.sections[0].heading == "The setup"


def test_same_job_same_script_and_keywords_appear() -> None:
    a = template_writer.write("How black holes evaporate", KEYWORDS, ContentType.educational, 300)
    b = template_writer.write("How black holes evaporate", KEYWORDS, ContentType.educational, 300)
    assert [s.narration for s in a.sections] == [s.narration for s in b.sections]
    body = " ".join(s.narration for s in a.sections)
    assert "hawking radiation" in body or "event horizon" in body
    assert "how black holes evaporate" in a.hook


def test_keywords_from_topic_prefer_phrases() -> None:
    assert template_writer.keywords_from("How black holes evaporate", ["hawking radiation"]) == [
        "hawking radiation",
        "black holes evaporate",
        "black",
    ]


def test_title_and_tags_respect_youtube_limits() -> None:
    assert title_for("how NASA lands on the moon") == "How NASA Lands on the Moon"
    assert len(title_for("word " * 60)) <= 100
    tags = tags_for([f"keyword number {i}" for i in range(60)], ContentType.educational)
    assert sum(len(t) for t in tags) + len(tags) - 1 <= 500


def test_script_md_is_written(tmp_path: Path) -> None:
    job = VideoJob(topic="How black holes evaporate", minutes=1)
    folder = VideoFolder(tmp_path, job.video_id).create()
    topic = Topic(engine="requested", title=job.topic or "", keywords=KEYWORDS, reason="test")
    script = write_template_script(job, topic, folder)
    text = script.markdown_path.read_text()
    assert script.engine == "template"
    assert text.startswith("# How Black Holes Evaporate")
    assert all(f"## {b.heading}" in text for b in script.blocks())
