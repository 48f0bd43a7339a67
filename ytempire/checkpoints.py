"""Stage checkpoints: a finished stage's output model, kept so a re-run need not redo it.

After a stage succeeds its output is written, atomically, to
``<workspace>/<video_id>/stages/<stage>.json``. On a re-run of the same video a checkpoint is
trusted only when all of these hold:

- it parses as the stage's output model;
- every file path the model holds (at any depth) still exists;
- no earlier stage's checkpoint is newer: a stage that was redone may have produced something
  different, so everything after it is redone too. The upload is the exception: a published
  video stays published whatever happened upstream, so its checkpoint is final;
- when the reader names the stage's inputs (``ytempire.stage_inputs``: job fields, the
  settings the stage reads, engine versions), they hash the same as those the checkpoint was
  made with, kept beside it in ``stages/<stage>.inputs.json`` (the hash and the inputs, which
  hold no secret). A checkpoint without that file, or made with other inputs, is not reused
  (the upload's, final, excepted).

A checkpoint that fails any test is ignored (the stage runs again and overwrites it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ytempire.models import (
    Narration,
    QualityReport,
    RenderedVideo,
    Script,
    Stage,
    StageOutput,
    ThumbnailSet,
    Timeline,
    Topic,
    TrendReport,
    Upload,
)
from ytempire.stage_inputs import changed, fingerprint
from ytempire.workspace import VideoFolder, write_json

T = TypeVar("T", bound=StageOutput)

# Side effects that cannot be taken back: their checkpoint is never invalidated upstream.
FINAL_STAGES = frozenset({Stage.upload})

# The model each stage's checkpoint holds, for readers of a video folder (the batch summary,
# a render run on another machine).
STAGE_OUTPUTS: dict[Stage, type[StageOutput]] = {
    Stage.trends: TrendReport,
    Stage.topic: Topic,
    Stage.script: Script,
    Stage.voice: Narration,
    Stage.visuals: Timeline,
    Stage.render: RenderedVideo,
    Stage.thumbnails: ThumbnailSet,
    Stage.quality: QualityReport,
    Stage.upload: Upload,
    Stage.tracking: StageOutput,
}


def write_checkpoint(
    folder: VideoFolder, stage: Stage, output: StageOutput, inputs: dict[str, Any] | None = None
) -> Path:
    """Keep ``output`` as ``stage``'s checkpoint (atomically), and the ``inputs`` that made
    it beside it; return where the checkpoint is."""
    kept = inputs_path(folder, stage)
    # The old inputs go first: a crash before the new ones are written leaves a checkpoint
    # without inputs, which is not reused, never one paired with another output's inputs.
    kept.unlink(missing_ok=True)
    path = write_json(folder.checkpoint(stage.value), output)
    if inputs is not None:
        write_json(kept, {"fingerprint": fingerprint(inputs), "inputs": inputs})
    return path


def read_checkpoint(
    folder: VideoFolder, stage: Stage, model_type: type[T], inputs: dict[str, Any] | None = None
) -> T | None:
    """``stage``'s checkpoint as a ``model_type``, or None when it cannot be trusted (with
    ``inputs``: also when it was made with other inputs)."""
    path = folder.checkpoint(stage.value)
    try:
        output = model_type.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
    if any(not p.exists() for p in file_paths(output)):
        return None
    if stage in FINAL_STAGES:
        return output
    if _redone_upstream(folder, stage, path):
        return None
    if inputs is not None and stale_inputs(folder, stage, inputs) is not None:
        return None
    return output


def inputs_path(folder: VideoFolder, stage: Stage) -> Path:
    """Where the inputs ``stage``'s checkpoint was made with are kept."""
    return folder.checkpoint(stage.value).with_suffix(".inputs.json")


def stale_inputs(folder: VideoFolder, stage: Stage, inputs: dict[str, Any]) -> list[str] | None:
    """None when ``stage``'s checkpoint was made with ``inputs``; else what differs (dotted
    names such as ``settings.render_crf``; ``["unrecorded"]`` when nothing was kept)."""
    try:
        kept = json.loads(inputs_path(folder, stage).read_text(encoding="utf-8"))
        recorded, before = str(kept["fingerprint"]), kept.get("inputs")
    except (OSError, ValueError, KeyError, TypeError):
        return ["unrecorded"]
    if recorded == fingerprint(inputs):
        return None
    return (changed(before, inputs) if isinstance(before, dict) else []) or ["inputs"]


def file_paths(value: object) -> Iterator[Path]:
    """Every ``Path`` a model holds, in nested models, lists, tuples and dicts too."""
    if isinstance(value, Path):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from file_paths(getattr(value, name))
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from file_paths(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from file_paths(item)


def _redone_upstream(folder: VideoFolder, stage: Stage, path: Path) -> bool:
    """Whether a stage before ``stage`` wrote its checkpoint after ``path`` was written."""
    written = path.stat().st_mtime_ns
    for earlier in list(Stage)[: list(Stage).index(stage)]:
        try:
            if folder.checkpoint(earlier.value).stat().st_mtime_ns > written:
                return True
        except FileNotFoundError:
            continue
    return False
