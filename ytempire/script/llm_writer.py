"""Write a script with one chat model: ask, repair once if unreadable, regenerate while weak.

Each draft is checked against the script suite (``quality_suites/script.json``), exactly as
the quality stage checks the finished script. A draft that fails it is regenerated with the
failed checks and their recommendations as feedback, at most twice (seed §5.1,
quality_failure); if the last draft still fails, ``QualityFailure`` tells the orchestration
layer to fall back (to the template writer). An unreadable answer gets one repair call; an
unreadable regeneration counts as a failed attempt and the next works from the last
readable draft. One invocation thus makes at most six calls (a draft written section by
section, for an endpoint whose output cap is smaller than the script, takes an outline call
and one call per section instead of one). Where the endpoint honours
``response_format`` ``json_schema``, every call carries the script's schema, so the answer
has the script's shape and needs no repair; a model whose repair echoes its input is not
asked for another.

Every request is in the job's language (``PromptParams.language``), the repair and the
regeneration included; a dialogue job's answer must be the two speakers' turns
(``parse.as_dialogue``; the schema asks for them). ``write_with_model`` also serves the
translator (``ytempire.script.translate``), which brings its own messages and reader.

Provider errors (rate limits, timeouts, quota) propagate untouched: retrying and falling
back to another model is the orchestration layer's decision, made from the error's kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openai import OpenAI
from pydantic import BaseModel

from ytempire.models import QualityCheck, Script, Topic, VideoJob
from ytempire.providers import endpoints
from ytempire.providers.catalog import Constraints, ModelSpec, Pricing, estimate_tokens, route
from ytempire.providers.openai_chat import PROVIDER, ChatCall, SchemaForm, chat_json
from ytempire.quality.report import failures, run_suite, score, script_row
from ytempire.quality.suites import Suite
from ytempire.resilience.errors import InvalidOutput, QualityFailure
from ytempire.script import languages
from ytempire.script.parse import (
    SCRIPT_SCHEMA,
    SECTION_SCHEMA,
    DraftScript,
    as_dialogue,
    dialogue_schema,
    parse_draft,
    parse_section,
    repair_messages,
)
from ytempire.script.prompts import PromptParams, build_messages
from ytempire.settings import Settings

# Seed §5.1: quality_failure → regenerate_with_feedback, retry_count 2, then the template.
REGENERATIONS = 2
# Where an unsaved draft's markdown would be: a name, never written.
UNSAVED = "script.md"
DRAFT_TEMPERATURE = 0.7
# A repair should change structure, not content.
REPAIR_TEMPERATURE = 0.0
# Characters of JSON answer per target word: ~6 for the narration itself (word, space,
# punctuation), the rest for headings, cues, tags, description and JSON syntax.
ANSWER_CHARS_PER_WORD = 9
ANSWER_HEADROOM = 1.5
ANSWER_FIXED_TOKENS = 400
# Written section by section: the outline's request, and each section's.
OUTLINE_ONLY = (
    "Write the outline only now: every field as above, but each section's narration is one "
    "sentence saying what the section covers. The narration is written section by section next."
)
SECTION_ROLE = "You write one section of a video script. You answer with one JSON object only."
SECTION_FORMAT = (
    '{"narration": "everything the narrator says in this section", '
    '"visual_cues": [{"kind": "stock_footage", "keywords": ["search words for footage"]}]}'
)
# The share of the target words the sections say (the hook, summary and CTA say the rest).
SECTIONS_SHARE = 0.85

# What the writer asks for a draft: the feedback of the failed checks and the previous draft's
# JSON (None, None: the first draft) → the chat messages.
Request = Callable[[list[str] | None, str | None], list[dict[str, str]]]


class LLMScript(BaseModel):
    """The draft kept, who wrote it, every call made for it, their total cost, and its
    script-suite checks with their score (the share passed)."""

    draft: DraftScript
    model_used: str
    calls: list[ChatCall]
    cost_usd: float
    checks: list[QualityCheck]
    quality_score: float


def max_output_tokens(job: VideoJob, spec: ModelSpec) -> int:
    """The completion cap sent with each call: room for the script with headroom.

    It bounds what one call can cost, not what it does cost (that comes from usage). It is
    never above the model's own cap, where the catalogue knows it, so the API accepts it.
    """
    expected = estimate_tokens("x" * (job.target_words * ANSWER_CHARS_PER_WORD))
    cap = math.ceil(expected * ANSWER_HEADROOM) + ANSWER_FIXED_TOKENS
    return min(cap, spec.max_output_tokens) if spec.max_output_tokens else cap


def token_budget(
    job: VideoJob, topic: Topic, params: PromptParams, spec: ModelSpec
) -> tuple[int, int]:
    """(estimated prompt tokens, completion cap) of the first call, for ``select_models``.

    One call is the usual case. The worst case is six calls (see the module docstring), each
    regeneration's prompt carrying the previous draft: about six times the first call's bound.
    """
    prompt = "".join(m["content"] for m in build_messages(job, topic, params))
    return estimate_tokens(prompt), max_output_tokens(job, spec)


def models_to_try(
    job: VideoJob, topic: Topic, params: PromptParams, settings: Settings
) -> tuple[list[ModelSpec], list[str]]:
    """The models the script stage tries for ``job``, in order: every chat endpoint's names
    (``ytempire.providers.endpoints``; none when no endpoint is set up), and one line for
    each model the settings' constraints rule out or the price table cannot price
    (``unpriced``; a local endpoint's models are free)."""
    names = endpoints.chat_models(settings)
    if not names:
        return [], []
    constraints = Constraints(
        max_cost_usd=settings.script_max_cost_usd,
        max_latency_ms=settings.script_max_latency_ms,
        min_quality=settings.script_min_quality,
    )
    return route(
        names,
        constraints,
        lambda spec: token_budget(job, topic, params, spec),
        Pricing(settings).chat,
    )


def write_with_model(
    client: OpenAI,
    spec: ModelSpec,
    job: VideoJob,
    topic: Topic,
    params: PromptParams,
    *,
    script_suite: Suite,
    on_call: Callable[[ChatCall], None] | None = None,
    structured: SchemaForm | None = None,
    timeout_s: float | None = None,
    output_cap: int | None = None,
    request: Request | None = None,
    read: Callable[[str], DraftScript] | None = None,
    schema: dict[str, Any] | None = None,
) -> LLMScript:
    """A script from ``spec``'s model that passes ``script_suite``, or an error.

    Raises ``InvalidOutput`` when the first draft cannot be read even after its repair,
    ``QualityFailure`` (naming the failed checks) when no draft passes the suite after
    ``REGENERATIONS`` regenerations with feedback, and the provider's own errors as they
    come. ``on_call`` sees every call as it completes, including the ones whose answer is
    unused. ``structured``: ask with the script's JSON schema, in the form the endpoint
    takes it. ``timeout_s``: each call's timeout, when the endpoint's speed sets it.
    A repair whose answer is its input unchanged is not asked for again. ``output_cap``: the
    endpoint's completion cap; when the script needs more, each draft is written section by
    section (an outline, then one call per section's narration; a dialogue so written is
    narrated, not turns). ``request``, ``read`` and ``schema``: what to ask, how to read the
    answer and its schema, where they are not the script's for ``job`` (a translation).
    """
    if request is None:

        def request(feedback: list[str] | None, previous: str | None) -> list[dict[str, str]]:
            return build_messages(job, topic, params, feedback=feedback, previous=previous)

    if read is None:
        speakers = params.speakers
        read = (lambda text: as_dialogue(parse_draft(text), speakers)) if speakers else parse_draft
    if schema is None:
        schema = dialogue_schema(params.speakers) if params.speakers else SCRIPT_SCHEMA
    calls: list[ChatCall] = []
    max_tokens = max_output_tokens(job, spec)
    sectioned = output_cap is not None and max_tokens > output_cap
    if output_cap is not None:
        max_tokens = min(max_tokens, output_cap)
    reader = parse_draft if sectioned else read
    repairs_echo = False

    def call(
        messages: list[dict[str, str]], temperature: float, shape: dict[str, Any] = schema
    ) -> ChatCall:
        made = chat_json(
            client,
            spec,
            messages,
            temperature=temperature,
            max_tokens=max_tokens,
            schema=shape if structured else None,
            schema_form=structured or "json_schema",
            timeout_s=timeout_s,
        )
        calls.append(made)
        if on_call is not None:
            on_call(made)
        return made

    def readable(answer: ChatCall) -> tuple[DraftScript, ChatCall] | InvalidOutput:
        """The draft in ``answer``, else in one repair call's answer, else why there is none."""
        nonlocal repairs_echo
        try:
            return reader(answer.text), answer
        except InvalidOutput as exc:
            reason = exc.message
        if answer.finish_reason == "length":
            reason += " (the answer was cut off at the token limit: be more concise)"
        if repairs_echo:
            return InvalidOutput(
                PROVIDER, f"{spec.name}: {reason} (not repaired: its repairs change nothing)"
            )
        # The repair call's own provider errors propagate like any other call's.
        repair = repair_messages(answer.text, reason, params.texts, params.language)
        repaired = call(repair, REPAIR_TEMPERATURE)
        repairs_echo = repaired.text.strip() == answer.text.strip()
        try:
            return reader(repaired.text), repaired
        except InvalidOutput as exc:
            return InvalidOutput(
                exc.provider, f"{spec.name}: no valid script after one repair: {exc.message}"
            )

    def drafted(messages: list[dict[str, str]]) -> tuple[DraftScript, ChatCall] | InvalidOutput:
        """A draft: in one answer, or (``sectioned``) an outline and then each section."""
        if not sectioned:
            return readable(call(messages, DRAFT_TEMPERATURE))
        outlined = readable(call(outline_messages(messages), DRAFT_TEMPERATURE))
        if isinstance(outlined, InvalidOutput):
            return outlined
        outline, source = outlined
        words = section_words(job, len(outline.sections))
        sections = []
        for index, planned in enumerate(outline.sections):
            answer = call(
                section_messages(outline, index, words, params), DRAFT_TEMPERATURE, SECTION_SCHEMA
            )
            try:
                sections.append(parse_section(answer.text, planned.heading))
            except InvalidOutput as exc:
                return InvalidOutput(
                    exc.provider, f"{spec.name}: section {index + 1}: {exc.message}"
                )
        return outline.model_copy(update={"sections": sections}), source

    target = languages.target_length(job.minutes, job.language)

    def judged(draft: DraftScript) -> list[QualityCheck]:
        script = as_script(draft, spec.name, topic, job.language)
        return run_suite(script_suite, ["script"], [script_row(script, target)])

    first = drafted(request(None, None))
    if isinstance(first, InvalidOutput):
        raise first
    (draft, source), checks = first, judged(first[0])
    for _ in range(REGENERATIONS):
        if not failures(checks):
            break
        feedback = [c.line() for c in failures(checks)]
        regenerated = drafted(request(feedback, draft.model_dump_json()))
        if not isinstance(regenerated, InvalidOutput):
            (draft, source), checks = regenerated, judged(regenerated[0])

    if failures(checks):
        failed = ", ".join(f"{c.name} = {c.value} ({c.expectation})" for c in failures(checks))
        raise QualityFailure(
            spec.name,
            f"no script passed the script suite after {REGENERATIONS} regenerations with "
            f"feedback: {failed}",
        )
    return LLMScript(
        draft=draft,
        model_used=source.reported_model or spec.name,
        calls=calls,
        cost_usd=sum(c.cost_usd for c in calls),
        checks=checks,
        quality_score=score(checks),
    )


def outline_messages(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """``messages`` asking for the outline only: the narration comes section by section."""
    last = messages[-1]
    return [*messages[:-1], {**last, "content": f"{last['content']}\n\n{OUTLINE_ONLY}"}]


def section_words(job: VideoJob, sections: int) -> int:
    """How many words (characters, in a language without spaces) each of ``sections``
    sections says, the hook, summary and call to action taking their share of the target."""
    target = languages.target_length(job.minutes, job.language)
    return max(1, round(target * SECTIONS_SHARE / max(1, sections)))


def section_messages(
    outline: DraftScript, index: int, words: int, params: PromptParams | None = None
) -> list[dict[str, str]]:
    """The request for section ``index``'s narration, with the outline around it, in
    ``params``' language and length unit (English words without them)."""
    params = params or PromptParams()
    section = outline.sections[index]
    headings = "; ".join(s.heading for s in outline.sections)
    language = "" if params.language == "English" else f" in {params.language}"
    request = (
        f"Video title: {outline.title}\nHook: {outline.hook}\nSections: {headings}\n\n"
        f"Write the narration of section {index + 1} of {len(outline.sections)}{language}, "
        f'"{section.heading}" ({words} {params.length_unit}). It covers: {section.narration}\n'
        f"Return only this JSON object: {SECTION_FORMAT}"
    )
    return [
        {"role": "system", "content": SECTION_ROLE},
        {"role": "user", "content": request},
    ]


def as_script(draft: DraftScript, engine: str, topic: Topic, language: str = "en") -> Script:
    """The draft as the ``Script`` it would become, unsaved (its markdown path is nominal),
    so that it is measured exactly as the quality stage measures finished scripts."""
    return Script(
        engine=engine,
        title=draft.title,
        hook=draft.hook,
        sections=draft.sections,
        summary=draft.summary,
        cta=draft.cta,
        keywords=draft.keywords or topic.keywords,
        markdown_path=Path(UNSAVED),
        language=language,
    )
