from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import textstat

from ytempire.models import ContentType, Topic, VideoJob
from ytempire.quality.script_metrics import keyword_density
from ytempire.script import template_writer
from ytempire.script.compose import tags_for, title_for, write_template_script
from ytempire.settings import DATA_DIR
from ytempire.voice.sentences import split_sentences
from ytempire.workspace import VideoFolder

KEYWORDS = ["hawking radiation", "event horizon", "black holes evaporate"]
TOPIC = "How black holes evaporate"
RELATED = ["hawking radiation", "event horizon", "quantum physics"]
# What the topic stage hands over for the sample trend, plus the topic's single words.
TOPIC_KEYWORDS = [*RELATED, "black holes evaporate", "black", "holes"]
SAMPLE_TOPICS = json.loads((DATA_DIR / "sample_topics.json").read_text())["topics"]


def spoken(pieces: template_writer.TemplateScript) -> str:
    return "\n\n".join(
        [pieces.hook, *(s.narration for s in pieces.sections), pieces.summary, pieces.cta]
    )


def main_density(text: str, keywords: list[str]) -> float:
    """The density the quality report checks: the keyword the script leans on most."""
    return max(keyword_density(text, k) for k in keywords)


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("minutes", [1, 5, 10, 20])
def test_length_is_close_to_150_words_a_minute(content_type: ContentType, minutes: int) -> None:
    pieces = template_writer.write(TOPIC, KEYWORDS, content_type, minutes * 150)
    text = " ".join(
        [pieces.hook, *(s.narration for s in pieces.sections), pieces.summary, pieces.cta]
    )
    words = len(text.split())
    assert abs(words - minutes * 150) <= 0.1 * minutes * 150
    assert 3 <= len(pieces.sections) <= 5
    assert textstat.flesch_reading_ease(text) >= 60


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("minutes", [1, 5, 20])
def test_keyword_density_stays_within_the_quality_rule(
    content_type: ContentType, minutes: int
) -> None:
    pieces = template_writer.write(TOPIC, TOPIC_KEYWORDS, content_type, minutes * 150)
    assert 0.005 <= main_density(spoken(pieces), TOPIC_KEYWORDS) <= 0.03


@pytest.mark.parametrize("content_type", list(ContentType))
def test_no_sentence_is_repeated_in_a_20_minute_script(content_type: ContentType) -> None:
    pieces = template_writer.write(TOPIC, RELATED, content_type, 20 * 150)
    sentences = [s.lower() for s in split_sentences(spoken(pieces))]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated


def test_each_related_keyword_is_introduced_once_then_referred_back_to() -> None:
    pieces = template_writer.write(TOPIC, RELATED, ContentType.educational, 5 * 150)
    defines = tomllib.loads(template_writer.PHRASES_FILE.read_text())["intro"]["define"]
    sentences = [s for section in pieces.sections for s in split_sentences(section.narration)]
    for keyword in RELATED:
        concept = template_writer.Concept.of(keyword)
        introductions = {d.format(**concept.fields()) for d in defines}
        naming = [s for s in sentences if keyword in s.lower()]
        assert naming[0] in introductions, keyword
        assert not introductions.intersection(naming[1:]), keyword
        assert len(naming) >= 2, f"{keyword} is never referred back to"


def frames(node: object) -> list[str]:
    """Every sentence frame in the phrases file (term spellings aside)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [f for item in node for f in frames(item)]
    if isinstance(node, dict):
        return [f for key, item in node.items() if key != "terms" for f in frames(item)]
    return []


@pytest.mark.parametrize("keyword", ["hawking radiation", "central banks"])
def test_every_frame_fills_in_for_singular_and_plural_concepts(keyword: str) -> None:
    phrases = tomllib.loads(template_writer.PHRASES_FILE.read_text())
    c = template_writer.Concept.of(keyword)
    p = template_writer.Concept.of("prices")
    fields = c.fields() | p.fields("p") | {"topic": "how inflation works", "list": "A and B"}
    for frame in frames(phrases):
        text = frame.format(**fields)  # a placeholder nobody fills raises KeyError here
        assert not re.search(r"\d", text), f"a frame must not state figures: {frame}"


def test_related_keywords_keep_their_proper_case() -> None:
    pieces = template_writer.write(TOPIC, RELATED, ContentType.educational, 300)
    text = spoken(pieces)
    assert "Hawking radiation" in text
    assert "hawking" not in text
    assert "the event horizon" in text
    assert template_writer.display("gutenberg") == "Gutenberg"
    assert template_writer.display("mrna") == "mRNA"
    assert template_writer.display("rayleigh scattering") == "Rayleigh scattering"
    assert template_writer.display("roman empire") == "the Roman Empire"


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("minutes", [1, 5, 20])
def test_headings_differ_and_name_their_concepts(content_type: ContentType, minutes: int) -> None:
    pieces = template_writer.write(TOPIC, RELATED, content_type, minutes * 150)
    headings = [s.heading for s in pieces.sections]
    assert len(set(headings)) == len(headings)
    assert headings[0] == template_writer.ARCS[content_type][0][0]
    named = [h for h in headings[1:] if any(k in h.lower() for k in RELATED)]
    assert len(named) == len(headings) - 1, headings


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize(
    "topic", [TOPIC, "Inflation", "Is coffee bad for you", "Compound interest explained"]
)
def test_hook_opens_with_a_question(content_type: ContentType, topic: str) -> None:
    pieces = template_writer.write(topic, RELATED, content_type, 300)
    first = split_sentences(pieces.hook)[0]
    assert first.endswith("?")
    assert len(first.split()) <= 25


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("minutes", [1, 5, 20])
def test_script_asks_the_audience_and_ends_with_subscribe_and_comment(
    content_type: ContentType, minutes: int
) -> None:
    pieces = template_writer.write(TOPIC, RELATED, content_type, minutes * 150)
    asked = [s for sec in pieces.sections for s in split_sentences(sec.narration) if "?" in s]
    assert any(re.search(r"\byou\b", s, re.I) for s in asked)
    assert "subscribe" in pieces.cta.lower() and "comment" in pieces.cta.lower()


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("minutes", [0.1, 1, 5, 20])
def test_summary_names_every_concept(content_type: ContentType, minutes: float) -> None:
    pieces = template_writer.write(TOPIC, RELATED, content_type, round(minutes * 150))
    for keyword in RELATED:
        assert keyword in pieces.summary.lower()


def test_tiny_target_still_has_every_part_each_short() -> None:
    pieces = template_writer.write(TOPIC, RELATED, ContentType.educational, 15)
    parts = [pieces.hook, *(s.narration for s in pieces.sections), pieces.summary, pieces.cta]
    assert len(pieces.sections) == 3
    assert all(0 < len(part.split()) <= 25 for part in parts)
    assert len(spoken(pieces).split()) <= 90


def test_visual_cues_show_the_concept_and_invent_no_data() -> None:
    pieces = template_writer.write(TOPIC, RELATED, ContentType.news_commentary, 750)
    for section in pieces.sections:
        kinds = {cue.kind: cue for cue in section.visual_cues}
        assert set(kinds) == {"text_overlay", "stock_footage"}
        assert 0 < len(kinds["text_overlay"].text) <= 40
        assert any(k in RELATED for k in kinds["stock_footage"].keywords)


@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("trend", SAMPLE_TOPICS, ids=lambda t: t["keyword"])
def test_sample_topics_read_well_and_state_no_numbers(
    content_type: ContentType, trend: dict[str, Any]
) -> None:
    keyword = trend["keyword"]
    keywords = template_writer.keywords_from(keyword, trend["related"])
    pieces = template_writer.write(keyword.capitalize(), keywords, content_type, 750)
    text = spoken(pieces)
    sentences = [s.lower() for s in split_sentences(text)]
    assert abs(len(text.split()) - 750) <= 75
    assert textstat.flesch_reading_ease(text) >= 60
    assert 0.005 <= main_density(text, keywords) <= 0.05
    assert len(set(sentences)) == len(sentences)
    assert not re.search(r"\d", text), "the template writer must not invent figures"


def test_arc_follows_content_type() -> None:
    news = template_writer.write("Inflation", ["central banks"], ContentType.news_commentary, 600)
    fun = template_writer.write("Inflation", ["central banks"], ContentType.entertainment, 600)
    assert news.sections[0].heading == "What happened"
    assert fun.sections[0].heading == "The setup"


def test_short_arcs_keep_their_ending() -> None:
    fun = template_writer.write(TOPIC, RELATED, ContentType.entertainment, 150)
    # Setup, conflict and resolution: a three-section story drops the twist, not the ending.
    assert [s.heading for s in fun.sections] == [
        "The setup",
        "Where the event horizon gets strange",
        "How quantum physics ties it together",
    ]


def test_same_job_same_script_and_keywords_appear() -> None:
    a = template_writer.write(TOPIC, KEYWORDS, ContentType.educational, 300)
    b = template_writer.write(TOPIC, KEYWORDS, ContentType.educational, 300)
    assert [s.narration for s in a.sections] == [s.narration for s in b.sections]
    body = " ".join(s.narration for s in a.sections)
    assert "Hawking radiation" in body or "the event horizon" in body
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
