"""Stage checkpoints: a finished stage's output model, kept so a re-run need not redo it.

After a stage succeeds its output is written, atomically, to
``<workspace>/<video_id>/stages/<stage>.json``. On a re-run of the same video a checkpoint is
trusted only when all of these hold:

- it parses as the stage's output model;
- every file path the model holds (at any depth) still exists;
- no earlier stage's checkpoint is newer: a stage that was redone may have produced something
  different, so everything after it is redone too. The upload is the exception: a published
  video stays published whatever happened upstream, so its checkpoint is final.

A checkpoint that fails any test is ignored (the stage runs again and overwrites it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

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


def write_checkpoint(folder: VideoFolder, stage: Stage, output: StageOutput) -> Path:
    """Keep ``output`` as ``stage``'s checkpoint (atomically); return where it is."""
    return write_json(folder.checkpoint(stage.value), output)


def read_checkpoint(folder: VideoFolder, stage: Stage, model_type: type[T]) -> T | None:
    """``stage``'s checkpoint as a ``model_type``, or None when it cannot be trusted."""
    path = folder.checkpoint(stage.value)
    try:
        output = model_type.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
    if any(not p.exists() for p in file_paths(output)):
        return None
    if stage not in FINAL_STAGES and _redone_upstream(folder, stage, path):
        return None
    return output


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
