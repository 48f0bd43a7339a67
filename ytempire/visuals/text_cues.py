"""The script's text-overlay cues (seed §2.3) on screen, each at its time.

A cue belongs to its section. It appears when the narration says it (its first words found
among the section's word timings), else in its share of the section's time (a section with
two cues shows them one after the other), and stays ``HOLD_S`` or until the next cue of the
section or the section's end. It is drawn on the brand's panel in the top right corner of the
frame (:func:`ytempire.visuals.overlays.text_overlay`), clear of the captions and lower
thirds at the bottom, over every segment it spans (the intro card and end screen excepted).

A cue that cannot be shown (its section was not spoken, too little time, text that does not
fit, nothing on screen to lay it over) is left out with a line in the timeline's notes,
which the visuals stage records: never lost silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ytempire.models import Narration, Overlay, Script, TimedText, Timeline
from ytempire.voice.subtitles import unspaced_char

# How long an overlay stays at most, and at least (shorter is left out).
HOLD_S = 4.0
MIN_S = 1.0
# Segments that carry their own picture, which nothing is laid over.
_BARE = ("intro", "end_screen")
# How many of a cue's first words must be spoken in a row to time it by them; in a script
# written without spaces (Japanese, Chinese), how many of its first characters.
_MATCH_WORDS = 2
_MATCH_CHARS = 4


def _tokens(text: str) -> list[str]:
    """Lower-case words of any script; each character of an unspaced script on its own."""
    tokens: list[str] = []
    for word in re.findall(r"[\w']+", text.lower()):
        tokens += list(word) if any(map(unspaced_char, word)) else [word]
    return tokens


def _spoken_at(text: str, words: list[TimedText]) -> float | None:
    """When the narration starts saying ``text``'s first words, if it does."""
    tokens = _tokens(text)
    unspaced = bool(tokens) and len(tokens[0]) == 1 and unspaced_char(tokens[0])
    wanted = tokens[: _MATCH_CHARS if unspaced else _MATCH_WORDS]
    said = [(w.start, _tokens(w.text)) for w in words]
    flat = [(start, token) for start, tokens in said for token in tokens]
    for i in range(len(flat) - len(wanted) + 1):
        if wanted and [t for _, t in flat[i : i + len(wanted)]] == wanted:
            return flat[i][0]
    return None


def cue_times(script: Script, narration: Narration) -> list[tuple[str, float, float] | str]:
    """For each text-overlay cue in script order: (text, start_s, end_s), or why it cannot
    be shown (a one-line note)."""
    out: list[tuple[str, float, float] | str] = []
    for i, section in enumerate(script.sections):
        block = i + 1  # block 0 is the hook
        texts = [c.text.strip() for c in section.visual_cues if c.kind == "text_overlay"]
        sentences = [s for s in narration.sentences if s.block == block]
        if not sentences:
            out += [f"text overlay {t!r} left out: its section was not spoken" for t in texts]
            continue
        first, last = sentences[0].start, sentences[-1].end
        words = [w for w in narration.words if w.block == block]
        starts = [
            _spoken_at(t, words) or first + (last - first) * k / len(texts)
            for k, t in enumerate(texts)
        ]
        for k, (text, start) in enumerate(zip(texts, starts, strict=True)):
            later = [s for s in starts[k + 1 :] if s > start]
            end = min(start + HOLD_S, last, *later)
            if not text:
                out.append("a text overlay cue without text left out")
            elif end - start < MIN_S:
                out.append(f"text overlay {text!r} left out: {end - start:.1f}s on screen")
            else:
                out.append((text, start, end))
    return out


def add(
    timeline: Timeline,
    script: Script,
    narration: Narration,
    draw: Callable[[str, Path], Path],
    folder: Path,
) -> Timeline:
    """``timeline`` with each text-overlay cue laid over the segments it spans.

    ``draw(text, destination)`` makes the overlay picture (raising ValueError when the text
    cannot be set); cues that cannot be shown are left out with a note in ``notes``.
    """
    segments = list(timeline.shown())
    notes = list(timeline.notes)
    for n, placed in enumerate(cue_times(script, narration)):
        if isinstance(placed, str):
            notes.append(placed)
            continue
        text, start, end = placed
        under = [
            k
            for k, seg in enumerate(segments)
            if seg.label not in _BARE
            and seg.start < end
            and (segments[k + 1].start if k + 1 < len(segments) else timeline.duration_s) > start
        ]
        if not under:
            notes.append(f"text overlay {text!r} left out: only the intro or end screen then")
            continue
        try:
            picture = draw(text, folder / f"text_{n:02d}.png")
        except ValueError as exc:
            notes.append(f"text overlay {text!r} left out: {exc}")
            continue
        for k in under:
            overlay = Overlay(kind="text", image_path=picture, start=start, end=end)
            segments[k] = segments[k].model_copy(
                update={"overlays": [*segments[k].overlays, overlay]}
            )
    return timeline.model_copy(update={"segments": segments, "notes": notes})
