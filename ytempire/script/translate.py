"""Tell a finished script in another language: a chat model translates it, its shape kept.

A translated video (``VideoJob.translation_of``) is the same video in the job's language: the
same sections in the same order, the same visual cues (kinds, order and chart data), a
dialogue's same turns, speakers and deliveries; only what is read or heard is translated
(title, hook, headings, narration, turns, summary, call to action, text overlays,
description, tags) and the keywords are given as the translation says them, so the script
suite measures density in the new language. Stock footage keywords stay as they were: they
search a footage library.

The request goes through the writer's own path (``llm_writer.write_with_model``): the same
endpoints, structured output with the script's schema (plus ``keywords``), one repair for an
unreadable answer, regenerations with the script suite's failures as feedback. An answer
that changes the shape (a section more or less, a dialogue's turns merged) is unreadable,
so it is repaired, not accepted: ``aligned`` takes the source's structure and the answer's
words. Offline there is nothing to translate with: the script stage writes the video anew with
the language's template writer and says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openai import OpenAI

from ytempire.checkpoints import read_checkpoint
from ytempire.models import Script, Section, Stage, Topic, Turn, VideoJob, VisualCue
from ytempire.providers.catalog import ModelSpec, estimate_tokens
from ytempire.providers.openai_chat import ChatCall, SchemaForm
from ytempire.quality.suites import Suite
from ytempire.resilience.errors import InvalidOutput
from ytempire.script import languages
from ytempire.script.llm_writer import LLMScript, max_output_tokens, write_with_model
from ytempire.script.parse import PROVIDER, SCRIPT_SCHEMA, DraftScript, dialogue_schema, parse_draft
from ytempire.script.prompts import PromptParams
from ytempire.workspace import VideoFolder

_KEYWORDS: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}
# The script's schema with the translated keywords.
TRANSLATION_SCHEMA: dict[str, Any] = {
    **SCRIPT_SCHEMA,
    "properties": {**SCRIPT_SCHEMA["properties"], "keywords": _KEYWORDS},
    "required": [*SCRIPT_SCHEMA["required"], "keywords"],
}


def source_topic(source: Script, source_id: str) -> Topic:
    """The topic a translation is measured against: the source's title and keywords."""
    return Topic(
        engine="translation",
        title=source.title,
        keywords=source.keywords,
        reason=f"translation of video {source_id}",
    )


def speakers_of(source: Script) -> tuple[str, ...]:
    """The dialogue's speakers in the order they first speak; empty for a narrated script."""
    return tuple(dict.fromkeys(t.speaker for s in source.sections for t in s.turns))


def source_json(source: Script) -> str:
    """What the translator is given: every text of ``source``, in the script's JSON shape."""

    def section(s: Section) -> dict[str, Any]:
        said: dict[str, Any] = (
            {"turns": [t.model_dump(exclude_none=True) for t in s.turns]}
            if s.turns
            else {"narration": s.narration}
        )
        cues = [c.model_dump(exclude_defaults=True) | {"kind": c.kind} for c in s.visual_cues]
        delivery = {"delivery": s.delivery.value} if s.delivery else {}
        return {"heading": s.heading, **said, **delivery, "visual_cues": cues}

    script = {
        "title": source.title,
        "hook": source.hook,
        "sections": [section(s) for s in source.sections],
        "summary": source.summary,
        "cta": source.cta,
        "tags": source.tags,
        "description": source.description,
        "keywords": source.keywords,
    }
    return json.dumps(script, ensure_ascii=False, indent=1)


def translation_messages(
    source: Script,
    params: PromptParams,
    feedback: list[str] | None = None,
    previous: str | None = None,
) -> list[dict[str, str]]:
    """The chat messages asking for ``source`` in ``params.language``; with ``feedback``, the
    previous translation replayed and the failed checks listed (as ``build_messages``)."""
    request = params.text("script-translate").format(
        source_language=languages.prompt_name(source.language),
        language=params.language,
        keywords=", ".join(source.keywords) or "none",
        script=source_json(source),
        output_format=params.text("script-output-format"),
    )
    messages = [
        {"role": "system", "content": params.text("script-translate-role")},
        {"role": "user", "content": request},
    ]
    if feedback:
        points = "\n".join(f"- {item}" for item in feedback)
        improve = params.text("script-improvement").format(points=points, language=params.language)
        messages += [
            {"role": "assistant", "content": previous or ""},
            {"role": "user", "content": improve},
        ]
    return messages


def token_budget(
    job: VideoJob, source: Script, params: PromptParams, spec: ModelSpec
) -> tuple[int, int]:
    """(estimated prompt tokens, completion cap) of a translation's first call: the source
    script travels in the prompt, so it is larger than a writing request's."""
    prompt = "".join(m["content"] for m in translation_messages(source, params))
    return estimate_tokens(prompt), max_output_tokens(job, spec)


def aligned(draft: DraftScript, source: Script) -> DraftScript:
    """The translation in ``source``'s shape: its sections, cue kinds, chart data, turns'
    speakers and deliveries, with the translation's words; ``InvalidOutput`` (one line)
    when the shapes differ too much to match (sections, turns or keywords not one for one)."""
    if len(draft.sections) != len(source.sections):
        raise InvalidOutput(
            PROVIDER,
            f"the translation has {len(draft.sections)} sections; the script has "
            f"{len(source.sections)}: translate every section, one for one",
        )
    if source.keywords and len(draft.keywords) != len(source.keywords):
        raise InvalidOutput(
            PROVIDER,
            f'give "keywords": the {len(source.keywords)} keywords '
            f"({', '.join(source.keywords)}) as the translation says them",
        )
    sections = [
        _section(i, said, original)
        for i, (said, original) in enumerate(zip(draft.sections, source.sections, strict=True))
    ]
    return draft.model_copy(update={"sections": sections})


def _section(index: int, said: Section, original: Section) -> Section:
    turns: list[Turn] = []
    if original.turns:
        if len(said.turns) != len(original.turns):
            raise InvalidOutput(
                PROVIDER,
                f"section {index + 1} has {len(said.turns)} turns; the script has "
                f"{len(original.turns)}: translate each turn, one for one",
            )
        turns = [
            mine.model_copy(update={"text": theirs.text})
            for mine, theirs in zip(original.turns, said.turns, strict=True)
        ]
    narration = " ".join(t.text for t in turns) if turns else said.narration
    return original.model_copy(
        update={
            "heading": said.heading,
            "narration": narration,
            "turns": turns,
            "visual_cues": _cues(index, said, original),
        }
    )


def _cues(index: int, said: Section, original: Section) -> list[VisualCue]:
    """The source's cues, each text overlay showing the translation's text overlay of the
    same rank (``InvalidOutput`` when it has fewer); footage cues search with the source's
    keywords and charts keep the source's data."""
    shown = [c.text for c in said.visual_cues if c.kind == "text_overlay" and c.text]
    wanted = [c for c in original.visual_cues if c.kind == "text_overlay" and c.text]
    if len(shown) < len(wanted):
        raise InvalidOutput(
            PROVIDER,
            f"section {index + 1} has {len(shown)} text overlays; the script has "
            f"{len(wanted)}: translate each one, keeping every cue",
        )
    texts = iter(shown)
    return [
        cue.model_copy(update={"text": next(texts)}) if cue in wanted else cue
        for cue in original.visual_cues
    ]


def translate(
    client: OpenAI,
    spec: ModelSpec,
    job: VideoJob,
    source: Script,
    params: PromptParams,
    *,
    script_suite: Suite,
    on_call: Callable[[ChatCall], None] | None = None,
    structured: SchemaForm | None = None,
    timeout_s: float | None = None,
) -> LLMScript:
    """``source`` told in ``job.language`` by ``spec``'s model, passing ``script_suite``, or
    the writer's errors (``InvalidOutput``, ``QualityFailure``, the provider's own)."""
    speakers = speakers_of(source)
    return write_with_model(
        client,
        spec,
        job,
        source_topic(source, job.translation_of or "?"),
        params,
        script_suite=script_suite,
        on_call=on_call,
        structured=structured,
        timeout_s=timeout_s,
        request=lambda feedback, previous: translation_messages(source, params, feedback, previous),
        read=lambda text: aligned(parse_draft(text), source),
        schema=dialogue_schema(speakers, TRANSLATION_SCHEMA) if speakers else TRANSLATION_SCHEMA,
    )


class NoSourceScript(RuntimeError):
    """A translated video whose source has no script to translate; one line."""


def source_script(workspace: Path, video_id: str) -> Script:
    """The script of video ``video_id`` (its script stage's checkpoint in its folder), or
    ``NoSourceScript`` saying where it was looked for."""
    folder = VideoFolder(workspace, video_id)
    script = read_checkpoint(folder, Stage.script, Script)
    if script is None:
        raise NoSourceScript(
            f"video {video_id} has no script to translate (no usable checkpoint at "
            f"{folder.checkpoint(Stage.script.value)}): make the source video first"
        )
    return script
