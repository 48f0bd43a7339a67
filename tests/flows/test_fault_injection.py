"""Fault injection: twenty videos' provider-facing stages against servers that fail at set rates.

What it covers: for each of 20 videos, a flow runs the stages that call providers, the real
stage functions with their retries, circuit breakers, budgets and fallback chains:
trends → topic (offline) → script (OpenAI chat: gpt-4-turbo, gpt-3.5-turbo, then the
template) → voice (ElevenLabs, then Google TTS, then Piper; mastered) → thumbnail pictures
(the two DALL·E pictures of ``make_thumbnails``, recorded as the thumbnails stage; a layout
without one is left to the Pillow templates). Drawing the thumbnails, visuals, render,
quality, upload and tracking are left out: they call no provider, and a full render costs
15–25 s a video here.

The local servers answer OpenAI chat, OpenAI images and ElevenLabs requests with 429s, 500s,
timeouts (a hang past the client's timeout) and garbage (prose for JSON, bytes that are no
picture, audio that is no audio) at the rates below, drawn from fixed seeds; Google TTS fails
now and then too. Retry waits are scaled down to 1%. Client timeouts are a few seconds, long
enough that a slow good answer on a loaded machine does not read as one.

It checks that at least 95% of the videos complete, and that every fallback is recorded: each
completed stage's ``ai_pipeline_events`` row names, in order, every engine passed over before
the one that produced it, and a thumbnail layout without its DALL·E picture says why.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from prefect import flow
from prefect.runtime import flow_run

from tasks.guards import Gate
from tasks.recording import run_stage
from tasks.script import write_script
from tasks.thumbnails import GeneratedPictures, ask_for_pictures
from tasks.topic import select_topic
from tasks.trends import detect_trends
from tasks.voice import synthesize_voice
from tests.servers.elevenlabs import KEY as ELEVENLABS_KEY
from tests.servers.elevenlabs import ElevenLabsServer
from tests.servers.google_tts import GoogleTTSServer
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import PipelineEvent
from ytempire.models import Stage, VideoJob
from ytempire.settings import Settings
from ytempire.visuals.thumbnails import GENERATED_LAYOUTS
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

VIDEOS = 20
CHAT_FAULTS = {"429": 0.1, "500": 0.1, "timeout": 0.05, "garbage": 0.05}
IMAGE_FAULTS = {"429": 0.1, "500": 0.1, "timeout": 0.05, "not_image": 0.05}
# A voice attempt sends several chunks at once, so one hang stalls it: fewer of those.
VOICE_FAULTS = {"429": 0.1, "500": 0.1, "timeout": 0.02, "garbage": 0.05}
GOOGLE_FAULTS = {"500": 0.05}
TOPICS = [
    "How black holes evaporate",
    "Why the sky is blue",
    "How vaccines train the immune system",
    "Why bridges sway in the wind",
    "How batteries store energy",
]


@flow(name="provider-stages", flow_run_name="provider-stages-{job.video_id}")
def provider_stages(job: VideoJob) -> GeneratedPictures:
    """The provider-facing stages of ``make_video``, in its order."""
    settings = Settings()
    run_id = uuid.UUID(flow_run.id)
    VideoFolder(settings.workspace, job.video_id).create()
    trends = detect_trends(job, settings, run_id)
    topic = select_topic(job, trends, settings, run_id)
    script = write_script(job, topic, settings, run_id)
    synthesize_voice(job, script, settings, run_id)

    def pictures() -> GeneratedPictures:
        gate = Gate(settings, run_id, job.video_id, Stage.thumbnails)
        return gate.settle(ask_for_pictures(job, script.title, settings, gate)())

    return run_stage(Stage.thumbnails, run_id, settings, pictures)


@pytest.fixture
def servers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    openai_server: OpenAICompatibleServer,
    elevenlabs_server: ElevenLabsServer,
    google_tts_server: GoogleTTSServer,
) -> tuple[OpenAICompatibleServer, ElevenLabsServer, GoogleTTSServer]:
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "YTEMPIRE_MUSIC_DIR", "YOUTUBE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "YTEMPIRE_WORKSPACE": str(tmp_path / "runs"),
        "YTEMPIRE_RETRY_DELAY_SCALE": "0.01",
        "OPENAI_API_KEY": "sk-test-FAULTINJECTIONKEY0123456789",
        "OPENAI_BASE_URL": openai_server.url,
        "ELEVENLABS_API_KEY": ELEVENLABS_KEY,
        "YTEMPIRE_ELEVENLABS_BASE_URL": elevenlabs_server.url,
        "YTEMPIRE_GOOGLE_TTS_ENDPOINT": google_tts_server.url,
        "YTEMPIRE_SCRIPT_TIMEOUT_S": "4",
        "YTEMPIRE_VOICE_TIMEOUT_S": "6",
        "YTEMPIRE_THUMBNAIL_TIMEOUT_S": "4",
        "YTEMPIRE_THUMBNAIL_IMAGE_SIZE": "1024x1024",
        # WAV: the fake server need not encode MP3 for every chunk, nor we decode it.
        "YTEMPIRE_ELEVENLABS_OUTPUT_FORMAT": "wav_24000",
        # Room for every engine's worst case (gpt-4-turbo: 4 attempts × 6 calls; both
        # pictures: 4 attempts each), so the faults, not the budget, decide the fallbacks.
        "YTEMPIRE_VIDEO_BUDGET_USD": "5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    openai_server.hang_s = 5
    elevenlabs_server.hang_s = 7
    # The first picture of a size is drawn (slowly) then kept: draw it before the clock runs.
    with httpx.Client(base_url=openai_server.url) as client:
        client.post("/images/generations", json={"prompt": "warm up", "size": "1024x1024"})
    openai_server.fail_at_rates(CHAT_FAULTS, seed=1)
    openai_server.fail_images_at_rates(IMAGE_FAULTS, seed=2)
    elevenlabs_server.fail_at_rates(VOICE_FAULTS, seed=3)
    google_tts_server.fail_at_rates(GOOGLE_FAULTS, seed=4)
    return openai_server, elevenlabs_server, google_tts_server


# What each stage tries, in order; the last is its offline last resort.
CHAINS = {
    "script": ["gpt-4-turbo", "gpt-3.5-turbo", "template"],
    "voice": ["elevenlabs", "google", "piper"],
}


def engine_family(stage: str, engine: str) -> str:
    return next(name for name in CHAINS[stage] if engine.startswith(name))


def check_chain_recorded(event: PipelineEvent) -> list[str]:
    """The fallback lines of a completed script or voice stage, checked to name every engine
    tried before the winner, in order, and nothing else."""
    chain = CHAINS[event.stage]
    winner = engine_family(event.stage, event.model_used or "")
    lines = event.error_message.split("; ") if event.error_message else []
    passed_over = [line.split(" ", 1)[0] for line in lines]
    assert passed_over == chain[: chain.index(winner)], (event.stage, lines)
    assert all(" failed: " in line or " skipped: " in line for line in lines), lines
    return lines


def check_pictures_recorded(pictures: GeneratedPictures, event: PipelineEvent) -> list[str]:
    """Every layout without its DALL·E picture is named in the stage's fallbacks."""
    generated = set(pictures.paths)
    lines = event.error_message.split("; ") if event.error_message else []
    missing = [layout for layout in GENERATED_LAYOUTS if layout not in generated]
    named = sorted(line.split("(", 1)[1].split(")", 1)[0] for line in lines)
    assert named == missing, (lines, generated)
    return lines


def kind(line: str) -> str:
    """The error kind a fallback line ends in (``[api_error]``), or what it says otherwise."""
    if line.endswith("]"):
        return line.rsplit("[", 1)[1].rstrip("]")
    return line.split(": ", 1)[1]


def test_twenty_videos_complete_with_every_fallback_recorded(
    servers: tuple[OpenAICompatibleServer, ElevenLabsServer, GoogleTTSServer],
) -> None:
    openai, eleven, google = servers
    started = time.perf_counter()
    states = [
        provider_stages(
            VideoJob(topic=TOPICS[n % len(TOPICS)], channel=f"channel-{n}"), return_state=True
        )
        for n in range(VIDEOS)
    ]
    seconds = time.perf_counter() - started

    completed = [s for s in states if s.is_completed()]
    assert len(completed) / VIDEOS >= 0.95, [s.message for s in states if not s.is_completed()]
    store = AnalyticsStore(Settings().analytics_url)
    fallbacks: Counter[str] = Counter()
    winners: Counter[str] = Counter()
    for state in completed:
        pictures: GeneratedPictures = state.result()
        run_id = uuid.UUID(str(state.state_details.flow_run_id))
        events = {e.stage: e for e in store.events(run_id)}
        assert {e.status for e in events.values()} == {"completed"}
        for stage in ("script", "voice"):
            lines = check_chain_recorded(events[stage])
            fallbacks.update(f"{stage}: {kind(line)}" for line in lines)
            winners[f"{stage}: {engine_family(stage, events[stage].model_used or '')}"] += 1
        lines = check_pictures_recorded(pictures, events["thumbnails"])
        fallbacks.update(f"thumbnails: {kind(line)}" for line in lines)

    # The faults really happened, and something fell back because of them.
    assert sum(fallbacks.values()) > 0
    requests = len(openai.requests) + len(openai.image_requests) + len(eleven.requests)
    print(
        f"\nfault injection: {len(completed)}/{VIDEOS} videos completed "
        f"({100 * len(completed) / VIDEOS:.0f}%) in {seconds:.1f} s; "
        f"{requests} requests to the faulty servers, {len(google.requests)} to Google; "
        f"winners {dict(sorted(winners.items()))}; "
        f"fallbacks by kind {dict(sorted(fallbacks.items()))}"
    )
