"""The channel's own voice: cloned once on ElevenLabs from its recordings, then reused.

Cloning needs the speaker's consent (:class:`ytempire.models.VoiceConsent`: what they agreed
to, who, when): without it nothing is read or sent (:class:`CloningRefused`, one line). A
clone is keyed by the channel and the SHA-256 of its recordings. Its id is kept in the
workspace (``voices/<channel>-<hash>.json``, written atomically under a file lock, so videos
made at the same time still create it once) and, on a Prefect server, in the channel's
ChannelProfile block (``cloned_voice``: the task layer writes it back). Every later video of
the channel reuses it; new recordings make a new clone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ytempire.models import ClonedVoice, VoiceConsent
from ytempire.resilience.errors import ProviderRejected
from ytempire.workspace import file_lock, write_json

PROVIDER = "elevenlabs"
FOLDER = "voices"

# (name, sample recordings, description) -> the new voice's id.
CreateVoice = Callable[[str, Sequence[Path], str], str]


class CloningRefused(ProviderRejected):
    """A voice that may not or cannot be cloned: no consent, or unreadable recordings."""


def samples_sha256(samples: Sequence[Path]) -> str:
    """The SHA-256 of the recordings' contents, in order (their names do not count)."""
    digest = hashlib.sha256()
    for path in samples:
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError as exc:
            raise CloningRefused(
                PROVIDER, f"voice sample {path} cannot be read: {exc.strerror}"
            ) from None
    return digest.hexdigest()


def record_path(root: Path, channel: str, samples_digest: str) -> Path:
    """Where the workspace keeps the clone of ``channel`` made from these recordings."""
    return root / FOLDER / f"{channel}-{samples_digest[:16]}.json"


def channel_voice(
    create: CreateVoice,
    channel: str,
    samples: Sequence[Path],
    consent: VoiceConsent | None,
    root: Path,
    known: ClonedVoice | None = None,
) -> tuple[ClonedVoice, bool]:
    """The clone of ``channel``'s voice from ``samples``, and whether it was made now.

    Refuses (``CloningRefused``) without ``consent`` before reading or sending anything, and
    when there are no samples. ``known`` (the channel profile's) is used when it was made
    from these very recordings; else the workspace's record; else ``create`` makes it, once,
    and the record is written.
    """
    if consent is None:
        raise CloningRefused(
            PROVIDER, f"channel {channel!r}: no consent to clone its voice (voice_consent)"
        )
    if not samples:
        raise CloningRefused(PROVIDER, f"channel {channel!r}: no voice samples to clone")
    digest = samples_sha256(samples)
    if known is not None and known.samples_sha256 == digest:
        return known, False
    path = record_path(root, channel, digest)
    with file_lock(path.with_suffix(".lock")):
        if path.is_file():
            return ClonedVoice.model_validate_json(path.read_text(encoding="utf-8")), False
        description = (
            f"{channel}'s narrator, cloned with consent given by {consent.given_by} on "
            f"{consent.given_on.isoformat()}: {consent.statement}"
        )
        voice_id = create(f"{channel} narrator", samples, description)
        voice = ClonedVoice(voice_id=voice_id, samples_sha256=digest, created_at=datetime.now(UTC))
        write_json(path, voice)
    return voice, True
