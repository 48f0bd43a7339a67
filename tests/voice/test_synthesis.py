"""Synthesis of a whole script: bounded concurrency, paid chunks kept across retries, quotas
checked before anything is spent. Real engine, real SDK, local ElevenLabs server."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.servers.elevenlabs import KEY, ElevenLabsServer
from ytempire.models import ScriptBlock, VoiceProfile
from ytempire.resilience.errors import CostExceeded, ProviderRejected, ProviderUnavailable
from ytempire.voice.assemble import ChunkAudio
from ytempire.voice.chunks import Chunk
from ytempire.voice.elevenlabs_tts import ElevenLabsEngine, make_client
from ytempire.voice.synthesis import synthesize

BLOCKS = [
    ScriptBlock(kind="section", heading=f"Part {i}", text=f"Part {word} begins. It ends here.")
    for i, word in enumerate(["one", "two", "three", "four", "five", "six"])
]


def engine_for(server: ElevenLabsServer) -> ElevenLabsEngine:
    client = make_client(KEY, server.url, 5)
    return ElevenLabsEngine(
        client, VoiceProfile.professional_female, model="eleven_turbo_v2_5", api_key=KEY
    )


def texts(server: ElevenLabsServer) -> list[str]:
    return [r.text for r in server.tts_requests]


def test_chunks_run_concurrently_but_bounded(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    elevenlabs_server.latency_s = 0.3
    seen: list[tuple[int, int]] = []
    result = synthesize(
        engine_for(elevenlabs_server),
        BLOCKS,
        tmp_path / "raw.wav",
        concurrency=2,
        on_chunk=lambda chunk, audio: seen.append((chunk.index, threading.get_ident())),
    )
    assert elevenlabs_server.max_in_flight == 2
    assert sorted(i for i, _ in seen) == list(range(6))
    assert {thread for _, thread in seen} == {threading.get_ident()}
    assert [s.block for s in result.sentences] == [b for b in range(6) for _ in range(2)]
    assert result.requests == 6


def test_a_retry_pays_only_for_the_chunks_that_failed(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    cache = tmp_path / "chunks"
    elevenlabs_server.fail_text("Part four", "500")
    paid: list[int] = []

    def record(chunk: Chunk, audio: ChunkAudio) -> None:
        paid.append(audio.characters)

    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        synthesize(
            engine_for(elevenlabs_server),
            BLOCKS,
            tmp_path / "raw.wav",
            concurrency=1,
            cache_dir=cache,
            on_chunk=record,
        )
    assert not (tmp_path / "raw.wav").exists()
    first = texts(elevenlabs_server)
    # One at a time: the failure stopped the chunks after it from being sent.
    assert first == [b.text for b in BLOCKS[:4]]
    assert len(list(cache.glob("*.npz"))) == 3

    result = synthesize(
        engine_for(elevenlabs_server),
        BLOCKS,
        tmp_path / "raw.wav",
        concurrency=3,
        cache_dir=cache,
        on_chunk=record,
    )
    assert sorted(texts(elevenlabs_server)[len(first) :]) == sorted(b.text for b in BLOCKS[3:])
    assert result.requests == 3
    # Every chunk was paid once, and the cost counts them all.
    assert sum(paid) == result.characters == sum(len(b.text) for b in BLOCKS)
    # Turbo v2.5 bills half a character per character: $0.075 per 1,000 (prices.toml).
    assert result.cost_usd == pytest.approx(result.characters * 0.075 / 1000)
    assert [s.text for s in result.sentences][6:8] == ["Part four begins.", "It ends here."]


def test_over_the_daily_quota_nothing_is_sent(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    needed = sum(len(b.text) for b in BLOCKS)
    with pytest.raises(CostExceeded, match=f"{needed} characters needed, 100 left today"):
        synthesize(engine_for(elevenlabs_server), BLOCKS, tmp_path / "raw.wav", daily_left=100)
    assert elevenlabs_server.requests == []


def test_within_the_daily_quota_the_subscription_still_decides(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    elevenlabs_server.character_count = elevenlabs_server.character_limit - 50
    with pytest.raises(CostExceeded, match="left in this billing period"):
        synthesize(engine_for(elevenlabs_server), BLOCKS, tmp_path / "raw.wav", daily_left=100_000)
    assert [r.path for r in elevenlabs_server.requests] == ["/v1/user/subscription"]


def test_a_first_failure_stops_chunks_not_yet_started(
    elevenlabs_server: ElevenLabsServer, tmp_path: Path
) -> None:
    elevenlabs_server.latency_s = 0.5
    elevenlabs_server.fail_text("Part one", "401")
    with pytest.raises(ProviderRejected, match="HTTP 401"):
        synthesize(engine_for(elevenlabs_server), BLOCKS, tmp_path / "raw.wav", concurrency=2)
    # Two went out together; as each finished its worker may have taken the next one, but
    # the last two were cancelled before they started.
    assert len(elevenlabs_server.tts_requests) <= 4
