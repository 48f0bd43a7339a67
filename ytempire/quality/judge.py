"""A judge of substance: what a script says, not only how it reads.

The form checks (readability, engagement, length, keyword density) pass a script that says
nothing: the template writer's generic sentences score 1.0 on them. The judge reads the
script as a viewer would and reports, per spoken minute:

- ``facts_per_minute``: specific, checkable facts (a number, a name, a date, a mechanism);
- ``unsourced_claims_per_minute``: claims a careful viewer would want a source for that the
  script gives none for;
- ``promise_delivered`` (0 to 1): whether the hook and sections deliver what the title
  promises;

with the judge's reasons, which the substance suite (``quality_suites/substance.json``)
quotes in ``quality.json``. With an LLM configured, a chat model judges (one call, asked with
the verdict's JSON schema where the endpoint honours it). A template-written script is scored
for what it is without a call: no facts of its own, no promise delivered, so it can never
pass, and a template-written video is never mistaken for a finished one.
"""

from __future__ import annotations

import json
from typing import Any

from openai import OpenAI
from pydantic import BaseModel, Field, ValidationError

from ytempire.models import Script
from ytempire.providers.catalog import ModelSpec
from ytempire.providers.openai_chat import PROVIDER, ChatCall, SchemaForm, chat_json
from ytempire.resilience.errors import InvalidOutput
from ytempire.script.languages import per_minute, spoken_length
from ytempire.script.template_writer import ENGINE as TEMPLATE_ENGINE

# A judge's verdict should not drift between runs.
TEMPERATURE = 0.0
MAX_TOKENS = 800
# Scripts shorter than this are judged as this long, so one fact is not "6 per minute".
MIN_MINUTES = 0.5
TEMPLATE_REASON = (
    "written by the offline template writer: a fixed outline of generic sentences with no "
    "facts of its own, so it cannot deliver what the title promises"
)

_LIST = {"type": "array", "items": {"type": "string"}}
VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "facts": _LIST,
        "claims_needing_source": _LIST,
        "promise": {"type": "string"},
        "promise_delivered": {"type": "number", "minimum": 0, "maximum": 1},
        "reasons": _LIST,
    },
    "required": ["facts", "claims_needing_source", "promise", "promise_delivered", "reasons"],
}

INSTRUCTIONS = """\
You judge the substance of a video script, not its style. Read it and answer with one JSON
object:
{"facts": [every specific, checkable fact it states: a number, a name, a date, a mechanism;
           generic statements are not facts],
 "claims_needing_source": [claims a careful viewer would want a source for that the script
           does not give one for],
 "promise": "what the title promises the viewer",
 "promise_delivered": a number from 0 (not at all) to 1 (fully): do the hook and the
           sections deliver that promise,
 "reasons": [one to three short sentences that justify promise_delivered]}"""


class Verdict(BaseModel):
    """What the judge found in one script."""

    facts: list[str] = Field(default_factory=list)
    claims_needing_source: list[str] = Field(default_factory=list)
    promise: str = ""
    promise_delivered: float = Field(ge=0, le=1)
    reasons: list[str] = Field(default_factory=list)


def spoken_minutes(script: Script) -> float:
    """How long the script takes to say at the house pace of its language, counted in the
    language's units (never under ``MIN_MINUTES``)."""
    tag = script.language
    return max(MIN_MINUTES, spoken_length(script.spoken_text(), tag) / per_minute(tag))


def messages(script: Script) -> list[dict[str, str]]:
    """The judge's request: the instructions, then the script's title and spoken parts."""
    body = "\n\n".join(
        [
            f"Title: {script.title}",
            f"Hook: {script.hook}",
            *(f"Section {s.heading}: {s.narration}" for s in script.sections),
            f"Summary: {script.summary}",
        ]
    )
    return [
        {"role": "system", "content": INSTRUCTIONS},
        {"role": "user", "content": body},
    ]


def judge(
    client: OpenAI,
    spec: ModelSpec,
    script: Script,
    *,
    structured: SchemaForm | None = None,
    timeout_s: float | None = None,
) -> tuple[Verdict, ChatCall]:
    """The verdict of ``spec``'s model on ``script``, and the call that gave it.

    ``InvalidOutput`` (one line) when the answer is not a verdict; provider errors as they
    come."""
    call = chat_json(
        client,
        spec,
        messages(script),
        temperature=TEMPERATURE,
        max_tokens=MAX_TOKENS,
        schema=VERDICT_SCHEMA if structured else None,
        schema_form=structured or "json_schema",
        timeout_s=timeout_s,
    )
    try:
        verdict = Verdict.model_validate(json.loads(call.text))
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        message = f"{spec.name}: the judge's answer is no verdict: {first}"
        raise InvalidOutput(PROVIDER, message) from None
    return verdict, call


def template_verdict() -> Verdict:
    """The template writer scored for what it is: nothing of substance."""
    return Verdict(promise_delivered=0.0, reasons=[TEMPLATE_REASON])


def is_template(script: Script) -> bool:
    return script.engine == TEMPLATE_ENGINE


def substance_row(script: Script, verdict: Verdict, judged_by: str) -> dict[str, Any]:
    """What the substance suite checks, per spoken minute, with the judge's reasons."""
    minutes = spoken_minutes(script)
    reasons = " ".join(verdict.reasons) or "no reasons given"
    return {
        "facts_per_minute": round(len(verdict.facts) / minutes, 2),
        "unsourced_claims_per_minute": round(len(verdict.claims_needing_source) / minutes, 2),
        "promise_delivered": verdict.promise_delivered,
        "judge": judged_by,
        "judge_reasons": f"{judged_by}: {reasons}",
        "unsourced_claims": "; ".join(verdict.claims_needing_source) or "none",
    }
