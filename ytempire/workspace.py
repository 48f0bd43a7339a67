"""The workspace filesystem: one folder per video, and atomic writes into it.

Every file a stage produces is written to a temporary name beside its destination and
renamed into place, so a crash never leaves a half-written output that a re-run would trust.

The workspace may be a bucket (``YTEMPIRE_WORKSPACE=s3://bucket/prefix``, ``gs://`` where
gcsfs is installed): then the video folder is a local scratch copy, and :class:`Bucket` pulls
a stage's inputs into it and pushes its outputs back (``tasks/recording.py`` does both around
every stage). Each object appears whole or not at all (a single PUT, or a multipart upload
that only becomes visible when completed), and a stage's checkpoint is pushed after its
media, so a killed worker never leaves a checkpoint that names a missing file. Paths inside
the JSON files (checkpoints, metadata) are kept relative to the video folder in the bucket,
so a worker with another scratch root reads them as its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from pydantic import BaseModel

from ytempire.errors import one_line
from ytempire.resilience.errors import ProviderRejected, ProviderUnavailable


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


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if missing), between processes too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


M = TypeVar("M", bound=BaseModel)

# Stands for the video folder in the JSON files kept in a bucket (see the module docstring).
FOLDER_MARK = "${video_folder}"
# Intermediate files are pushed only when a stage's output names them (a timeline's slides);
# the rest of work/ stays in scratch.
SCRATCH_ONLY = "work"
# Uploads read a file a part at a time (s3fs sends a file below two parts in one PUT, read
# whole): at most PART_BYTES × PARTS_AT_ONCE of a video is in memory.
PART_BYTES = 8 * 2**20
PARTS_AT_ONCE = 4


class Bucket:
    """The video folders in a bucket: ``<url>/<video_id>/...``, mirrored into local scratch.

    Credentials and the endpoint come the standard way (``AWS_ACCESS_KEY_ID``,
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL``, ``AWS_REGION``). A store that cannot be
    reached is a ``ProviderUnavailable`` naming the endpoint (retried as an API error); a
    missing bucket or a refusal is ``ProviderRejected``.
    """

    def __init__(self, url: str) -> None:
        import fsspec  # lazily: the S3 backend (aiobotocore) is heavy

        self.url = url.rstrip("/")
        self.endpoint = os.environ.get("AWS_ENDPOINT_URL") or self.url
        # A client of its own: fsspec's shared instances would keep an earlier endpoint or
        # credentials from the environment.
        options: dict[str, Any] = {"skip_instance_cache": True}
        if self.url.startswith("s3://"):
            # Few attempts per call (a store's passing 500 or a dropped connection) and a
            # short connect timeout: the stage's own retries (by the error strategy) decide
            # how long a store that is down is waited for.
            # Links in artifacts are pre-signed with Signature V4, which every region takes.
            options["config_kwargs"] = {
                "connect_timeout": 5,
                "retries": {"max_attempts": 3, "mode": "standard"},
                "signature_version": "s3v4",
            }
        try:
            self.fs, self.root = fsspec.core.url_to_fs(self.url, **options)
        except (ImportError, ValueError) as exc:
            raise WorkspaceError(f"workspace {self.url}: {one_line(exc)}") from exc

    def key(self, video_id: str, relative: str = "") -> str:
        return f"{self.root}/{video_id}/{relative}".rstrip("/")

    def pull(self, folder: VideoFolder) -> list[str]:
        """Download the objects of ``folder``'s video that scratch lacks or holds another
        version of (size or time differ); return their relative paths."""
        pulled = []
        with self._calls():
            for relative, info in self._objects(folder).items():
                local = folder.path / relative
                if _same(local, info):
                    continue
                with atomic_path(local) as tmp:
                    self.fs.get_file(self.key(folder.path.name, relative), str(tmp))
                    if local.suffix == ".json":
                        _relocate_file(tmp, FOLDER_MARK, str(folder.path))
                _stamp(local, info)
                pulled.append(relative)
        return pulled

    def push(
        self, folder: VideoFolder, named: Iterable[Path] = (), progress: Callback | None = None
    ) -> list[str]:
        """Upload what scratch holds that the bucket lacks or holds another version of: the
        files outside ``work/``, and those in it that ``named`` lists (a stage's output).
        Media first, checkpoints last; return the relative paths pushed. ``progress`` hears
        of each file's bytes as they go."""
        wanted = {p.resolve() for p in named}
        chosen = [
            p
            for p in sorted(folder.path.rglob("*"))
            if p.is_file()
            and not p.name.startswith(".")
            and (p.relative_to(folder.path).parts[0] != SCRATCH_ONLY or p.resolve() in wanted)
        ]
        chosen.sort(key=_push_order)
        pushed = []
        with self._calls():
            remote = self._objects(folder)
            for local in chosen:
                relative = local.relative_to(folder.path).as_posix()
                if relative in remote and _same(local, remote[relative]):
                    continue
                key = self.key(folder.path.name, relative)
                if local.suffix == ".json":
                    with tempfile.TemporaryDirectory() as tmp_dir:
                        portable = Path(tmp_dir) / local.name
                        shutil.copyfile(local, portable)
                        _relocate_file(portable, str(folder.path), FOLDER_MARK)
                        self.fs.put_file(str(portable), key)
                else:
                    self.fs.put_file(
                        str(local),
                        key,
                        callback=progress or DEFAULT_CALLBACK,
                        chunksize=PART_BYTES,
                        max_concurrency=PARTS_AT_ONCE,
                    )
                _stamp(local, self.fs.info(key))
                pushed.append(relative)
        return pushed

    def link(self, video_id: str, relative: str, ttl_s: int, base_url: str | None) -> str:
        """A URL a browser opens: under ``base_url`` when the bucket is public there, else
        pre-signed for ``ttl_s`` seconds."""
        if base_url:
            return f"{base_url.rstrip('/')}/{video_id}/{relative}"
        with self._calls():
            return str(self.fs.sign(self.key(video_id, relative), expiration=ttl_s))

    def _objects(self, folder: VideoFolder) -> dict[str, dict[str, Any]]:
        prefix = self.key(folder.path.name)
        self.fs.invalidate_cache(prefix)
        found = self.fs.find(prefix, detail=True)
        return {
            name[len(prefix) + 1 :]: info
            for name, info in found.items()
            if info.get("type") != "directory"
        }

    @contextmanager
    def _calls(self) -> Iterator[None]:
        """The store's failures in the provider vocabulary, one line naming the endpoint."""
        try:
            yield
        except Exception as exc:
            if _unreachable(exc):
                raise ProviderUnavailable(
                    "workspace", f"{self.endpoint} unreachable: {one_line(exc)}"
                ) from exc
            if isinstance(exc, PermissionError | FileNotFoundError):
                raise ProviderRejected("workspace", f"{self.url}: {one_line(exc)}") from exc
            if isinstance(exc, OSError):
                raise ProviderUnavailable("workspace", f"{self.endpoint}: {one_line(exc)}") from exc
            raise

    def relocate(self, model: M, folder: VideoFolder, elsewhere: Path) -> M:
        """``model`` (made on a worker whose video folder was ``elsewhere``) with its paths
        in ``folder`` instead."""
        text = model.model_dump_json().replace(str(elsewhere), str(folder.path))
        return type(model).model_validate_json(text)


def workspace_bucket(url: str | None) -> Bucket | None:
    """The bucket the workspace URL names, or None for a local workspace."""
    return Bucket(url) if url else None


def remove_scratch(folder: VideoFolder) -> None:
    """Remove a video's scratch copy once everything in it is in the bucket."""
    shutil.rmtree(folder.path, ignore_errors=True)


def prune_scratch(root: Path, keep_hours: float) -> list[Path]:
    """Remove video folders under ``root`` (scratch left by failed videos) untouched for
    ``keep_hours``; anything else there is left alone."""
    if not root.is_dir():
        return []
    cutoff = time.time() - keep_hours * 3600
    removed = []
    for child in root.iterdir():
        video = (child / SCRATCH_ONLY).is_dir()
        if video and child.stat().st_mtime < cutoff:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


def _push_order(path: Path) -> tuple[bool, float, bool]:
    """Media first; then the checkpoints in the order they were made (the bucket's times keep
    that order, which ``ytempire.checkpoints`` reads), each stage's inputs before it."""
    if path.parent.name != "stages":
        return (False, 0.0, False)
    inputs = path.name.endswith(".inputs.json")
    checkpoint = path.with_name(path.name.removesuffix(".inputs.json") + ".json")
    made = (checkpoint if checkpoint.exists() else path).stat().st_mtime
    return (True, made, not inputs)


def _unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from or during) is a failure to reach the
    store: no connection, a timeout. s3fs may report one as a missing file."""
    try:
        from botocore.exceptions import HTTPClientError
    except ImportError:  # a gs:// workspace without the S3 backend
        connection: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)
    else:
        connection = (ConnectionError, TimeoutError, HTTPClientError)
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, connection):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _modified(info: dict[str, Any]) -> float:
    stamp = info.get("LastModified") or info.get("mtime") or info.get("updated")
    if isinstance(stamp, datetime):
        return stamp.timestamp()
    return float(stamp or 0)


def _same(local: Path, info: dict[str, Any]) -> bool:
    """Whether ``local`` is the object's copy: stamped with its time, and the same size (a
    JSON file's differs: its paths are relocated)."""
    try:
        stat = local.stat()
    except FileNotFoundError:
        return False
    sized = local.suffix == ".json" or stat.st_size == info.get("size")
    return sized and stat.st_mtime == _modified(info)


def _stamp(local: Path, info: dict[str, Any]) -> None:
    """Give ``local`` the object's time: the mark of an unchanged copy, and the order the
    checkpoints were written in (``ytempire.checkpoints`` compares them)."""
    modified = _modified(info)
    os.utime(local, (modified, modified))


def _relocate_file(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old in text:
        path.write_text(text.replace(old, new), encoding="utf-8")
