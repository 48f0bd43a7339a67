"""The Spanish and Japanese offline writers: complete scripts in their language, in length."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from ytempire.models import ContentType, Delivery, Script, Topic, VideoJob, VoiceProfile
from ytempire.script import languages, phrase_writer
from ytempire.script.compose import write_template_script
from ytempire.script.dialogue import sentences
from ytempire.workspace import VideoFolder

TOPICS = {
    "es": Topic(
        engine="requested",
        title="Cómo se evaporan los agujeros negros",
        keywords=["radiación de hawking", "horizonte de sucesos", "agujeros negros"],
        reason="test",
    ),
    "ja": Topic(
        engine="requested",
        title="ブラックホールはどうやって蒸発するのか",
        keywords=["ホーキング放射", "事象の地平面", "ブラックホール"],
        reason="test",
    ),
}
SPEAKERS = (("Ana", VoiceProfile.professional_female), ("Leo", VoiceProfile.energetic_male))
SPANISH_WORDS = {"el", "la", "de", "que", "y", "en", "los", "se", "es", "por", "una", "lo"}
ENGLISH_WORDS = {"the", "and", "of", "is", "you", "what", "this", "that", "with"}


def write(tmp_path: Path, job: VideoJob) -> Script:
    folder = VideoFolder(tmp_path, job.video_id).create()
    return write_template_script(job, TOPICS[job.language], folder)


def spoken(script: Script) -> str:
    return "\n".join(block.text for block in script.blocks())


def keyword_share(script: Script) -> float:
    """The share of the text the most used keyword takes, in the language's unit."""
    text = spoken(script).lower()
    total = languages.spoken_length(text, script.language)
    if script.language == "ja":
        return max(text.count(k) * len(k) for k in script.keywords) / total
    words = re.findall(r"[\w'’-]+", text)
    return (
        max(
            sum(words[i : i + len(k.split())] == k.split() for i in range(len(words)))
            * len(k.split())
            for k in script.keywords
        )
        / total
    )


@pytest.mark.parametrize("code", ["es", "ja"])
@pytest.mark.parametrize("content_type", list(ContentType))
@pytest.mark.parametrize("minutes", [1, 5])
def test_a_complete_script_in_its_language_within_the_length_target(
    tmp_path: Path, code: str, content_type: ContentType, minutes: int
) -> None:
    job = VideoJob(minutes=minutes, language=code, content_type=content_type)
    script = write(tmp_path, job)
    target = languages.target_length(minutes, code)
    length = languages.spoken_length(spoken(script), code)
    assert abs(length - target) <= 0.1 * target, (length, target)
    assert script.engine == "template" and script.language == code
    assert (script.summary_heading, script.cta_heading) == languages.headings(code)
    assert 3 <= len(script.sections) <= 5
    assert sentences(script.hook, code)[0].endswith(("?", "？"))
    # Even a short script asks the viewer a question in its first section.
    assert any(s.endswith(("?", "？")) for s in sentences(script.sections[0].narration, code))
    for section in script.sections:
        assert section.heading and section.narration
        assert [c.kind for c in section.visual_cues] == ["text_overlay", "stock_footage"]
    assert script.title and script.description and script.tags
    assert 0.005 <= keyword_share(script) <= 0.05
    said = [s.lower() for block in script.blocks() for s in sentences(block.text, code)]
    assert len(said) == len(set(said)), "a sentence is said twice"
    # One narrator keeps its voice's own delivery: an offline voice could not honour another.
    assert {block.delivery for block in script.blocks()} == {None}


def test_spanish_reads_as_spanish(tmp_path: Path) -> None:
    script = write(tmp_path, VideoJob(minutes=2, language="es"))
    words = re.findall(r"[\w'’-]+", spoken(script).lower())
    assert sum(w in SPANISH_WORDS for w in words) > 0.2 * len(words)
    assert not ENGLISH_WORDS.intersection(words)
    assert "¿" in spoken(script) and "suscríbete" in script.cta.lower()
    assert script.title == "Cómo se evaporan los agujeros negros"


def test_japanese_is_kana_and_kanji_with_no_ascii_words(tmp_path: Path) -> None:
    script = write(tmp_path, VideoJob(minutes=2, language="ja"))
    text = spoken(script)
    letters = [ch for ch in text if ch.isalnum()]
    japanese = [ch for ch in letters if re.match(r"[\u3005\u3040-\u30ff\u4e00-\u9fff]", ch)]
    assert len(japanese) == len(letters)
    assert not re.search(r"[A-Za-z]", text)
    assert "です" in text and "ます" in text and "チャンネル登録" in script.cta
    # Sentences end in Japanese punctuation and are not separated by spaces.
    assert " " not in script.hook and script.hook.endswith("。")


@pytest.mark.parametrize("code", ["en", "es", "ja"])
def test_a_dialogue_alternates_its_two_speakers(tmp_path: Path, code: str) -> None:
    topic = TOPICS.get(code, TOPICS["es"].model_copy(update={"title": "How black holes evaporate"}))
    job = VideoJob(
        minutes=1, language=code, content_type=ContentType.entertainment, speakers=SPEAKERS
    )
    folder = VideoFolder(tmp_path, job.video_id).create()
    script = write_template_script(job, topic, folder)
    for section in script.sections:
        speakers = [t.speaker for t in section.turns]
        assert len(speakers) >= 2 and speakers[0] == "Ana"
        assert all(a != b for a, b in itertools.pairwise(speakers))
        assert section.narration == " ".join(t.text for t in section.turns)
    assert "**Ana:**" in script.markdown_path.read_text(encoding="utf-8")
    assert (script.blocks()[0].delivery, script.blocks()[-2].delivery) == (
        Delivery.excited,
        Delivery.calm,
    )


def test_speakers_of_an_educational_video_are_left_out_with_a_note(tmp_path: Path) -> None:
    job = VideoJob(minutes=1, language="es", speakers=SPEAKERS)
    script = write(tmp_path, job)
    assert not any(section.turns for section in script.sections)
    assert script.fallbacks == [
        "speakers: Ana and Leo left out: educational scripts are narrated by one voice "
        "(dialogues are for entertainment and news commentary)"
    ]


def test_the_same_job_gets_the_same_script() -> None:
    topic = TOPICS["ja"]
    first = phrase_writer.write(topic.title, topic.keywords, ContentType.educational, 330, "ja")
    again = phrase_writer.write(topic.title, topic.keywords, ContentType.educational, 330, "ja")
    assert first.hook == again.hook and first.sections == again.sections


def test_a_language_without_a_table_is_refused_in_one_line(tmp_path: Path) -> None:
    job = VideoJob(minutes=1, language="de")
    folder = VideoFolder(tmp_path, job.video_id).create()
    with pytest.raises(languages.NoScriptWriter, match="no offline script writer for 'de'"):
        write_template_script(job, TOPICS["es"], folder)


@pytest.mark.parametrize(
    ("code", "topic", "named"),
    [
        ("es", "La inflación explicada", "la inflación"),
        ("ja", "量子コンピューターとは", "量子コンピューター"),
    ],
)
def test_a_topics_label_is_left_out_where_it_is_named(code: str, topic: str, named: str) -> None:
    written = phrase_writer.write(topic, [], ContentType.educational, 150, code)
    assert named in written.hook and topic not in written.hook
