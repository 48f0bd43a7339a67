"""Voice: ElevenLabs, then Google Cloud TTS, then the offline voice; then mastering.

Each paid engine is its own task run, retried by error kind (seed §5.1) with the SDK's own
retries off, and is tried only when configured. An engine over its daily character quota
(or, for ElevenLabs, its subscription's) fails at once with ``CostExceeded``: no retry, the
next engine. Every request is an ``ai_model_performance`` row (characters, latency, cost)
and a row of the video's cost ledger; chunks already paid for are kept in the work folder,
so a retry sends only the missing ones (the worst case an engine is admitted on is the
script's characters once, at its price from the price table; an engine without a price is
skipped as ``unpriced``). Whatever engine spoke, the same mastering makes ``narration.wav``
and the subtitles; the stage's CPU seconds (Piper, FFmpeg) are its compute line.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from tasks.costs import metered
from tasks.fallback import first_success
from tasks.guards import Gate, guarded
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Narration, Script, Stage, Synthesis, VideoJob
from ytempire.providers.catalog import Pricing
from ytempire.resilience import budgets
from ytempire.settings import Settings
from ytempire.voice import quota
from ytempire.voice.assemble import ChunkAudio
from ytempire.voice.chunks import Chunk
from ytempire.voice.narrate import RAW_NAME, finish
from ytempire.voice.offline import offline_voice
from ytempire.voice.profiles import settings_for
from ytempire.voice.synthesis import SpeechEngine, cost_usd, synthesize
from ytempire.workspace import VideoFolder

CHUNK_CACHE = "voice_chunks"


def _speak(
    engine: SpeechEngine,
    daily_quota: int | None,
    job: VideoJob,
    script: Script,
    settings: Settings,
    run_id: uuid.UUID,
) -> Synthesis:
    """Synthesise the script with a paid engine, recording every request it answered."""
    store = AnalyticsStore(settings.analytics_url)
    folder = VideoFolder(settings.workspace, job.video_id)
    provider = engine.name.split(":")[0]

    def record(chunk: Chunk, audio: ChunkAudio) -> None:
        cost = cost_usd(audio.characters, engine.price_per_1k_chars)
        store.record_model_call(
            engine.name,
            quota.OPERATION,
            latency_ms=audio.latency_ms,
            tokens_used=audio.characters,
            cost_usd=cost,
        )
        Ledger(store).record(
            job.video_id,
            run_id,
            Stage.voice,
            engine.name,
            kind="call",
            quantity=audio.characters,
            unit="characters",
            cost_usd=cost,
            note=f"${engine.price_per_1k_chars:g} per 1k characters",
        )

    daily_left = None
    if daily_quota is not None:
        daily_left = daily_quota - quota.characters_used_today(store, provider)
    with guarded(provider, settings):
        return synthesize(
            engine,
            script.blocks(),
            folder.work / RAW_NAME,
            concurrency=settings.voice_concurrency,
            cache_dir=folder.work / CHUNK_CACHE,
            on_chunk=record,
            daily_left=daily_left,
        )


# Side effects (paid calls, files): never served from a cache of another run.
@task(
    name="voice-elevenlabs",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def voice_from_elevenlabs(
    job: VideoJob, script: Script, settings: Settings, run_id: uuid.UUID
) -> Synthesis:
    from ytempire.voice import elevenlabs_tts

    key = settings.elevenlabs_api_key.get_secret_value() if settings.elevenlabs_api_key else None
    client = elevenlabs_tts.make_client(key, settings.elevenlabs_base_url, settings.voice_timeout_s)
    engine = elevenlabs_tts.ElevenLabsEngine(
        client,
        job.voice,
        model=settings.elevenlabs_model,
        output_format=settings.elevenlabs_output_format,
        api_key=key or "",
        price_per_1k_chars=_elevenlabs_price(settings)(),
    )
    return _speak(engine, settings.elevenlabs_daily_chars, job, script, settings, run_id)


@task(
    name="voice-google",
    retries=3,
    retry_delay_seconds=0,
    retry_condition_fn=retry_by_error_kind,
    cache_policy=NO_CACHE,
)
def voice_from_google(
    job: VideoJob, script: Script, settings: Settings, run_id: uuid.UUID
) -> Synthesis:
    from ytempire.voice import google_tts

    key = settings.google_service_account_json
    client = google_tts.make_client(
        credentials_file=settings.google_application_credentials,
        credentials_json=key.get_secret_value() if key else None,
        endpoint=settings.google_tts_endpoint,
    )
    engine = google_tts.GoogleEngine(
        client,
        job.voice,
        timeout_s=settings.voice_timeout_s,
        price_per_1k_chars=_google_price(job, settings)(),
    )
    return _speak(engine, settings.google_tts_daily_chars, job, script, settings, run_id)


@task(name="voice-offline", cache_policy=NO_CACHE)
def voice_offline(job: VideoJob, script: Script, settings: Settings) -> Synthesis:
    """The offline voice for the job's language, profile and accent (``voice.offline``):
    Piper, Kokoro or, last, eSpeak NG; what it could not do as asked is in ``fallbacks``."""
    folder = VideoFolder(settings.workspace, job.video_id)
    chosen = offline_voice(job.language, job.voice, job.accent, settings.piper_voices_dir)
    synthesis = synthesize(chosen.engine, script.blocks(), folder.work / RAW_NAME)
    return synthesis.model_copy(update={"fallbacks": [*chosen.notes]})


@task(name="voice-master", cache_policy=NO_CACHE)
def master_voice(job: VideoJob, synthesis: Synthesis, settings: Settings) -> Narration:
    return finish(
        synthesis,
        VideoFolder(settings.workspace, job.video_id),
        music_dir=settings.music_dir,
        music_below_speech_db=settings.music_below_speech_db,
        max_pause_s=job.max_pause_s,
    )


def _estimate(
    script: Script, price_per_1k_chars: Callable[[], float]
) -> Callable[[], budgets.WorstCase]:
    """The worst case of an engine: the script's characters once at its price (a retry sends
    only the chunks not yet paid for). The price is read when needed; ``Unpriced`` if none."""
    characters = sum(len(block.text) for block in script.blocks())
    return lambda: budgets.WorstCase(budgets.speech_estimate_usd(characters, price_per_1k_chars()))


def _elevenlabs_price(settings: Settings) -> Callable[[], float]:
    return lambda: Pricing(settings).speech_per_1k(f"elevenlabs:{settings.elevenlabs_model}")


def _google_price(job: VideoJob, settings: Settings) -> Callable[[], float]:
    voice = settings_for(job.voice).google_voice
    return lambda: Pricing(settings).speech_per_1k(f"google:{voice}")


def synthesize_voice(
    job: VideoJob, script: Script, settings: Settings, run_id: uuid.UUID
) -> Narration:
    """The voice stage: configured cloud engines in fallback order, then the offline voice
    of the job's language (Piper, Kokoro, eSpeak NG); mastered.

    Each cloud engine is admitted just before it is tried: an open circuit, or a budget that
    the script's characters at its price would break, skips it (``tasks/guards.py``); so a
    long script goes past ElevenLabs when it would take the video over its budget.
    """

    def produce() -> Narration:
        gate = Gate(settings, run_id, job.video_id, Stage.voice)
        candidates: list[tuple[str, Callable[[], State[Any]]]] = []
        if settings.elevenlabs_api_key:
            candidates.append(
                gate.candidate(
                    "elevenlabs",
                    "elevenlabs",
                    _estimate(script, _elevenlabs_price(settings)),
                    lambda: voice_from_elevenlabs(job, script, settings, run_id, return_state=True),
                )
            )
        if settings.google_tts_configured:
            candidates.append(
                gate.candidate(
                    "google",
                    "google",
                    _estimate(script, _google_price(job, settings)),
                    lambda: voice_from_google(job, script, settings, run_id, return_state=True),
                )
            )
        synthesis = first_success(candidates, lambda: voice_offline(job, script, settings))
        return master_voice(job, gate.settle(synthesis), settings)

    folder = VideoFolder(settings.workspace, job.video_id)
    return run_stage(
        Stage.voice,
        run_id,
        settings,
        metered(Stage.voice, job.video_id, run_id, settings, produce),
        folder=folder,
        output_type=Narration,
    )
