"""Script writing: the primary model, the fallback model, then the offline template writer.

Each model is its own task run, retried by error kind (seed §5.1) with the SDK's own retries
off, so a provider that fails every call sees at most 4 attempts per model. Models ruled out
by the constraints (cost, latency, quality) or without a price (``unpriced``) are skipped
before any call, and every model passed over is named in the stage's fallbacks.

Every call is a row of the video's cost ledger as it completes, the drafts the script suite
rejects and the repair calls included. A model is admitted only when its worst case fits
the video's budget: 4 attempts × ``CALLS_PER_ATTEMPT`` calls × one call's bound.

The script is written in the job's language. A language with no offline writer and no model
set up fails at once, in one line (``languages.require_writer``). A translated video
(``job.translation_of``) has its source's script translated by the same models, priced and
recorded the same way (operation ``script_translation``); offline, the language's template
writer writes it anew on the topic, and the stage's fallbacks say so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from tasks import costs
from tasks.fallback import first_success
from tasks.guards import Gate, breakers_for, guarded
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire.learning.tracing import traced
from ytempire.models import Script, Stage, Topic, VideoJob
from ytempire.providers import catalog, endpoints, openai_chat, spread
from ytempire.providers.catalog import Pricing
from ytempire.providers.endpoints import EndpointError
from ytempire.providers.openai_chat import ChatCall, make_client
from ytempire.quality import suites
from ytempire.resilience import budgets
from ytempire.script import compose, languages, llm_writer, translate
from ytempire.script.prompts import PromptParams
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

OPERATION = "script_generation"
TRANSLATION = "script_translation"
# The writer's most calls in one attempt: the draft and each regeneration, each with its repair.
CALLS_PER_ATTEMPT = 2 * (1 + llm_writer.REGENERATIONS)


# Side effects (paid calls, files): never served from a cache of another run.
@task(
    name="script-model",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def script_from_model(
    job: VideoJob,
    topic: Topic,
    model: str,
    settings: Settings,
    run_id: uuid.UUID,
    source: Script | None = None,
) -> Script:
    """``model``'s script for ``job``; with ``source``, ``source`` translated."""
    serving = [e for e in endpoints.of_capability(settings, "chat") if e.serves(model)]
    if not serving:
        raise EndpointError(f"no chat endpoint serves model {model!r}")
    # Several local servers of the model: the least loaded, a failing one skipped (spread.py).
    lease = spread.pick(serving, breakers_for(settings))
    endpoint = lease.endpoint
    spec = Pricing(settings).chat(model)
    timeout_s = endpoints.timeout_s(
        endpoint, llm_writer.max_output_tokens(job, spec), settings.script_timeout_s
    )
    client = make_client(endpoint.key, endpoint.base_url, timeout_s)

    operation = OPERATION if source is None else TRANSLATION

    def record(call: ChatCall) -> None:
        lease.measured(call.output_tokens, call.latency_ms / 1000)
        costs.record_chat_call(
            job.video_id, run_id, Stage.script, operation, spec, call, endpoint, settings
        )

    script_suite = suites.load_suite(suites.suite_path(settings.quality_suites_dir, "script"))
    params = PromptParams.from_registry(job, settings, alias=settings.script_prompt_alias)
    with guarded(openai_chat.PROVIDER, settings), lease, traced(settings, job.video_id, "script"):
        if source is None:
            written = llm_writer.write_with_model(
                client,
                spec,
                job,
                topic,
                params,
                script_suite=script_suite,
                on_call=record,
                structured=endpoints.constrained(endpoint),
                timeout_s=timeout_s,
                output_cap=endpoint.max_output_tokens,
            )
        else:
            written = translate.translate(
                client,
                spec,
                job,
                source,
                params,
                script_suite=script_suite,
                on_call=record,
                structured=endpoints.constrained(endpoint),
                timeout_s=timeout_s,
            )
    folder = VideoFolder(settings.workspace, job.video_id)
    return compose.save_llm_script(job, topic, folder, written)


@task(name="script-template", cache_policy=NO_CACHE)
def script_from_template(
    job: VideoJob, topic: Topic, settings: Settings, after_models: bool = False
) -> Script:
    """The language's template writer; for a translated video, a script written anew."""
    folder = VideoFolder(settings.workspace, job.video_id)
    notes = []
    if job.translation_of:
        notes.append(
            f"translation of video {job.translation_of}: no model translated it; the "
            f"{job.language} template writer wrote it anew on the topic {topic.title!r}"
        )
    return compose.write_template_script(job, topic, folder, after_models=after_models, notes=notes)


def worst_case(
    job: VideoJob,
    topic: Topic,
    params: PromptParams,
    spec: catalog.ModelSpec,
    source: Script | None = None,
) -> budgets.WorstCase:
    """The most ``spec`` may cost this stage: every attempt making every call, each call's
    prompt carrying a previous draft as long as the completion cap (and, translating,
    ``source``)."""
    prompt, cap = (
        llm_writer.token_budget(job, topic, params, spec)
        if source is None
        else translate.token_budget(job, source, params, spec)
    )
    return budgets.WorstCase(
        per_call_usd=catalog.cost_usd(spec, prompt + cap, cap),
        calls=CALLS_PER_ATTEMPT,
        attempts=(script_from_model.retries or 0) + 1,
    )


def write_script(job: VideoJob, topic: Topic, settings: Settings, run_id: uuid.UUID) -> Script:
    """The script stage: models in fallback order, then the template writer.

    Each model is admitted just before it is tried: an open ``openai`` circuit or a budget its
    worst case would break skips it (``tasks/guards.py``).
    """
    params = PromptParams.for_job(job)
    source = (
        translate.source_script(settings.workspace, job.translation_of)
        if job.translation_of
        else None
    )
    # Each endpoint is asked what it serves (an unserved name: EndpointError, one line) and
    # whether it honours json_schema; one that cannot be asked is passed over.
    settings, unreachable = endpoints.resolve_chat(settings, settings.script_timeout_s)
    models, skipped = llm_writer.models_to_try(job, topic, params, settings)
    skipped = unreachable + skipped
    llm_configured = bool(models or skipped)
    languages.require_writer(job.language, llm_configured)

    def produce() -> Script:
        gate = Gate(settings, run_id, job.video_id, Stage.script)

        def candidate(spec: catalog.ModelSpec) -> tuple[str, Callable[[], State[Any]]]:
            return gate.candidate(
                spec.name,
                openai_chat.PROVIDER,
                lambda: worst_case(job, topic, params, spec, source),
                lambda: script_from_model(
                    job, topic, spec.name, settings, run_id, source, return_state=True
                ),
            )

        candidates = [candidate(spec) for spec in models]
        written = first_success(
            candidates,
            lambda: script_from_template(job, topic, settings, llm_configured),
            skipped,
        )
        return gate.settle(written)

    return run_stage(
        Stage.script,
        run_id,
        settings,
        produce,
        folder=VideoFolder(settings.workspace, job.video_id),
        output_type=Script,
    )
