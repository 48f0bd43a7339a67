"""Stock footage for the script's ``stock_footage`` cues: Pexels, or a local asset library.

A source answers "footage for this cue": it gathers candidates (Pexels' search results, the
library's files), ranks them and takes the best one that can be shown. Every clip is checked
by decoding a frame, every photo by decoding it: one that cannot be read is skipped and the
reason recorded, never shown as black (or failing the render).

Ranking (:func:`rank`), for a :class:`Want` (the cue, the sentence spoken over the shot and
the shot's expected length) and the source's orientation:

- relevance: the candidate's words (Pexels: its page URL's slug, tags and alt text; the
  library: the file name and its sidecar) against the cue's keywords and the sentence, as
  token overlap after stemming (:func:`terms`): ``(2 × cue words matched + sentence words
  matched) / (2 × cue words + sentence words)``, 0..1;
- orientation: 1 when the candidate is as wide as the video is (landscape or portrait), else
  0 (0.5 when its size is unknown);
- length: a clip's duration over the shot's length, at most 1 (a photo or unknown: 0.5);
- ``score = 0.6 × relevance + 0.2 × orientation + 0.2 × length``; ties keep the source's
  order. A library file that shares no word with the cue or sentence is not offered.

No clip is used twice: a source skips the clip ids it has used in this video (``used``) and
those the channel used in its last videos (``exclude``, from ``analytics.footage_usage``).
A clip plays from its liveliest stretch (:func:`liveliest_start`) and is fitted by cover
(the renderer scales it up and crops: no letterboxing).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np
from PIL import Image

from ytempire.media.render import clip_problem
from ytempire.models import Footage, Narration, VisualCue
from ytempire.providers.pexels import PexelsClient

CLIP_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"a", "an", "the", "of", "and", "or", "in", "on", "to", "for", "with", "at", "by"}
_STOP |= {"is", "are", "was", "it", "its", "this", "that", "as", "be", "from", "we", "you"}
DEFAULT_SHOT_S = 5.0
RELEVANCE_WEIGHT, ORIENTATION_WEIGHT, LENGTH_WEIGHT = 0.6, 0.2, 0.2
# Motion is measured on frames this small, over at most this much of a clip.
MOTION_SIZE = (32, 18)
MOTION_SCAN_S = 60.0


def words(text: str) -> set[str]:
    """Lower-case words of ``text`` without stop words (file names split on - _ . too)."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def stem(word: str) -> str:
    """``word`` without a plural or verb ending (holes → hole, galaxies → galaxy, boxes →
    box, orbiting → orbit, glowed → glow); a stem keeps at least three letters, and words
    in -ss, -us, -is keep their s (glass, virus, axis)."""
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    if word.endswith(("ches", "shes", "xes", "zes", "sses")) and len(word) > 5:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def terms(text: str) -> set[str]:
    """The stemmed :func:`words` of ``text``: what relevance is measured on."""
    return {stem(w) for w in words(text)}


@dataclass(frozen=True)
class Want:
    """What a cue's shot needs: the cue, the sentence spoken over it, its expected length."""

    cue: VisualCue
    sentence: str = ""
    length_s: float = DEFAULT_SHOT_S


@dataclass
class Candidate:
    """A clip or photo a source could use, before it is fetched."""

    clip_id: str
    kind: str  # "clip" or "photo"
    words: set[str]
    size: tuple[int, int] | None = None
    duration_s: float | None = None
    item: Any = None  # the source's own handle (a search result, a path)


def relevance(want: Want, candidate_terms: set[str]) -> float:
    """Token overlap of a candidate's stemmed words with the cue's (double weight) and the
    sentence's, 0..1 (see the module docstring)."""
    cue, sentence = terms(cue_query(want.cue)), terms(want.sentence) - terms(cue_query(want.cue))
    total = 2 * len(cue) + len(sentence)
    if not total:
        return 0.0
    return (2 * len(cue & candidate_terms) + len(sentence & candidate_terms)) / total


def score(want: Want, candidate: Candidate, landscape: bool) -> float:
    """The candidate's rank score for ``want`` in a video that is ``landscape`` or not."""
    if candidate.size is None or not all(candidate.size):
        orientation = 0.5
    else:
        orientation = 1.0 if (candidate.size[0] >= candidate.size[1]) == landscape else 0.0
    if candidate.kind == "clip" and candidate.duration_s:
        length = min(1.0, candidate.duration_s / max(want.length_s, 0.1))
    else:
        length = 0.5
    return (
        RELEVANCE_WEIGHT * relevance(want, {stem(w) for w in candidate.words})
        + ORIENTATION_WEIGHT * orientation
        + LENGTH_WEIGHT * length
    )


def rank(
    want: Want, candidates: Sequence[Candidate], landscape: bool
) -> list[tuple[float, Candidate]]:
    """``candidates`` best first by :func:`score`; equal scores keep their order."""
    scored = [(score(want, c, landscape), i, c) for i, c in enumerate(candidates)]
    return [(s, c) for s, _, c in sorted(scored, key=lambda t: (-t[0], t[1]))]


def liveliest_start(path: Path, length_s: float) -> float:
    """Where the ``length_s`` stretch of the clip at ``path`` with the most motion starts.

    Motion is the mean absolute difference of consecutive frames decoded at 32x18 grey
    (within the first minute); a clip no longer than ``length_s`` starts at 0."""
    times: list[float] = []
    motion: list[float] = []
    previous: np.ndarray | None = None
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            if frame.time is None:
                continue
            if frame.time > MOTION_SCAN_S:
                break
            small = frame.reformat(*MOTION_SIZE, format="gray").to_ndarray().astype(np.int16)
            motion.append(0.0 if previous is None else float(np.abs(small - previous).mean()))
            times.append(float(frame.time))
            previous = small
    if not times or times[-1] - times[0] <= length_s:
        return 0.0
    values = np.asarray(motion)
    ends = np.searchsorted(times, np.asarray(times) + length_s)
    sums = np.concatenate([[0.0], np.cumsum(values)])
    fits = [i for i in range(len(times)) if times[i] + length_s <= times[-1]]
    best = max(fits, key=lambda i: (sums[ends[i]] - sums[i], -i))
    return round(times[best], 3)


class FootageSource(Protocol):
    name: str

    def find(self, want: Want, destination: Path, notes: list[str]) -> Footage | None:
        """Footage for ``want`` saved under ``destination`` (a stem: the source adds the
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


def _footage(
    candidate: Candidate, path: Path, source: str, want: Want, credit: str = ""
) -> Footage:
    """The chosen candidate as footage; a clip starts at its liveliest stretch."""
    start = liveliest_start(path, want.length_s) if candidate.kind == "clip" else 0.0
    return Footage(
        path=path,
        kind=candidate.kind,
        source=source,
        keywords=sorted(words(cue_query(want.cue))),
        credit=credit,
        clip_id=candidate.clip_id,
        start_s=start,
    )


@dataclass
class LocalLibrary:
    """A folder of clips and pictures. A file's words are those of its name plus those of a
    ``<file>.txt`` beside it (words or comma-separated phrases); files are ranked like
    Pexels' results (module docstring), and only those that share a word with the cue or
    the sentence are offered. Each file is used once per video (``used``), and not at all
    when the channel used it lately (``exclude``); its clip id is ``library:<name>``."""

    folder: Path
    name: str = "library"
    orientation: str = "landscape"
    used: set[str] = field(default_factory=set)
    exclude: set[str] = field(default_factory=set)

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

    def find(self, want: Want, destination: Path, notes: list[str]) -> Footage | None:
        candidates = []
        for path, tags in self.index():
            clip_id = f"library:{path.relative_to(self.folder).as_posix()}"
            if clip_id in self.used or clip_id in self.exclude:
                continue
            if relevance(want, {stem(t) for t in tags}) == 0:
                continue
            kind = "clip" if path.suffix.lower() in CLIP_SUFFIXES else "photo"
            # Checked before it is ranked (a broken file has no size to rank by), and
            # passed over for good once it fails: its note is written once.
            problem = clip_problem(path) if kind == "clip" else picture_problem(path)
            if problem:
                notes.append(f"library {kind} {path.name} skipped: {problem}")
                self.used.add(clip_id)
                continue
            candidates.append(Candidate(clip_id, kind, tags, *_measure(path, kind), item=path))
        ranked = rank(want, candidates, self.orientation == "landscape")
        if not ranked:
            return None
        best = ranked[0][1]
        self.used.add(best.clip_id)
        return _footage(best, best.item, self.name, want)


def _measure(path: Path, kind: str) -> tuple[tuple[int, int] | None, float | None]:
    """(width, height) and, for a clip, duration of a library file; None where unreadable
    (the file is checked properly before it is used)."""
    try:
        if kind == "photo":
            with Image.open(path) as image:
                return image.size, None
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            duration = container.duration / 1_000_000 if container.duration else None
            return (stream.width, stream.height), duration
    except (OSError, ValueError, IndexError, av.FFmpegError):
        return None, None


def _photo_suffix(candidate: Candidate) -> str:
    """The photo's file suffix from its link (``.jpg`` when it names none we show)."""
    suffix = Path(candidate.item["link"].split("?")[0]).suffix.lower()
    return suffix if suffix in PHOTO_SUFFIXES else ".jpg"


def _slug_words(url: str) -> set[str]:
    """The words of a Pexels page URL's slug (``/video/black-hole-in-space-123/``)."""
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    return {w for w in words(slug.replace("-", " ")) if not w.isdigit()}


@dataclass
class PexelsSource:
    """Pexels video search, then photo search, for each cue: each answer's results ranked
    (module docstring), the best one not used in this video nor lately by the channel
    downloaded. Clip ids are ``pexels:video:<id>`` and ``pexels:photo:<id>``."""

    client_factory: Callable[[], PexelsClient]
    orientation: str = "landscape"
    name: str = "pexels"
    on_call: Callable[[str, int], None] | None = None  # (operation, latency_ms)
    used: set[str] = field(default_factory=set)
    exclude: set[str] = field(default_factory=set)
    per_page: int = 15

    def find(self, want: Want, destination: Path, notes: list[str]) -> Footage | None:
        query = cue_query(want.cue)
        if not query.strip():
            return None
        with self.client_factory() as client:
            started = time.perf_counter()
            videos = client.search_videos(
                query, orientation=self.orientation, per_page=self.per_page
            )
            self._record("pexels_video_search", started)
            clips = [
                Candidate(
                    f"pexels:video:{v['id']}", "clip", _slug_words(v.get("url") or "")
                    | words(" ".join(v.get("tags") or [])),
                    (int(v.get("width") or 0), int(v.get("height") or 0)),
                    float(v.get("duration") or 0) or None, item=v,
                )
                for v in videos
            ]  # fmt: skip

            def save(candidate: Candidate, suffix: str) -> Path:
                return client.download(candidate.item["link"], destination.with_suffix(suffix))

            found = self._take(want, clips, lambda c: save(c, ".mp4"), notes)
            if found is not None:
                return found
            started = time.perf_counter()
            photos = client.search_photos(
                query, orientation=self.orientation, per_page=self.per_page
            )
            self._record("pexels_photo_search", started)
            pictures = [
                Candidate(
                    f"pexels:photo:{p['id']}", "photo",
                    _slug_words(p.get("url") or "") | words(p.get("alt") or ""),
                    (int(p.get("width") or 0), int(p.get("height") or 0)), item=p,
                )
                for p in photos
            ]  # fmt: skip
            return self._take(want, pictures, lambda c: save(c, _photo_suffix(c)), notes)

    def _take(
        self,
        want: Want,
        candidates: list[Candidate],
        save: Callable[[Candidate], Path],
        notes: list[str],
    ) -> Footage | None:
        """The best ranked candidate not used yet that downloads and can be shown."""
        landscape = self.orientation == "landscape"
        for _, candidate in rank(want, self._fresh(candidates), landscape):
            self.used.add(candidate.clip_id)
            path = save(candidate)
            clip = candidate.kind == "clip"
            problem = clip_problem(path) if clip else picture_problem(path)
            if problem:
                what = "video" if clip else "photo"
                notes.append(f"pexels {what} {candidate.item['id']} skipped: {problem}")
                continue
            return _footage(candidate, path, self.name, want, candidate.item["credit"])
        return None

    def _fresh(self, candidates: list[Candidate]) -> list[Candidate]:
        return [c for c in candidates if c.clip_id not in self.used | self.exclude]

    def _record(self, operation: str, started: float) -> None:
        if self.on_call:
            self.on_call(operation, round((time.perf_counter() - started) * 1000))


def find_all(
    wants: Sequence[Want | VisualCue], source: FootageSource, folder: Path
) -> tuple[list[Footage | None], list[str]]:
    """Footage for each want (a bare cue: no sentence, the default length) from ``source``
    (None where none), and notes on what was skipped. Provider errors propagate: the
    caller's fallback policy decides."""
    notes: list[str] = []
    found: list[Footage | None] = []
    for i, want in enumerate(wants):
        if isinstance(want, VisualCue):
            want = Want(want)
        found.append(source.find(want, folder / f"footage_{i:02d}", notes))
    return found, notes


def wants_for(cues: Sequence[tuple[int, VisualCue]], narration: Narration) -> list[Want]:
    """A :class:`Want` for each (block, cue): a block's shots share the time after its card
    (estimated as equal parts of the block with the card), and the sentence spoken over a
    shot is the one at the middle of its part."""
    spans = narration.block_spans()
    per_block: dict[int, int] = {}
    for block, _ in cues:
        per_block[block] = per_block.get(block, 0) + 1
    seen: dict[int, int] = {}
    wants = []
    for block, cue in cues:
        k = seen.get(block, 0)
        seen[block] = k + 1
        if block >= len(spans):
            wants.append(Want(cue))
            continue
        start, end = spans[block]
        part = (end - start) / (per_block[block] + 1)
        middle = start + part * (k + 1.5)
        spoken = [s.text for s in narration.sentences if s.block == block and s.start <= middle]
        wants.append(Want(cue, spoken[-1] if spoken else "", max(part, 1.0)))
    return wants


def fill(first: list[Footage | None], then: list[Footage | None]) -> list[Footage | None]:
    """``first``'s footage, and ``then``'s where ``first`` has none."""
    return [a if a is not None else b for a, b in zip(first, then, strict=True)]
