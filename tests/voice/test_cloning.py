"""A channel's own voice: cloned once with its speaker's consent, on the ElevenLabs-like
server through the real SDK, and reused."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.servers.elevenlabs import KEY, ElevenLabsServer
from ytempire.models import VideoJob, VoiceConsent
from ytempire.voice.cloning import CloningRefused, channel_voice, record_path, samples_sha256
from ytempire.voice.elevenlabs_tts import create_voice, make_client

CONSENT = VoiceConsent(
    statement="I agree that ytempire may clone my voice to narrate this channel's videos.",
    given_by="Ana Ruiz",
    given_on=date(2026, 11, 30),
)


@pytest.fixture
def samples(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "one.wav", tmp_path / "two.wav"]
    for i, path in enumerate(paths):
        path.write_bytes(b"RIFF" + bytes([i]) * 64)
    return paths


class Creates:
    """A ``CreateVoice`` that counts its calls (slowly, so two callers can overlap)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[tuple[str, list[Path], str]] = []
        self.delay_s = delay_s

    def __call__(self, name: str, samples: Sequence[Path], description: str) -> str:
        time.sleep(self.delay_s)
        self.calls.append((name, list(samples), description))
        return f"voice{len(self.calls)}"


def test_without_consent_nothing_is_read_or_sent(tmp_path: Path) -> None:
    create = Creates()
    missing = [tmp_path / "never-read.wav"]
    with pytest.raises(CloningRefused) as refused:
        channel_voice(create, "space-facts", missing, None, tmp_path / "runs")
    assert str(refused.value) == (
        "elevenlabs: channel 'space-facts': no consent to clone its voice (voice_consent)"
    )
    assert create.calls == [] and not (tmp_path / "runs").exists()
    # A job or a channel asking for a clone without consent is refused when it is made.
    with pytest.raises(ValidationError, match="cloned only with its speaker's consent"):
        VideoJob(voice_samples=tuple(missing))


def test_the_voice_is_created_once_and_reused_until_the_samples_change(
    tmp_path: Path, samples: list[Path]
) -> None:
    create, root = Creates(), tmp_path / "runs"
    first, made = channel_voice(create, "space-facts", samples, CONSENT, root)
    again, made_again = channel_voice(create, "space-facts", samples, CONSENT, root)
    assert (made, made_again) == (True, False) and again == first
    assert first.voice_id == "voice1" and first.samples_sha256 == samples_sha256(samples)
    assert record_path(root, "space-facts", first.samples_sha256).is_file()
    ((name, sent, description),) = create.calls
    assert name == "space-facts narrator" and sent == samples
    assert "Ana Ruiz on 2026-11-30" in description and CONSENT.statement in description
    # The profile's clone of these very samples needs no record; other samples, a new clone.
    assert (
        channel_voice(Creates(), "space-facts", samples, CONSENT, tmp_path / "x", first)[1] is False
    )
    samples[1].write_bytes(b"RIFF another take")
    newer, made = channel_voice(create, "space-facts", samples, CONSENT, root, first)
    assert made and newer.voice_id == "voice2"


def test_videos_made_at_once_create_the_voice_once(tmp_path: Path, samples: list[Path]) -> None:
    create, root = Creates(delay_s=0.2), tmp_path / "runs"
    ids: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: ids.append(
                channel_voice(create, "space-facts", samples, CONSENT, root)[0].voice_id
            )
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(create.calls) == 1 and ids == ["voice1", "voice1"]


def test_unreadable_samples_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(CloningRefused, match=r"voice sample .*gone\.wav cannot be read"):
        channel_voice(Creates(), "c", [tmp_path / "gone.wav"], CONSENT, tmp_path)


def test_instant_voice_cloning_through_the_sdk(
    elevenlabs_server: ElevenLabsServer, samples: list[Path]
) -> None:
    client = make_client(KEY, elevenlabs_server.url, 5)
    voice_id = create_voice(client, "space-facts narrator", samples, "consented", secret=KEY)
    (clone,) = elevenlabs_server.clones
    assert voice_id == clone.voice_id
    assert clone.fields["name"] == "space-facts narrator"
    assert clone.fields["description"] == "consented"
    assert clone.files == [(p.name, p.read_bytes()) for p in samples]
