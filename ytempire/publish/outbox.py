"""The offline publisher: the video folder is the outbox, ``metadata.json`` its manifest.

Publishing is idempotent: a folder whose manifest says it was published for this video is
not published again, so a re-run never uploads twice. A video the gate holds
(``ytempire.publish.gate``) has its manifest here too, marked ``held`` (or ``rejected``) with
the reason, and is published by a later run once an operator releases it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ytempire.models import Upload
from ytempire.workspace import VideoFolder, write_json

ENGINE = "outbox"


def published(folder: VideoFolder, video_id: str) -> Upload | None:
    """The earlier publication of this video in ``folder``, if there was one."""
    manifest = folder / "metadata.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    upload = data.get("upload") or {}
    if data.get("video_id") != video_id or "published_at" not in upload:
        return None
    return Upload(
        engine=ENGINE,
        destination=ENGINE,
        location=upload["location"],
        published_at=datetime.fromisoformat(upload["published_at"]),
        already_published=True,
    )


def publish(folder: VideoFolder, metadata: dict[str, Any]) -> Upload:
    """Write the manifest into the folder, once per video."""
    earlier = published(folder, metadata["video_id"])
    if earlier:
        return earlier
    upload = Upload(
        engine=ENGINE,
        destination=ENGINE,
        location=str(folder.path.resolve()),
        published_at=datetime.now(UTC),
    )
    manifest = {
        **metadata,
        "upload": {
            "destination": upload.destination,
            "location": upload.location,
            "published_at": upload.published_at.isoformat(),
        },
    }
    write_json(folder / "metadata.json", manifest)
    return upload


def hold(folder: VideoFolder, metadata: dict[str, Any], status: str, reason: str) -> Upload:
    """Write the manifest of a video the gate holds (``status`` held or rejected): in the
    outbox, not published. A video already published stays published."""
    earlier = published(folder, metadata["video_id"])
    if earlier:
        return earlier
    upload = Upload(
        engine=ENGINE,
        destination=status,
        location=str(folder.path.resolve()),
        published_at=datetime.now(UTC),
        held=reason,
    )
    manifest = {
        **metadata,
        "upload": {
            "destination": status,
            "location": upload.location,
            "held_at": upload.published_at.isoformat(),
            "reason": reason,
        },
    }
    write_json(folder / "metadata.json", manifest)
    return upload


def mark(folder: VideoFolder, video_id: str, status: str, reason: str) -> Upload | None:
    """Mark the held video's manifest ``status`` (rejected, say) with ``reason``; None when
    the folder has no manifest of this video. A published video stays published."""
    try:
        manifest = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if manifest.get("video_id") != video_id:
        return None
    manifest.pop("upload", None)
    return hold(folder, manifest, status, reason)
