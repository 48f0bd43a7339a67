"""The workspace filesystem: one folder per video, and atomic writes into it.

Every file a stage produces is written to a temporary name beside its destination and
renamed into place, so a crash never leaves a half-written output that a re-run would trust.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


class WorkspaceError(RuntimeError):
    """The workspace cannot be used (not writable, not a folder)."""


class VideoFolder:
    """Paths of one video's outputs, under ``<root>/<video_id>/``."""

    def __init__(self, root: Path, video_id: str) -> None:
        self.path = root / video_id

    def create(self) -> VideoFolder:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / "work").mkdir(exist_ok=True)
            (self.path / "thumbnails").mkdir(exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create video folder {self.path}: {exc.strerror}") from exc
        if not os.access(self.path, os.W_OK):
            raise WorkspaceError(f"video folder {self.path} is not writable")
        return self

    @property
    def work(self) -> Path:
        """Intermediate files (slides, segment lists) that are not deliverables."""
        return self.path / "work"

    @property
    def thumbnails(self) -> Path:
        return self.path / "thumbnails"

    def checkpoint(self, stage: str) -> Path:
        """Where ``stage``'s output model is kept once it succeeded (``ytempire.checkpoints``)."""
        return self.path / "stages" / f"{stage}.json"

    def __truediv__(self, name: str) -> Path:
        return self.path / name


@contextmanager
def atomic_path(destination: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; rename it into place on success.

    The temporary name keeps the destination's suffix so tools that infer a format from the
    extension (FFmpeg, Pillow) still do. On error the temporary file is removed.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{destination.stem}.", suffix=destination.suffix, dir=destination.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes files 0600; deliverables must be readable by an uploader or web server.
        tmp_path.chmod(0o666 & ~_UMASK)
        os.replace(tmp_path, destination)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_bytes(destination: Path, data: bytes) -> Path:
    with atomic_path(destination) as tmp:
        tmp.write_bytes(data)
    return destination


def write_text(destination: Path, text: str) -> Path:
    return write_bytes(destination, text.encode("utf-8"))


def write_json(destination: Path, payload: BaseModel | dict[str, Any] | list[Any]) -> Path:
    if isinstance(payload, BaseModel):
        text = payload.model_dump_json(indent=2)
    else:
        text = json.dumps(payload, indent=2, default=str)
    return write_text(destination, text + "\n")
