"""Stock footage for the script's ``stock_footage`` cues: Pexels, or a local asset library.

A source answers "footage for these keywords"; the visuals stage asks each cue's keywords
in turn and takes the first thing that is there and can be shown. Every clip is checked
by decoding a frame, every photo by decoding it: one that cannot be read is skipped and the
reason recorded, never shown as black (or failing the render).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PIL import Image

from ytempire.media.render import clip_problem
from ytempire.models import Footage, VisualCue
from ytempire.providers.pexels import PexelsClient

CLIP_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"a", "an", "the", "of", "and", "or", "in", "on", "to", "for", "with", "at", "by"}


def words(text: str) -> set[str]:
    """Lower-case words of ``text`` without stop words (file names split on - _ . too)."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


class FootageSource(Protocol):
    name: str

    def find(self, cue: VisualCue, destination: Path, notes: list[str]) -> Footage | None:
        """Footage for ``cue`` saved under ``destination`` (a stem: the source adds the
        suffix), or None; problems met on the way are appended to ``notes``."""
        ...


def picture_problem(path: Path) -> str | None:
    """Why a picture cannot be shown (missing, not a picture, truncated); None if it can."""
    if not path.is_file():
        return "file missing"
    try:
        with Image.open(path) as image:
            image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        # Pillow says "cannot identify image file '/full/path'": the name is said already.
        reason = str(exc).split(" '")[0] if "cannot identify" in str(exc) else str(exc)
        return f"not a readable picture ({reason})"
    return None


def cue_query(cue: VisualCue) -> str:
    return " ".join(cue.keywords) or cue.text


@dataclass
class LocalLibrary:
    """A folder of clips and pictures. A file's tags are the words of its name plus those
    of a ``<file>.txt`` beside it (words or comma-separated phrases); a file matches a cue
    by the number of the cue's keyword words among them. Each file is used once per video."""

    folder: Path
    name: str = "library"
    used: set[Path] = field(default_factory=set)

    def index(self) -> list[tuple[Path, set[str]]]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.rglob("*")):
            suffix = path.suffix.lower()
            if path.is_file() and suffix in CLIP_SUFFIXES + PHOTO_SUFFIXES:
                tags = words(path.stem)
                sidecar = path.with_name(path.name + ".txt")
                if sidecar.is_file():
                    tags |= words(sidecar.read_text(encoding="utf-8", errors="replace"))
                found.append((path, tags))
        return found

    def find(self, cue: VisualCue, destination: Path, notes: list[str]) -> Footage | None:
        wanted = words(cue_query(cue))
        if not wanted:
            return None
        ranked = sorted(
            ((len(wanted & tags), path) for path, tags in self.index() if path not in self.used),
            key=lambda pair: (-pair[0], str(pair[1])),
        )
        for score, path in ranked:
            if score == 0:
                break
            kind = "clip" if path.suffix.lower() in CLIP_SUFFIXES else "photo"
            problem = clip_problem(path) if kind == "clip" else picture_problem(path)
            if problem:
                notes.append(f"library {kind} {path.name} skipped: {problem}")
                self.used.add(path)
                continue
            self.used.add(path)
            return Footage(path=path, kind=kind, source=self.name, keywords=sorted(wanted))
        return None


@dataclass
class PexelsSource:
    """Pexels video search first, then photo search, for each cue; files are downloaded."""

    client_factory: Callable[[], PexelsClient]
    orientation: str = "landscape"
    name: str = "pexels"
    on_call: Callable[[str, int], None] | None = None  # (operation, latency_ms)
    used: set[str] = field(default_factory=set)

    def find(self, cue: VisualCue, destination: Path, notes: list[str]) -> Footage | None:
        query = cue_query(cue)
        if not query.strip():
            return None
        with self.client_factory() as client:
            started = time.perf_counter()
            videos = client.search_videos(query, orientation=self.orientation)
            self._record("pexels_video_search", started)
            for video in videos:
                key = f"v{video['id']}"
                if key in self.used:
                    continue
                self.used.add(key)
                path = client.download(video["link"], destination.with_suffix(".mp4"))
                problem = clip_problem(path)
                if problem:
                    notes.append(f"pexels video {video['id']} skipped: {problem}")
                    continue
                return Footage(
                    path=path, kind="clip", source=self.name, keywords=cue.keywords,
                    credit=video["credit"],
                )  # fmt: skip
            started = time.perf_counter()
            photos = client.search_photos(query, orientation=self.orientation)
            self._record("pexels_photo_search", started)
            for photo in photos:
                key = f"p{photo['id']}"
                if key in self.used:
                    continue
                self.used.add(key)
                suffix = Path(photo["link"].split("?")[0]).suffix.lower()
                path = client.download(
                    photo["link"],
                    destination.with_suffix(suffix if suffix in PHOTO_SUFFIXES else ".jpg"),
                )
                problem = picture_problem(path)
                if problem:
                    notes.append(f"pexels photo {photo['id']} skipped: {problem}")
                    continue
                return Footage(
                    path=path, kind="photo", source=self.name, keywords=cue.keywords,
                    credit=photo["credit"],
                )  # fmt: skip
        return None

    def _record(self, operation: str, started: float) -> None:
        if self.on_call:
            self.on_call(operation, round((time.perf_counter() - started) * 1000))


def find_all(
    cues: Sequence[VisualCue], source: FootageSource, folder: Path
) -> tuple[list[Footage | None], list[str]]:
    """Footage for each cue from ``source`` (None where none), and notes on what was
    skipped. Provider errors propagate: the caller's fallback policy decides."""
    notes: list[str] = []
    found: list[Footage | None] = []
    for i, cue in enumerate(cues):
        found.append(source.find(cue, folder / f"footage_{i:02d}", notes))
    return found, notes
