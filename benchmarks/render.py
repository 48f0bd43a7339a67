"""Time the render stage on a fixed timeline: speed, peak memory, size and VMAF.

    .venv/bin/python benchmarks/render.py [--minutes 5] [--workdir /tmp/ytempire-bench-render]
                                          [--no-vmaf] [--vmaf-subsample 1] [--encoder auto]
                                          [--preset calm-explainer|fast-cuts|data-story]
                                          [--captions clean|bold-pop|karaoke]

The timeline is the issue's: a slide every 10 s (30 in 5 minutes), half of them photo-like
pictures that pan, half text cards; a crossfade at every cut; a subtitle cue every ~3 s with
short gaps (as the voice stage writes them), its words timed evenly over it and burned in
word by word (``--captions``: the caption style, clean by default); a text overlay over
every third segment (3 s, as the script's text-overlay cues are shown); a narration WAV.
With ``--preset`` the timeline is paced by that style preset instead, as if every block
had footage: cards hold the preset's ``card_s`` and pictures its ``shot_s``, alternating; a
picture comes in with the preset's transition into shots, a card with its transition between
blocks; pictures pan with its zoom (or not at all); the captions take its shape. Prints one
line:

    render: <x> x realtime, peak_rss_mb=<n>, size_mb=<m>, vmaf=<v>

and, on stderr, the render's time, encoder and pictures encoded.

Peak RSS is the largest sum, sampled every 20 ms, of this process and all its children
(the FFmpeg processes that run at once). VMAF compares the render with the reference: every
frame of the same timeline drawn by one straightforward filtergraph
(:mod:`ytempire.media.reference`), uncompressed, scored by libvmaf. Not a test: figures
depend on the machine.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
from PIL import Image

from ytempire.media.reference import vmaf
from ytempire.media.render import RenderOptions, render_timeline
from ytempire.media.subtitles import CAPTION_STYLE_NAMES, parse_srt
from ytempire.models import (
    TIMED_TEXTS,
    CaptionStyleName,
    Overlay,
    Pan,
    ScriptBlock,
    Segment,
    Slide,
    TimedText,
    Timeline,
    Transition,
)
from ytempire.visuals.overlays import text_overlay
from ytempire.visuals.presets import StylePreset, preset_named
from ytempire.visuals.slides import render_slide
from ytempire.workspace import write_text

SLIDE_S = 10.0
SIZE = (1920, 1080)
WORDS = (
    "black holes slowly lose their mass as radiation leaks away from the horizon and "
    "the smaller they get the faster they shine until they finally vanish in a flash"
).split()


def photo(path: Path, seed: int) -> Path:
    """A photo-like 1920x1080 picture: smooth colour fields, texture at every scale, grain."""
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    width, height = SIZE
    acc = np.zeros((height, width, 3), np.float32)
    for scale, amplitude in [(3, 110), (12, 45), (48, 22), (192, 10), (768, 5)]:
        small = rng.random((max(2, height * scale // 1920), max(2, width * scale // 1920), 3))
        layer = Image.fromarray((small * 255).astype(np.uint8)).resize(
            (width, height), Image.Resampling.BICUBIC
        )
        acc += (np.asarray(layer, np.float32) / 255 - 0.5) * amplitude
    acc += rng.normal(0, 1.5, acc.shape)
    Image.fromarray(np.clip(acc + 128, 0, 255).astype(np.uint8)).save(path, compress_level=1)
    return path


def narration(path: Path, seconds: float) -> Path:
    """A 48 kHz stereo 16-bit WAV: a tone that wavers, like the mastered voice stage's."""
    rate = 48_000
    t = np.arange(round(seconds * rate)) / rate
    tone = 0.25 * np.sin(2 * np.pi * (220 + 30 * np.sin(t)) * t)
    samples = (np.stack([tone, tone], axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def subtitles(path: Path, seconds: float) -> Path:
    """A cue every ~3 s (2.6-3.4 s on screen, 0.3 s apart), as the voice stage writes."""
    rng = np.random.default_rng(7)
    lines, t, index = [], 0.2, 1
    while t < seconds - 1:
        length = float(rng.uniform(2.6, 3.4))
        end = min(seconds - 0.2, t + length)
        words = " ".join(rng.choice(WORDS, size=int(rng.integers(6, 11))))
        lines += [str(index), f"{_srt(t)} --> {_srt(end)}", words.capitalize(), ""]
        t, index = end + 0.3, index + 1
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def word_timings(srt: Path, path: Path) -> Path:
    """``path``: the cues' words as words.json, each cue's time shared evenly among them (a
    new block every 5 cues)."""
    words = []
    for number, (start, end, text) in enumerate(parse_srt(srt.read_text(encoding="utf-8"))):
        said = text.split()
        step = (end - start) / len(said)
        words += [
            TimedText(
                text=w, start=start + k * step, end=start + (k + 0.8) * step, block=number // 5
            )
            for k, w in enumerate(said)
        ]
    return write_text(path, TIMED_TEXTS.dump_json(words).decode())


def _srt(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _holds(seconds: float, preset: StylePreset | None) -> list[tuple[float, float]]:
    """(start, end) of each segment: every 10 s, or the preset's card and shot holds."""
    if preset is None:
        count = max(2, math.ceil(seconds / SLIDE_S))
        return [(i * SLIDE_S, min(seconds, (i + 1) * SLIDE_S)) for i in range(count)]
    spans, t, i = [], 0.0, 0
    while t < seconds:
        hold = preset.shot_s if i % 2 else preset.card_s
        spans.append((t, min(seconds, t + hold)))
        t, i = t + hold, i + 1
    return spans


def _transition(preset: StylePreset | None, index: int) -> Transition | None:
    if index == 0:
        return None
    if preset is None:
        return Transition(kind="fade", duration_s=0.5)
    kind, length = (
        (preset.into_shots, preset.shot_transition_s)
        if index % 2
        else (preset.transition, preset.transition_s)
    )
    return Transition(kind=kind, duration_s=length) if kind != "cut" and length else None


def bench_timeline(
    minutes: float,
    folder: Path,
    preset: StylePreset | None = None,
    captions: CaptionStyleName = "clean",
) -> Timeline:
    """The fixed benchmark timeline of ``minutes`` minutes, its media made in ``folder``,
    paced by ``preset`` when one is given, captions in the ``captions`` style (see the
    module)."""
    folder.mkdir(parents=True, exist_ok=True)
    seconds = minutes * 60
    holds = _holds(seconds, preset)
    count = len(holds)
    zoom = 1.1 if preset is None else preset.pan_zoom
    segments, slides = [], []
    for i, (start, end) in enumerate(holds):
        if i % 2:
            path = photo(folder / f"photo_{i % 12:02d}.png", seed=i % 12)
            directions = [((0, 0.5), (1, 0.5)), ((1, 0.2), (0, 0.8)), ((0.5, 0), (0.5, 1))]
            a, b = directions[i % 3]
            pan: Pan | None = Pan(start=a, end=b, zoom=zoom) if zoom else None
        else:
            path = folder / f"card_{i:02d}.png"
            if not path.exists():
                block = ScriptBlock(
                    kind="section",
                    heading=f"Part {i // 2 + 1}: where the energy goes",
                    text="Black holes glow faintly. The glow carries energy away. "
                    "Smaller holes glow brighter. In the end they vanish.",
                )
                render_slide(block, SIZE, index=i, total=count, video_title="Bench").save(
                    path, compress_level=1
                )
            pan = None
        transition = _transition(preset, i)
        overlays = []
        if i % 3 == 1 and end - start >= 4:
            text = text_overlay(
                f"Part {i // 3 + 1}: energy leaks away", SIZE, folder / f"text_{i:02d}.png"
            )
            overlays.append(Overlay(kind="text", image_path=text, start=start + 1, end=start + 4))
        segments.append(
            Segment(
                kind="still",
                path=path,
                start=start,
                end=end,
                pan=pan,
                transition=transition,
                overlays=overlays,
            )
        )
        slides.append(Slide(image_path=path, start=start, end=end, kind="section"))
    srt = subtitles(folder / f"subtitles_{minutes:g}.srt", seconds)
    return Timeline(
        engine="bench",
        width=SIZE[0],
        height=SIZE[1],
        duration_s=seconds,
        slides=slides,
        segments=segments,
        audio_path=narration(folder / f"narration_{minutes:g}.wav", seconds),
        subtitles_path=srt,
        subtitle_style=preset.caption if preset else "",
        words_path=word_timings(srt, folder / f"words_{minutes:g}.json"),
        caption_style=captions,
    )


class PeakRss:
    """Samples the summed RSS of this process and its descendants in a background thread."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.peak_kb = 0
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(me)))
            self._stop.wait(self._interval)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ytempire-bench-render"))
    parser.add_argument("--encoder", default="auto")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-vmaf", action="store_true")
    parser.add_argument(
        "--vmaf-subsample", type=int, default=1, help="score every n-th frame (faster)"
    )
    parser.add_argument(
        "--preset", default=None, help="pace the timeline by this style preset (docs/branding.md)"
    )
    parser.add_argument("--captions", default="clean", choices=CAPTION_STYLE_NAMES)
    args = parser.parse_args()

    preset = preset_named(args.preset) if args.preset else None
    timeline = bench_timeline(args.minutes, args.workdir / "media", preset, args.captions)
    output = args.workdir / f"render_{args.minutes:g}.mp4"
    options = RenderOptions(encoder=args.encoder, workers=args.workers)
    with PeakRss() as rss:
        started = time.perf_counter()
        video = render_timeline(timeline, output, work_dir=args.workdir / "work", options=options)
        seconds = time.perf_counter() - started
    score = (
        "skipped"
        if args.no_vmaf
        else f"{vmaf(timeline, output, args.workdir / 'vmaf', subsample=args.vmaf_subsample):.2f}"
    )
    print(
        f"render: {timeline.duration_s / seconds:.1f} x realtime, "
        f"peak_rss_mb={rss.peak_kb / 1024:.0f}, "
        f"size_mb={video.info.size_bytes / 1e6:.1f}, vmaf={score}"
    )
    print(
        f"  ({args.minutes:g} min video, preset {args.preset or 'none'}, captions "
        f"{args.captions}, in {seconds:.1f} s "
        f"with {video.encoder}: "
        f"{video.encoded_frames} pictures encoded for "
        f"{round(timeline.duration_s * timeline.fps)} frames)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
