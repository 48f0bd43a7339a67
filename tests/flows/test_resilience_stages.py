"""Circuit breakers and budgets in the real stages, under Prefect.

The real SDKs talk to local provider servers; nothing of ours is patched. Breakers persist in
the test's own store, so "the next video" is a second run against the same database, as a
second worker's run would be.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.events.filters import (
    EventFilter,
    EventNameFilter,
    EventOccurredFilter,
    EventResourceFilter,
)
from prefect.events.schemas.events import Event

from tasks.script import write_script
from tasks.thumbnails import make_thumbnails
from tasks.voice import synthesize_voice
from tests.pictures import encode_stills, vivid_picture
from tests.servers.elevenlabs import KEY as ELEVENLABS_KEY
from tests.servers.elevenlabs import ElevenLabsServer
from tests.servers.google_tts import GoogleTTSServer
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import ALERT_SAMPLE, AnalyticsStore
from ytempire.media.probe import probe
from ytempire.models import (
    Narration,
    RenderedVideo,
    Script,
    Section,
    Stage,
    ThumbnailSet,
    Topic,
    VideoJob,
)
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

KEY = "sk-test-RESILIENCEKEYMUSTNEVERLEAK0123"
TOPIC = Topic(
    engine="requested",
    title="How black holes evaporate",
    keywords=["hawking radiation", "event horizon", "black holes evaporate"],
    reason="test",
)


def short_script(folder: Path) -> Script:
    return Script(
        engine="test",
        title="Why black holes glow",
        hook="Black holes are not quite black. So why do they glow?",
        sections=[Section(heading="The edge", narration="Pairs of particles appear there.")],
        summary="So black holes slowly shine away their mass.",
        cta="Subscribe for more.",
        markdown_path=folder / "script.md",
    )


def long_script(folder: Path) -> Script:
    """About five minutes of narration: some 4,000 characters."""
    sentence = "Near the edge of a black hole, pairs of particles appear and one escapes. "
    sections = [Section(heading=f"Part {n}", narration=sentence * 9) for n in range(1, 7)]
    return short_script(folder).model_copy(update={"sections": sections})


@flow
def script_stage(job: VideoJob, run_id: uuid.UUID) -> Script:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return write_script(job, TOPIC, settings, run_id)


@flow
def voice_stage(job: VideoJob, script: Script, run_id: uuid.UUID) -> Narration:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return synthesize_voice(job, script, settings, run_id)


@flow
def thumbnails_stage(
    job: VideoJob, script: Script, video: RenderedVideo, run_id: uuid.UUID
) -> ThumbnailSet:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return make_thumbnails(job, script, video, settings, run_id)


def store() -> AnalyticsStore:
    return AnalyticsStore(Settings().analytics_url)


def alerts() -> list[dict[str, str]]:
    """The alerts the stages kept in the store: their labels."""
    return [json.loads(sample.labels) for sample in store().samples(ALERT_SAMPLE)]


def events(name: str, subject: str, since: datetime, count: int = 1) -> list[Event]:
    """The alert events ``name`` about ``subject`` since ``since``, once ``count`` arrived."""
    wanted = EventFilter(
        occurred=EventOccurredFilter(since=since),
        event=EventNameFilter(name=[name]),
        resource=EventResourceFilter(id=[f"{name}.{subject}"]),
    )
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_events(wanted, limit=20)
            if len(page.events) >= count or time.monotonic() > deadline:
                return page.events
            time.sleep(0.5)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "ELEVENLABS_API_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "YTEMPIRE_MUSIC_DIR",
        "YTEMPIRE_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    # Providers' money only: compute (tests/flows/test_costs.py) costs 0 here.
    monkeypatch.setenv("YTEMPIRE_COMPUTE_USD_PER_CPU_HOUR", "0")
    return tmp_path


@pytest.fixture
def openai(
    env: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAICompatibleServer
) -> OpenAICompatibleServer:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    # Room for gpt-4-turbo's worst case (4 attempts × 6 calls) and both pictures' (4 × $0.08):
    # these tests are about breakers, not budgets.
    monkeypatch.setenv("YTEMPIRE_VIDEO_BUDGET_USD", "5")
    return openai_server


def test_an_open_openai_circuit_sends_the_next_video_straight_to_the_template(
    openai: OpenAICompatibleServer,
) -> None:
    started = datetime.now(UTC)
    openai.default = "500"
    first = script_stage(VideoJob(topic=TOPIC.title), uuid.uuid4())
    # gpt-4-turbo: 4 attempts; gpt-3.5-turbo: the fifth failure in a row opens the breaker.
    assert len(openai.requests) == 5
    assert first.engine == "template"
    assert "openai circuit opened after 5 failures" in first.fallbacks[-1]
    assert store().breaker("openai").state == "open"  # type: ignore[union-attr]

    run_id = uuid.uuid4()
    second = script_stage(VideoJob(topic=TOPIC.title), run_id)
    assert len(openai.requests) == 5  # not one more call
    assert second.engine == "template"
    assert [line.split(" until ")[0] for line in second.fallbacks] == [
        "gpt-4-turbo skipped: openai circuit open",
        "gpt-3.5-turbo skipped: openai circuit open",
    ]
    assert all(line.endswith(" [circuit_open]") for line in second.fallbacks)
    (event,) = store().events(run_id)
    assert event.status == "completed" and event.model_used == "template"
    assert event.error_message == "; ".join(second.fallbacks)
    assert KEY not in (event.error_message or "")
    # Alerted once, when it opened: in the store and as a Prefect event.
    assert alerts() == [{"rule": "circuit_open", "subject": "openai", "severity": "high"}]
    (sent,) = events("ytempire.alert.circuit_open", "openai", started)
    assert sent.payload["severity"] == "high" and sent.payload["threshold"] == 5
    assert "HTTP 500" in sent.payload["message"]


def test_a_long_script_skips_elevenlabs_by_the_video_budget(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    elevenlabs_server: ElevenLabsServer,
    google_tts_server: GoogleTTSServer,
) -> None:
    monkeypatch.setenv("ELEVENLABS_API_KEY", ELEVENLABS_KEY)
    monkeypatch.setenv("YTEMPIRE_ELEVENLABS_BASE_URL", elevenlabs_server.url)
    monkeypatch.setenv("YTEMPIRE_GOOGLE_TTS_ENDPOINT", google_tts_server.url)
    started = datetime.now(UTC)
    script = long_script(env)
    characters = sum(len(block.text) for block in script.blocks())
    assert 0.50 < characters * 0.15 / 1000 < 0.70  # on ElevenLabs: over the video budget

    job = VideoJob(topic=script.title, minutes=5)
    narration = voice_stage(job, script, uuid.uuid4())
    assert elevenlabs_server.requests == []  # not even the subscription check
    assert narration.engine.startswith("google:")
    estimate = characters * 0.15 / 1000
    assert narration.fallbacks == [
        f"elevenlabs skipped: estimated ${estimate:.4f} over the $0.5000 left of the "
        "video's $0.50 budget [cost_exceeded]"
    ]
    assert narration.cost_usd < 0.10
    assert alerts() == [{"rule": "cost_exceeded", "subject": job.video_id, "severity": "high"}]
    (sent,) = events("ytempire.alert.cost_exceeded", job.video_id, started)
    assert sent.payload["stage"] == "voice" and sent.payload["threshold"] == 0.5


def test_the_actual_cost_crossing_the_alert_line_raises_an_alert(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    elevenlabs_server: ElevenLabsServer,
) -> None:
    monkeypatch.setenv("ELEVENLABS_API_KEY", ELEVENLABS_KEY)
    monkeypatch.setenv("YTEMPIRE_ELEVENLABS_BASE_URL", elevenlabs_server.url)
    monkeypatch.delenv("YTEMPIRE_GOOGLE_TTS_ENDPOINT", raising=False)
    job, run_id = VideoJob(topic="Why black holes glow"), uuid.uuid4()
    # The video has spent $0.44 on earlier stages (its cost ledger, whichever run paid).
    Ledger(store()).record(
        job.video_id,
        uuid.uuid4(),
        Stage.script,
        "gpt-4-turbo",
        kind="call",
        quantity=14_000,
        unit="tokens",
        cost_usd=0.44,
    )
    narration = voice_stage(job, short_script(env), run_id)
    assert narration.engine.startswith("elevenlabs:") and narration.fallbacks == []
    assert 0.01 < narration.cost_usd < 0.06  # admitted: $0.44 + the estimate ≤ $0.50
    assert alerts() == [{"rule": "cost_per_video", "subject": job.video_id, "severity": "high"}]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> RenderedVideo:
    folder = tmp_path_factory.mktemp("video")
    stills = [(vivid_picture(640, 360, 4), 1.0), (Image.new("RGB", (640, 360), "navy"), 1.0)]
    path = encode_stills(stills, folder / "video.mp4")
    return RenderedVideo(
        engine="test", path=path, encoder="libx264", seconds_to_render=0, info=probe(path)
    )


def test_an_open_dalle_circuit_sends_thumbnails_straight_to_the_templates(
    openai: OpenAICompatibleServer, video: RenderedVideo, env: Path
) -> None:
    started = datetime.now(UTC)
    openai.images_default = "500"
    script = short_script(env)
    first = thumbnails_stage(VideoJob(topic=script.title), script, video, uuid.uuid4())
    # Two layouts asked for at once: the third failure opens the breaker (a call already in
    # flight may add a fourth), and no retry follows it.
    assert 3 <= len(openai.image_requests) <= 4
    assert first.engine == "pillow-templates"
    assert any("dalle circuit opened after 3 failures" in line for line in first.fallbacks)

    sent_before = len(openai.image_requests)
    second = thumbnails_stage(VideoJob(topic=script.title), script, video, uuid.uuid4())
    assert len(openai.image_requests) == sent_before
    assert [line.split(" until ")[0] for line in second.fallbacks] == [
        "dall-e-3 (hero_image_with_text) skipped: dalle circuit open",
        "dall-e-3 (split_screen) skipped: dalle circuit open",
    ]
    assert len(second.variants) == 3
    assert alerts() == [{"rule": "circuit_open", "subject": "dalle", "severity": "high"}]
    assert len(events("ytempire.alert.circuit_open", "dalle", started)) == 1
