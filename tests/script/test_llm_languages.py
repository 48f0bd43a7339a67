"""The writer and the translator in other languages, through the real SDK and a local
OpenAI-compatible server."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from tests.script.test_llm_writer import SPEC, TOPIC
from tests.servers.openai_compatible import LOW_QUALITY, OpenAICompatibleServer
from ytempire.models import ContentType, Script, VideoJob, VisualCue, VoiceProfile
from ytempire.providers.openai_chat import make_client
from ytempire.quality.suites import Suite
from ytempire.resilience.errors import InvalidOutput
from ytempire.script import compose, translate
from ytempire.script.llm_writer import write_with_model
from ytempire.script.parse import DraftScript, as_dialogue, parse_draft
from ytempire.script.prompts import PromptParams
from ytempire.workspace import VideoFolder

SPANISH = VideoJob(minutes=1, language="es")
SPEAKERS = (("Ana", VoiceProfile.professional_female), ("Leo", VoiceProfile.energetic_male))


def _client(server: OpenAICompatibleServer):  # type: ignore[no-untyped-def]
    return make_client("sk-test-key", server.url, timeout_s=5)


def _saved(tmp_path: Path, job: VideoJob, server: OpenAICompatibleServer, suite: Suite) -> Script:
    params = PromptParams.for_job(job)
    written = write_with_model(
        _client(server), SPEC, job, TOPIC, params, script_suite=suite, structured="json_schema"
    )
    folder = VideoFolder(tmp_path, job.video_id).create()
    return compose.save_llm_script(job, TOPIC, folder, written)


def test_a_spanish_job_sends_spanish_instructions_and_gets_a_spanish_script(
    tmp_path: Path, server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    script = _saved(tmp_path, SPANISH, server, script_suite)
    (request,) = server.requests
    user = request.messages[1]["content"]
    assert "- Language: Spanish" in user and "Write in Spanish." in user
    assert "Everything the viewer reads or hears is in Spanish" in user
    assert "Length: 1 minutes (150 words)" in user
    assert script.language == "es"
    assert (script.summary_heading, script.cta_heading) == ("En resumen", "Suscríbete")
    assert script.hook.startswith("¿") and "suscríbete" in script.cta
    assert script.title == "Cómo funciona hawking radiation"  # no English title case
    assert "educational" not in script.tags


def test_a_japanese_prompt_counts_characters(server: OpenAICompatibleServer) -> None:
    from ytempire.script.prompts import build_messages

    job = VideoJob(minutes=2, language="ja")
    user = build_messages(job, TOPIC, PromptParams.for_job(job))[1]["content"]
    assert "- Language: Japanese" in user and "(660 characters)" in user
    assert "Spoken characters (not counting punctuation) in total" in user


def test_a_brazilian_job_names_the_regional_variety() -> None:
    params = PromptParams.for_job(VideoJob(language="pt-BR"))
    assert params.language == "Portuguese as spoken in Brazil (pt-BR)"


def test_the_repair_and_the_regeneration_ask_in_the_language(
    server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    server.queue("garbage", "ok", "low_quality", "ok")
    client = _client(server)
    params = PromptParams.for_job(SPANISH)
    write_with_model(client, SPEC, SPANISH, TOPIC, params, script_suite=script_suite)
    repair = server.requests[1].text
    assert "language (Spanish)" in repair
    server.requests.clear()
    write_with_model(client, SPEC, SPANISH, TOPIC, params, script_suite=script_suite)
    assert len(server.requests) == 2
    assert "Keep every text in Spanish." in server.requests[1].messages[-1]["content"]


def test_a_dialogue_job_asks_for_turns_and_gets_them_alternating(
    tmp_path: Path, server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    job = VideoJob(minutes=1, content_type=ContentType.entertainment, speakers=SPEAKERS)
    script = _saved(tmp_path, job, server, script_suite)
    request = server.requests[0]
    assert "- Speakers: Ana, Leo (a dialogue)" in request.text
    assert "a dialogue between two hosts, Ana and Leo" in request.text
    turn = request.schema["properties"]["sections"]["items"]["properties"]["turns"]["items"]
    assert turn["properties"]["speaker"] == {"enum": ["Ana", "Leo"]}
    for section in script.sections:
        speakers = [t.speaker for t in section.turns]
        assert speakers[:2] == ["Ana", "Leo"]
        assert all(a != b for a, b in itertools.pairwise(speakers))
        assert section.narration == " ".join(t.text for t in section.turns)
    assert {t.delivery for s in script.sections for t in s.turns} == {None, "excited"}


def test_turns_are_checked_and_one_speakers_turns_in_a_row_joined() -> None:
    turns = [
        {"speaker": "Ana", "text": "Hola."},
        {"speaker": "Ana", "text": "¿Empezamos?"},
        {"speaker": "Leo", "text": "Sí.", "delivery": "Excited"},
    ]
    dialogue = {**LOW_QUALITY, "sections": [{"heading": "A", "turns": turns}]}
    draft = parse_draft(json.dumps(dialogue))
    told = as_dialogue(draft, ("Ana", "Leo")).sections[0]
    assert [(t.speaker, t.text) for t in told.turns] == [
        ("Ana", "Hola. ¿Empezamos?"),
        ("Leo", "Sí."),
    ]
    assert told.turns[1].delivery == "excited" and told.narration == "Hola. ¿Empezamos? Sí."
    with pytest.raises(InvalidOutput, match="turns by Leo: only Ana and Eve speak"):
        as_dialogue(draft, ("Ana", "Eve"))
    narrated = parse_draft(json.dumps(LOW_QUALITY))
    with pytest.raises(InvalidOutput, match="section 1 has no turns"):
        as_dialogue(narrated, ("Ana", "Leo"))


def _english_source(tmp_path: Path, server: OpenAICompatibleServer, suite: Suite) -> Script:
    job = VideoJob(minutes=1)
    return _saved(tmp_path, job, server, suite)


def test_a_translation_request_carries_the_source_script_and_the_target_language(
    tmp_path: Path, server: OpenAICompatibleServer, script_suite: Suite
) -> None:
    source = _english_source(tmp_path, server, script_suite)
    server.requests.clear()
    job = VideoJob(minutes=1, language="es", translation_of=VideoJob().video_id)
    params = PromptParams.for_job(job)
    written = translate.translate(
        _client(server),
        SPEC,
        job,
        source,
        params,
        script_suite=script_suite,
        structured="json_schema",
    )
    (request,) = server.requests
    assert request.messages[0]["content"].startswith("You are a professional translator")
    user = request.messages[1]["content"]
    assert "from English into Spanish" in user
    assert source.sections[0].narration in user and source.hook in user
    assert "keywords" in request.schema["required"]
    draft = written.draft
    assert len(draft.sections) == len(source.sections)
    for mine, theirs in zip(draft.sections, source.sections, strict=True):
        assert [c.kind for c in mine.visual_cues] == [c.kind for c in theirs.visual_cues]
        assert [c.data for c in mine.visual_cues] == [c.data for c in theirs.visual_cues]
        assert mine.narration != theirs.narration
        overlays = [c.text for c in mine.visual_cues if c.kind == "text_overlay"]
        assert overlays and all(text.startswith("Parte ") for text in overlays)
    assert draft.hook.startswith("¿") and draft.keywords == source.keywords
    folder = VideoFolder(tmp_path, job.video_id).create()
    saved = compose.save_llm_script(job, translate.source_topic(source, "x"), folder, written)
    assert saved.language == "es" and saved.cta_heading == "Suscríbete"


def test_a_translation_that_drops_a_section_is_refused(tmp_path: Path) -> None:
    source = Script.model_validate_json(
        json.dumps(
            {
                "engine": "gpt-4o",
                "title": "T",
                "hook": "Why?",
                "sections": [
                    {"heading": "A", "narration": "One."},
                    {"heading": "B", "narration": "Two."},
                ],
                "summary": "S.",
                "cta": "Subscribe.",
                "markdown_path": str(tmp_path / "script.md"),
            }
        )
    )
    draft = DraftScript(
        title="T",
        hook="¿Por qué?",
        sections=[{"heading": "A", "narration": "Uno."}],  # type: ignore[list-item]
        summary="S.",
        cta="Suscríbete.",
    )
    with pytest.raises(InvalidOutput, match="has 1 sections; the script has 2"):
        translate.aligned(draft, source)
    overlay = {"kind": "text_overlay", "text": "Two"}
    source.sections[1].visual_cues.append(VisualCue.model_validate(overlay))
    both = draft.model_copy(update={"sections": [*draft.sections, source.sections[0]]})
    with pytest.raises(InvalidOutput, match="section 2 has 0 text overlays; the script has 1"):
        translate.aligned(both, source)
