"""Read a model's answer into a draft script, and ask for a repair when it is not one.

Models wrap JSON in code fences or a sentence of prose, name a field slightly differently or
nest the script one level down; ``parse_draft`` accepts all of that. What it cannot read
raises ``InvalidOutput`` with a one-line reason that the repair request sends back.

A dialogue's sections come as ``turns`` (``dialogue_schema``): their narration is the turns'
texts joined, and ``as_dialogue`` checks that the turns are the two speakers', alternating.
Deliveries are hints like visual cues: an unknown one is dropped, not an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from ytempire.learning.prompts import file_prompt, text_of
from ytempire.models import Delivery, Section, VisualCue
from ytempire.resilience.errors import InvalidOutput

PROVIDER = "openai"
# A repair request quotes the bad answer; past this it is cut, to bound the call's cost.
MAX_REPAIR_QUOTE_CHARS = 24_000

# The JSON the model must return (its title and description fields are the title and
# description prompts). The prompt shows it, the repair request repeats it.
OUTPUT_FORMAT = file_prompt("script-output-format").text

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_WORDS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_CUES: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "kind": {"enum": ["stock_footage", "text_overlay", "chart"]},
            "text": {"type": "string"},
            "keywords": _WORDS,
        },
        "required": ["kind"],
    },
}
_DELIVERY: dict[str, Any] = {"enum": [d.value for d in Delivery]}
# OUTPUT_FORMAT as a JSON schema: sent as ``response_format`` ``json_schema`` where the
# endpoint honours it, so grammar-based decoding cannot produce another shape.
SCRIPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": _TEXT,
        "hook": _TEXT,
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "heading": _TEXT,
                    "narration": _TEXT,
                    "visual_cues": _CUES,
                    "delivery": _DELIVERY,
                },
                "required": ["heading", "narration", "visual_cues"],
            },
        },
        "summary": _TEXT,
        "cta": _TEXT,
        "tags": _WORDS,
        "description": {"type": "string"},
    },
    "required": ["title", "hook", "sections", "summary", "cta", "tags", "description"],
}

# One section's narration, when a script is written section by section.
SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "narration": _TEXT,
        "visual_cues": _CUES,
    },
    "required": ["narration", "visual_cues"],
}

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def dialogue_schema(
    speakers: tuple[str, ...], base: dict[str, Any] = SCRIPT_SCHEMA
) -> dict[str, Any]:
    """``base`` (a script's schema) with each section given as turns of ``speakers``."""
    turn = {
        "type": "object",
        "properties": {"speaker": {"enum": list(speakers)}, "text": _TEXT, "delivery": _DELIVERY},
        "required": ["speaker", "text"],
    }
    section = base["properties"]["sections"]["items"]
    properties = {k: v for k, v in section["properties"].items() if k != "narration"}
    turns = {"type": "array", "minItems": 2, "items": turn}
    dialogue = {
        **section,
        "properties": {**properties, "turns": turns},
        "required": ["heading", "turns", "visual_cues"],
    }
    sections = {**base["properties"]["sections"], "items": dialogue}
    return {**base, "properties": {**base["properties"], "sections": sections}}


class DraftScript(BaseModel):
    """A script as the model wrote it, before it becomes a ``Script`` with a file.

    ``keywords``: the script's keywords as the model gives them (a translation's, in its
    language); empty: the topic's."""

    title: str = Field(min_length=1)
    hook: str = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    summary: str = Field(min_length=1)
    cta: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    description: str = ""
    keywords: list[str] = Field(default_factory=list)

    @field_validator("title", "hook", "summary", "cta", "description", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("sections")
    @classmethod
    def _narrated(cls, sections: list[Section]) -> list[Section]:
        for i, section in enumerate(sections):
            if not section.narration.strip():
                raise ValueError(f"section {i + 1} has no narration")
        return sections


def parse_draft(text: str) -> DraftScript:
    """The draft in ``text``, or ``InvalidOutput`` saying in one line why there is none.

    Accepts a bare JSON object, one inside code fences or prose, and a script nested one
    level down (``{"script": {...}}``). Visual cues are hints: one that cannot be read is
    dropped rather than failing the draft.
    """
    data = _find_object(text)
    if data is None:
        raise InvalidOutput(PROVIDER, "the answer contains no JSON object")
    data = _unwrap(data)
    try:
        return DraftScript.model_validate(_normalise(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "draft"
        raise InvalidOutput(
            PROVIDER, f"the JSON is not a valid script: {where}: {error['msg']}"
        ) from None


def parse_section(text: str, heading: str) -> Section:
    """The section ``heading`` whose narration (and cues) ``text`` holds; ``InvalidOutput``
    (one line) when it holds none."""
    data = _find_object(text)
    if data is None:
        raise InvalidOutput(PROVIDER, "the answer contains no JSON object")
    try:
        section = Section.model_validate(_section({**data, "heading": heading}))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "section"
        raise InvalidOutput(PROVIDER, f"not a valid section: {where}: {error['msg']}") from None
    if not section.narration.strip():
        raise InvalidOutput(PROVIDER, "the section has no narration")
    return section


def as_dialogue(draft: DraftScript, speakers: tuple[str, ...]) -> DraftScript:
    """``draft`` when every section is turns of ``speakers`` taking turns (one speaker's
    turns in a row are joined into one); else ``InvalidOutput`` saying where it is not."""
    sections = []
    for i, section in enumerate(draft.sections):
        if not section.turns:
            raise InvalidOutput(PROVIDER, f"section {i + 1} has no turns: write it as dialogue")
        strangers = {t.speaker for t in section.turns} - set(speakers)
        if strangers:
            raise InvalidOutput(
                PROVIDER,
                f"section {i + 1} has turns by {', '.join(sorted(strangers))}: only "
                f"{' and '.join(speakers)} speak",
            )
        turns = [section.turns[0]]
        for turn in section.turns[1:]:
            if turn.speaker == turns[-1].speaker:
                last = turns.pop()
                turn = last.model_copy(update={"text": f"{last.text} {turn.text}"})
            turns.append(turn)
        narration = " ".join(t.text for t in turns)
        sections.append(section.model_copy(update={"turns": turns, "narration": narration}))
    return draft.model_copy(update={"sections": sections})


def repair_messages(
    bad_text: str,
    reason: str,
    texts: Mapping[str, str] | None = None,
    language: str = "English",
) -> list[dict[str, str]]:
    """Messages asking a model to turn ``bad_text`` into the script JSON, fixing ``reason``.

    ``texts``: prompt name → text loaded from the registry (``PromptParams.texts``); the
    repository's files for the names it lacks. ``language``: what the script is written in."""
    quote = bad_text
    if len(quote) > MAX_REPAIR_QUOTE_CHARS:
        quote = quote[:MAX_REPAIR_QUOTE_CHARS] + "\n[… cut]"
    texts = texts or {}
    request = text_of("script-repair", texts).format(
        output_format=text_of("script-output-format", texts),
        reason=reason,
        quote=quote,
        language=language,
    )
    return [
        {"role": "system", "content": text_of("script-repair-role", texts)},
        {"role": "user", "content": request},
    ]


def _find_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text``: whole, fenced, or embedded in prose."""
    candidates = [text.strip(), *(m.group(1).strip() for m in _FENCE.finditer(text))]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _unwrap(data: dict[str, Any]) -> dict[str, Any]:
    """The script itself when a model nested it under a single key such as ``"script"``."""
    if "sections" not in data:
        nested = [v for v in data.values() if isinstance(v, dict) and "sections" in v]
        if len(nested) == 1:
            return nested[0]
    return data


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Forgive the usual near-misses: ``call_to_action``, tags as one string, cue ``type``."""
    data = dict(data)
    for alias in ("call_to_action", "callToAction"):
        if "cta" not in data and alias in data:
            data["cta"] = data.pop(alias)
    if isinstance(data.get("tags"), str):
        data["tags"] = [t.strip() for t in data["tags"].split(",") if t.strip()]
    sections = data.get("sections")
    if isinstance(sections, list):
        data["sections"] = [_section(s) if isinstance(s, dict) else s for s in sections]
    return data


def _section(section: dict[str, Any]) -> dict[str, Any]:
    section = dict(section)
    if "heading" not in section and "title" in section:
        section["heading"] = section.pop("title")
    if "narration" not in section:
        for alias in ("text", "script", "content"):
            if alias in section:
                section["narration"] = section.pop(alias)
                break
    turns = section.get("turns")
    if isinstance(turns, list):
        section["turns"] = [_delivered(t) for t in turns if isinstance(t, dict)]
        if "narration" not in section:
            section["narration"] = " ".join(str(t.get("text", "")) for t in section["turns"])
    section = _delivered(section)
    cues = section.get("visual_cues", section.pop("visuals", []))
    section["visual_cues"] = [c for c in map(_cue, cues if isinstance(cues, list) else []) if c]
    return section


def _delivered(part: dict[str, Any]) -> dict[str, Any]:
    """``part`` with its delivery as a ``Delivery`` value, or without one it does not name."""
    part = dict(part)
    delivery = str(part.pop("delivery", None) or "").strip().lower()
    if delivery in {d.value for d in Delivery}:
        part["delivery"] = delivery
    return part


def _cue(raw: object) -> VisualCue | None:
    if not isinstance(raw, dict):
        return None
    cue = dict(raw)
    if "kind" not in cue and "type" in cue:
        cue["kind"] = cue.pop("type")
    if isinstance(cue.get("keywords"), str):
        cue["keywords"] = [cue["keywords"]]
    try:
        return VisualCue.model_validate(cue)
    except ValidationError:
        return None
