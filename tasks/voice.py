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

from blocks.channel import remember_cloned_voice
from tasks.costs import metered
from tasks.fallback import first_success
from tasks.guards import Gate, guarded
from tasks.policy import retry_by_error_kind
from tasks.recording import run_stage
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.language import language
from ytempire.models import Narration, Script, Stage, Synthesis, VideoJob, VoiceProfile
from ytempire.providers.catalog import Pricing
from ytempire.resilience import budgets
from ytempire.settings import Settings
from ytempire.voice import cloning, quota
from ytempire.voice.assemble import ChunkAudio
from ytempire.voice.chunks import Chunk
from ytempire.voice.cloud_voices import elevenlabs_voice, google_voice
from ytempire.voice.dialogue import host_profile, speaking
from ytempire.voice.narrate import RAW_NAME, finish
from ytempire.voice.offline import offline_voice
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
    notes: list[str],
) -> Synthesis:
    """Synthesise the script with a paid engine, recording every request it answered;
    ``notes`` (how its voices were chosen) go first in the synthesis' fallbacks."""
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
        synthesis = synthesize(
            engine,
            script.blocks(),
            folder.work / RAW_NAME,
            concurrency=settings.voice_concurrency,
            cache_dir=folder.work / CHUNK_CACHE,
            on_chunk=record,
            daily_left=daily_left,
        )
    return _noted(synthesis, notes)


def _noted(synthesis: Synthesis, notes: list[str]) -> Synthesis:
    """``synthesis`` with ``notes`` (how its voices were chosen; each once) before its own
    fallbacks."""
    return synthesis.model_copy(update={"fallbacks": [*dict.fromkeys(notes), *synthesis.fallbacks]})


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
    notes: list[str] = []
    clone = _channel_clone(
        job,
        lambda name, samples, description: elevenlabs_tts.create_voice(
            client, name, samples, description, secret=key or ""
        ),
        settings,
        notes,
    )

    def engine_for(profile: VoiceProfile, host: bool) -> SpeechEngine:
        voice = elevenlabs_voice(profile, job.language, job.accent)
        if clone is not None and host:
            voice = voice.model_copy(update={"name": clone, "notes": ()})
        notes.extend(voice.notes)
        return elevenlabs_tts.ElevenLabsEngine(
            client,
            profile,
            model=_elevenlabs_model(job, settings),
            output_format=settings.elevenlabs_output_format,
            api_key=key or "",
            price_per_1k_chars=_elevenlabs_price(job, settings)(),
            voice_id=voice.name,
            language_code=voice.language_code,
        )

    engine = speaking(job, engine_for)
    return _speak(engine, settings.elevenlabs_daily_chars, job, script, settings, run_id, notes)


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
    notes: list[str] = []

    def engine_for(profile: VoiceProfile, host: bool) -> SpeechEngine:
        engine = google_tts.GoogleEngine(
            client,
            profile,
            timeout_s=settings.voice_timeout_s,
            price_per_1k_chars=_google_price(job, settings, profile)(),
            language_tag=job.language,
            accent=job.accent,
        )
        notes.extend(engine.notes)
        return engine

    engine = speaking(job, engine_for)
    return _speak(engine, settings.google_tts_daily_chars, job, script, settings, run_id, notes)


@task(name="voice-offline", cache_policy=NO_CACHE)
def voice_offline(job: VideoJob, script: Script, settings: Settings) -> Synthesis:
    """The offline voice for the job's language, profile and accent (``voice.offline``):
    Piper, Kokoro or, last, eSpeak NG; what it could not do as asked is in ``fallbacks``."""
    folder = VideoFolder(settings.workspace, job.video_id)
    notes: list[str] = []

    def engine_for(profile: VoiceProfile, host: bool) -> SpeechEngine:
        chosen = offline_voice(job.language, profile, job.accent, settings.piper_voices_dir)
        notes.extend(chosen.notes)
        return chosen.engine

    synthesis = synthesize(speaking(job, engine_for), script.blocks(), folder.work / RAW_NAME)
    return _noted(synthesis, notes)


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


def _channel_clone(
    job: VideoJob, create: cloning.CreateVoice, settings: Settings, notes: list[str]
) -> str | None:
    """The voice id of the channel's clone (made now if need be, and then kept on its
    ChannelProfile block too); None when the channel gives no voice samples."""
    if not job.voice_samples:
        return None
    clone, created = cloning.channel_voice(
        create,
        job.channel,
        job.voice_samples,
        job.voice_consent,
        settings.workspace,
        job.cloned_voice,
    )
    if created:
        blocked = remember_cloned_voice(job.channel, clone)
        kept = "the workspace" + (" and its ChannelProfile block" if blocked else "")
        notes.append(
            f"elevenlabs: {job.channel}'s voice cloned as {clone.voice_id} (kept in {kept})"
        )
    return clone.voice_id


def _elevenlabs_model(job: VideoJob, settings: Settings) -> str:
    """The setting's model for English, its multilingual model for any other language."""
    if language(job.language).is_english:
        return settings.elevenlabs_model
    return settings.elevenlabs_multilingual_model


def _elevenlabs_price(job: VideoJob, settings: Settings) -> Callable[[], float]:
    model = _elevenlabs_model(job, settings)
    return lambda: Pricing(settings).speech_per_1k(f"elevenlabs:{model}")


def _google_price(
    job: VideoJob, settings: Settings, profile: VoiceProfile | None = None
) -> Callable[[], float]:
    """The price of ``profile``'s Google voice (the host's by default) in the job's locale;
    ``ProviderRejected`` when Google has no voices for the job's language."""
    chosen = profile or host_profile(job)
    return lambda: Pricing(settings).speech_per_1k(
        f"google:{google_voice(chosen, job.language, job.accent).name}"
    )


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
                    _estimate(script, _elevenlabs_price(job, settings)),
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
