"""Write a script with one chat model: ask, repair once if unreadable, improve once if weak.

One invocation makes at most four calls: the draft, a repair of it, an improvement with the
failed checks as feedback, and a repair of that. Provider errors (rate limits, timeouts,
quota) propagate untouched: retrying and falling back to another model is the orchestration
layer's decision, made from the error's kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from openai import OpenAI
from pydantic import BaseModel

from ytempire.models import Topic, VideoJob
from ytempire.providers.catalog import ModelSpec, estimate_tokens
from ytempire.providers.openai_chat import ChatCall, chat_json
from ytempire.resilience.errors import InvalidOutput
from ytempire.script.parse import DraftScript, parse_draft, repair_messages
from ytempire.script.prompts import PromptParams, build_messages
from ytempire.script.scoring import ScriptScore, score_script

DRAFT_TEMPERATURE = 0.7
# A repair should change structure, not content.
REPAIR_TEMPERATURE = 0.0
# Characters of JSON answer per target word: ~6 for the narration itself (word, space,
# punctuation), the rest for headings, cues, tags, description and JSON syntax.
ANSWER_CHARS_PER_WORD = 9
ANSWER_HEADROOM = 1.5
ANSWER_FIXED_TOKENS = 400


class LLMScript(BaseModel):
    """The draft kept, who wrote it, every call made for it, their total cost, its score."""

    draft: DraftScript
    model_used: str
    calls: list[ChatCall]
    cost_usd: float
    score: ScriptScore


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

    One call is the usual case. The worst case is four calls, the improvement's prompt
    carrying the previous draft: about four times the first call's bound.
    """
    prompt = "".join(m["content"] for m in build_messages(job, topic, params))
    return estimate_tokens(prompt), max_output_tokens(job, spec)


def write_with_model(
    client: OpenAI,
    spec: ModelSpec,
    job: VideoJob,
    topic: Topic,
    params: PromptParams,
    *,
    on_call: Callable[[ChatCall], None] | None = None,
    quality_floor: float = 0.7,
) -> LLMScript:
    """A scored script from ``spec``'s model, or the provider's error.

    The first draft that cannot be read gets one repair call; still unreadable, this raises
    ``InvalidOutput``. A draft scoring under ``quality_floor`` gets one improvement call
    with the failed checks as feedback, and the better-scoring of the two drafts is kept
    (an improvement that cannot be read even after its repair leaves the first draft).
    ``on_call`` sees every call as it completes, including the ones whose answer is unused.
    """
    calls: list[ChatCall] = []
    max_tokens = max_output_tokens(job, spec)

    def call(messages: list[dict[str, str]], temperature: float) -> ChatCall:
        made = chat_json(client, spec, messages, temperature=temperature, max_tokens=max_tokens)
        calls.append(made)
        if on_call is not None:
            on_call(made)
        return made

    def readable(answer: ChatCall) -> tuple[DraftScript, ChatCall] | InvalidOutput:
        """The draft in ``answer``, else in one repair call's answer, else why there is none."""
        try:
            return parse_draft(answer.text), answer
        except InvalidOutput as exc:
            reason = exc.message
        if answer.finish_reason == "length":
            reason += " (the answer was cut off at the token limit: be more concise)"
        # The repair call's own provider errors propagate like any other call's.
        repaired = call(repair_messages(answer.text, reason), REPAIR_TEMPERATURE)
        try:
            return parse_draft(repaired.text), repaired
        except InvalidOutput as exc:
            return InvalidOutput(
                exc.provider, f"{spec.name}: no valid script after one repair: {exc.message}"
            )

    def scored(draft: DraftScript) -> ScriptScore:
        return score_script(
            draft.hook,
            [s.narration for s in draft.sections],
            draft.summary,
            draft.cta,
            job.target_words,
            topic.keywords,
        )

    first = readable(call(build_messages(job, topic, params), DRAFT_TEMPERATURE))
    if isinstance(first, InvalidOutput):
        raise first
    draft, source = first
    score = scored(draft)

    if score.score < quality_floor:
        improve = build_messages(
            job, topic, params, feedback=score.feedback, previous=draft.model_dump_json()
        )
        second = readable(call(improve, DRAFT_TEMPERATURE))
        # An improvement that stays unreadable leaves the first draft, a usable script.
        if not isinstance(second, InvalidOutput):
            better_score = scored(second[0])
            if better_score.score > score.score:
                (draft, source), score = second, better_score

    return LLMScript(
        draft=draft,
        model_used=source.reported_model or spec.name,
        calls=calls,
        cost_usd=sum(c.cost_usd for c in calls),
        score=score,
    )
