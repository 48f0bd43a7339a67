"""Small real outputs of every stage, for the quality stage to judge.

A template-written script, a speech-like narration mastered to −14 LUFS (tone bursts with
short pauses, paced at 150 words per minute), an H.264 video of one slide with that
narration muxed in, and the three brand-art thumbnails ranked by the CTR heuristic.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.probe import probe
from ytempire.models import (
    WORDS_PER_MINUTE,
    Narration,
    RenderedVideo,
    Script,
    Slide,
    ThumbnailSet,
    Timeline,
    Topic,
    VideoJob,
)
from ytempire.quality import ctr
from ytempire.quality.audio import measure_loudness
from ytempire.script import compose
from ytempire.visuals import thumbnails
from ytempire.workspace import VideoFolder

RATE = 48_000
BURST_S, PAUSE_S = 1.8, 0.3
TOPIC = Topic(
    engine="requested",
    title="How black holes evaporate",
    keywords=["hawking radiation", "event horizon"],
    reason="test",
)


@dataclass
class Outputs:
    job: VideoJob
    folder: VideoFolder
    script: Script
    narration: Narration
    timeline: Timeline
    video: RenderedVideo
    thumbnails: ThumbnailSet


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """Mono float samples in [-1, 1] as a 16-bit WAV."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def speech_like(seconds: float, noise_dbfs: float | None = None) -> np.ndarray:
    """Tone bursts (a 220 Hz voice with harmonics) between short silent pauses; with
    ``noise_dbfs``, a steady hiss at that RMS level under all of it."""
    t = np.arange(round(seconds * RATE)) / RATE
    voice = sum(np.sin(2 * np.pi * 220 * k * t) / k for k in (1, 2, 3)) / 1.8
    talking = (t % (BURST_S + PAUSE_S)) < BURST_S
    samples = voice * talking
    if noise_dbfs is not None:
        rng = np.random.default_rng(1)
        samples = samples + rng.normal(0, 10 ** (noise_dbfs / 20), len(t))
    return samples


def mastered_wav(path: Path, seconds: float, noise_dbfs: float | None = None) -> Path:
    """A speech-like WAV at −14 LUFS integrated (measured, then scaled linearly)."""
    samples = speech_like(seconds, noise_dbfs) * 0.2
    write_wav(path, samples)
    gain = 10 ** ((-14.0 - measure_loudness(path).integrated_lufs) / 20)
    return write_wav(path, samples * gain)


def narration_for(path: Path, subtitles: Path) -> Narration:
    with wave.open(str(path)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    subtitles.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n", encoding="utf-8")
    return Narration(
        engine="test-voice",
        audio_path=path,
        subtitles_path=subtitles,
        duration_s=seconds,
        sample_rate=RATE,
        sentences=[],
    )


def mux(slide: Path, audio: Path, seconds: float, out: Path) -> Path:
    """An H.264 1080p30 yuv420p MP4 of ``slide`` for ``seconds`` with ``audio`` as AAC."""
    run(
        [
            ffmpeg_exe(),
            "-y",
            *("-loop", "1", "-framerate", "30", "-t", f"{seconds}", "-i", str(slide)),
            *("-i", str(audio)),
            *("-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage"),
            *("-pix_fmt", "yuv420p", "-r", "30", "-c:a", "aac", "-b:a", "192k"),
            *("-map", "0:v", "-map", "1:a", "-t", f"{seconds}", str(out)),
        ],
        timeout=120,
    )
    return out


def make_outputs(root: Path) -> Outputs:
    """Every output of a short video, real files in ``root``'s video folder: a template
    script of about 100 words (shorter ones use the keyword over 5%; the job's target is
    what it wrote), spoken at 150 words per minute (about 40 s)."""
    job = VideoJob(topic=TOPIC.title, minutes=0.6)
    folder = VideoFolder(root, job.video_id).create()
    # The template's text, standing for a finished script (a template-written one is scored
    # for what it is and never passes: tests/quality/test_judge.py).
    script = compose.write_template_script(job, TOPIC, folder)
    script = script.model_copy(update={"engine": "test-writer"})
    job = job.model_copy(update={"minutes": script.word_count() / WORDS_PER_MINUTE})
    seconds = script.word_count() * 60 / WORDS_PER_MINUTE
    narration = narration_for(
        mastered_wav(folder / "narration.wav", seconds), folder / "subtitles.srt"
    )
    slide = folder.work / "slide.png"
    slide.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1920, 1080), (28, 49, 94)).save(slide)
    video_path = mux(slide, narration.audio_path, narration.duration_s, folder / "video.mp4")
    timeline = Timeline(
        engine="test",
        width=1920,
        height=1080,
        duration_s=narration.duration_s,
        slides=[Slide(image_path=slide, start=0, end=narration.duration_s, kind="title")],
        audio_path=narration.audio_path,
    )
    video = RenderedVideo(
        engine="ffmpeg-libx264",
        path=video_path,
        encoder="libx264",
        seconds_to_render=0.0,
        info=probe(video_path),
    )
    made = thumbnails.make_thumbnails(script.title, [], folder.thumbnails)
    thumbs = ThumbnailSet(engine=thumbnails.ENGINE, variants=ctr.rank(made))
    return Outputs(job, folder, script, narration, timeline, video, thumbs)
