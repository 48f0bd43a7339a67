"""Time the voice stage's core on a template script: Piper synthesis and mastering.

    .venv/bin/python benchmarks/voice.py [--minutes 5] [--workspace /tmp/bench-voice]

Prints the script's size, Piper's speed (x real time), mastering's cost with and without a
music bed (a synthesised one: no copyrighted audio), the master's loudness, and what the
same script would take from the cloud engines (requests, billed characters, cost). Not a
test: figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import wave
from pathlib import Path

import numpy as np


def write_bed(path: Path, seconds: float = 30.0, rate: int = 44_100) -> Path:
    """A synthesised stereo music bed: a slow chord with a little noise."""
    t = np.arange(round(seconds * rate)) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    chord = chord * (0.6 + 0.4 * np.sin(2 * np.pi * 0.1 * t)) + 0.02 * np.random.default_rng(
        0
    ).normal(size=t.size)
    frames = np.stack([chord, chord], axis=1) * 0.5
    with wave.open(str(path), "wb") as file:
        file.setnchannels(2)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(np.round(frames * 32767).astype("<i2").tobytes())
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--topic", default="How black holes evaporate")
    parser.add_argument("--workspace", default=None)
    args = parser.parse_args()

    from ytempire.models import Topic, VideoJob
    from ytempire.script.compose import write_template_script
    from ytempire.voice import elevenlabs_tts, google_tts
    from ytempire.voice.chunks import plan_chunks, under_limit
    from ytempire.voice.master import master
    from ytempire.voice.piper_engine import PiperEngine, load_voice
    from ytempire.voice.synthesis import synthesize
    from ytempire.workspace import VideoFolder

    root = Path(args.workspace or tempfile.mkdtemp(prefix="ytempire-bench-voice-"))
    job = VideoJob(topic=args.topic, minutes=args.minutes)
    folder = VideoFolder(root, job.video_id).create()
    topic = Topic(engine="bench", title=args.topic, keywords=[args.topic.lower()], reason="bench")
    script = write_template_script(job, topic, folder)
    blocks = script.blocks()
    chars = sum(len(b.text) for b in blocks)
    print(
        f"script: {args.minutes:g} min requested, {script.word_count()} words, {chars} chars, "
        f"{len(blocks)} blocks; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )

    started = time.perf_counter()
    load_voice()
    print(f"piper load: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    raw = synthesize(PiperEngine(job.voice), blocks, folder.work / "voice_raw.wav")
    spent = time.perf_counter() - started
    print(
        f"piper: {raw.duration_s:.1f} s of speech in {spent:.2f} s = "
        f"{raw.duration_s / spent:.1f}x real time"
    )

    started = time.perf_counter()
    plain = master(raw.audio_path, folder / "narration.wav", work_dir=folder.work)
    spent = time.perf_counter() - started
    print(
        f"master: {spent:.2f} s ({plain.passes} limiter passes) = "
        f"{plain.duration_s / spent:.0f}x real time; {plain.loudness_lufs:.1f} LUFS, "
        f"{plain.true_peak_dbtp:.1f} dBTP, {plain.duration_s:.1f} s"
    )

    music = root / "music"
    music.mkdir(exist_ok=True)
    write_bed(music / "bed.wav")
    started = time.perf_counter()
    mixed = master(
        raw.audio_path,
        folder / "narration-music.wav",
        work_dir=folder.work,
        music_dir=music,
        music_key=job.video_id,
    )
    spent = time.perf_counter() - started
    print(
        f"master+music: {spent:.2f} s = {mixed.duration_s / spent:.0f}x real time; "
        f"{mixed.loudness_lufs:.1f} LUFS, {mixed.true_peak_dbtp:.1f} dBTP"
    )

    eleven = plan_chunks(blocks, under_limit())
    eleven_chars = sum(len(c.text) for c in eleven)
    google = plan_chunks(blocks, google_tts.fits)
    google_chars = sum(google_tts.billed_characters(c.sentences) for c in google)
    print(
        f"elevenlabs: {len(eleven)} requests, {eleven_chars} chars, "
        f"${eleven_chars * elevenlabs_tts.PRICE_PER_1K_CHARS / 1000:.3f}"
    )
    print(
        f"google: {len(google)} requests, {google_chars} billed chars, "
        f"${google_chars * google_tts.PRICE_PER_1K_CHARS / 1000:.4f}"
    )
    print(f"files in {folder.path}")


if __name__ == "__main__":
    main()
