"""Render a timeline of stills and a narration into one finished MP4, in one FFmpeg pass.

The stills go through FFmpeg's concat demuxer: each PNG is decoded once and held for its
duration, then converted to yuv420p *before* ``fps`` duplicates it into frames, which is
what keeps a slideshow several times faster than real time on two cores (ENVIRONMENT.md).
"""

from __future__ import annotations

import time
from pathlib import Path

import ffmpeg
from PIL import Image, UnidentifiedImageError

from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.probe import probe
from ytempire.models import MediaInfo, RenderedVideo, Timeline
from ytempire.workspace import atomic_path, write_text

VIDEO_CODEC = "h264"
VIDEO_PROFILE = "High"
PIXEL_FORMAT = "yuv420p"
AUDIO_CODEC = "aac"
AUDIO_PROFILE = "LC"
AUDIO_RATE = 48_000
AUDIO_CHANNELS = 2
AUDIO_BITRATE = "192k"
MAX_DURATION_ERROR_S = 0.1
MAX_AV_OFFSET_MS = 50.0
FPS_TOLERANCE = 0.01

# Rate-control options per H.264 encoder. x264's default GOP (250) is kept on purpose: a short
# GOP makes static slides several times larger for no gain.
ENCODER_OPTIONS: dict[str, dict[str, str | int]] = {
    "libx264": {"preset": "veryfast", "crf": 20, "tune": "stillimage"},
    "h264_nvenc": {"preset": "p4", "rc": "vbr", "cq": 21, "b:v": 0},
}


class RenderError(RuntimeError):
    """The timeline cannot be rendered, or the rendered file is not what was asked for."""


def slide_schedule(timeline: Timeline) -> list[tuple[Path, int]]:
    """Each slide's image and how many frames it is shown, covering the timeline exactly.

    A slide is held from its start until the next slide starts (the first from 0, the last
    until ``duration_s``), so gaps never show black. Boundaries are snapped to the frame grid;
    a slide shorter than one frame is dropped. The frame counts sum to
    ``round(duration_s * fps)`` (at least 1).
    """
    fps = timeline.fps
    total = max(1, round(timeline.duration_s * fps))
    slides = sorted(timeline.slides, key=lambda s: s.start)
    starts = [0] + [min(total, max(0, round(s.start * fps))) for s in slides[1:]]
    ends = [*starts[1:], total]
    return [
        (slide.image_path, end - start)
        for slide, start, end in zip(slides, starts, ends, strict=True)
        if end > start
    ]


def concat_list_text(timeline: Timeline) -> str:
    """The ffconcat list that shows each slide for its scheduled time.

    Paths are made absolute (the list is read with ``-safe 0``). The last file is listed a
    second time because the concat demuxer ignores the last entry's ``duration``: the repeat
    puts a frame at the very end, so ``fps`` fills the last slide's whole span.
    """
    fps = timeline.fps
    lines = ["ffconcat version 1.0"]
    schedule = slide_schedule(timeline)
    for image, frames in schedule:
        lines += [
            f"file {_quote(image)}",
            # Time-stamp each still at the output rate, so slide changes land on frames.
            f"option framerate {fps}",
            f"duration {frames / fps:.6f}",
        ]
    lines += [f"file {_quote(schedule[-1][0])}", f"option framerate {fps}"]
    return "\n".join(lines) + "\n"


def build_command(
    timeline: Timeline,
    output: Path,
    *,
    encoder: str = "libx264",
    concat_list: Path,
) -> list[str]:
    """The FFmpeg command line that renders ``timeline`` to ``output`` (MP4). Pure.

    ``concat_list`` is where :func:`concat_list_text` will have been written. The output is
    H.264 High yuv420p at ``timeline.fps`` CFR and ``width``x``height``, AAC-LC 48 kHz stereo
    192 kb/s, faststart, exactly as long as the timeline (the narration is padded with
    silence or cut to fit). Raises ValueError for an encoder it has no settings for.
    """
    try:
        rate_control = ENCODER_OPTIONS[encoder]
    except KeyError:
        known = ", ".join(sorted(ENCODER_OPTIONS))
        raise ValueError(f"no render settings for encoder {encoder!r} (known: {known})") from None
    width, height, fps = timeline.width, timeline.height, timeline.fps
    frames = sum(count for _, count in slide_schedule(timeline))

    slides = ffmpeg.input(str(concat_list), f="concat", safe=0)
    narration = ffmpeg.input(str(timeline.audio_path))
    video = (
        slides.video.filter("scale", width, height, force_original_aspect_ratio="decrease")
        .filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2")
        .filter("setsar", 1)
        .filter("format", PIXEL_FORMAT)
        .filter("fps", fps)
    )
    # apad makes the narration endless; -t below ends both streams at the same instant.
    audio = narration.audio.filter("aresample", AUDIO_RATE).filter("apad")
    out = ffmpeg.output(
        video,
        audio,
        str(output),
        **{
            "c:v": encoder,
            "profile:v": "high",
            "pix_fmt": PIXEL_FORMAT,
            "r": fps,
            **rate_control,
            "c:a": "aac",
            "profile:a": "aac_low",
            "b:a": AUDIO_BITRATE,
            "ar": AUDIO_RATE,
            # Mono -> stereo at -3 dB per side keeps the measured loudness (BS.1770) unchanged.
            "ac": AUDIO_CHANNELS,
            "t": f"{frames / fps:.6f}",
            "movflags": "+faststart",
        },
    )
    # -xerror: without it a missing or corrupt slide is skipped and FFmpeg still exits 0.
    command: list[str] = ffmpeg.compile(out, cmd=[ffmpeg_exe(), "-xerror"], overwrite_output=True)
    return command


def render_timeline(
    timeline: Timeline,
    output: Path,
    *,
    work_dir: Path,
    encoder: str = "libx264",
) -> RenderedVideo:
    """Render ``timeline`` to ``output`` and return what was verifiably written.

    The concat list goes into ``work_dir``; FFmpeg writes a temporary file beside ``output``
    that is renamed into place only after :func:`probe` and :func:`verify` accept it.
    Raises RenderError (one line) for missing/unreadable inputs or a file that fails
    verification, FFmpegError if FFmpeg itself fails; in every case no output file is left.
    """
    _check_inputs(timeline)
    work_dir.mkdir(parents=True, exist_ok=True)
    concat_list = write_text(work_dir / f"{output.stem}.ffconcat", concat_list_text(timeline))
    started = time.perf_counter()
    with atomic_path(output) as tmp:
        command = build_command(timeline, tmp, encoder=encoder, concat_list=concat_list)
        # Generous: a 1080p slideshow renders several times faster than real time.
        run(command, timeout=120 + 10 * timeline.duration_s)
        info = probe(tmp)
        problems = verify(info, timeline)
        if problems:
            raise RenderError(f"render of {output} failed verification: {'; '.join(problems)}")
    seconds = time.perf_counter() - started
    return RenderedVideo(
        engine=f"ffmpeg-{encoder}",
        cost_usd=0.0,
        path=output,
        encoder=encoder,
        seconds_to_render=seconds,
        info=info.model_copy(update={"path": output}),
    )


def verify(info: MediaInfo, timeline: Timeline) -> list[str]:
    """What is wrong with a rendered file for this timeline, as short phrases; [] if nothing.

    Checks H.264 High yuv420p at the timeline's size and fps, AAC-LC 48 kHz stereo, video
    length within 0.1 s of ``timeline.duration_s``, and audio/video starting within 50 ms.
    """
    problems: list[str] = []

    def expect(name: str, got: object, want: object) -> None:
        if got != want:
            problems.append(f"{name} {got}, want {want}")

    expect("video codec", info.video_codec, VIDEO_CODEC)
    expect("profile", info.video_profile, VIDEO_PROFILE)
    expect("pixel format", info.pixel_format, PIXEL_FORMAT)
    expect("size", f"{info.width}x{info.height}", f"{timeline.width}x{timeline.height}")
    if abs(info.fps - timeline.fps) > FPS_TOLERANCE:
        problems.append(f"fps {info.fps:g}, want {timeline.fps}")
    if info.audio_codec is None:
        problems.append("no audio stream")
    else:
        expect("audio codec", info.audio_codec, AUDIO_CODEC)
        expect("audio profile", info.audio_profile, AUDIO_PROFILE)
        expect("sample rate", info.sample_rate, AUDIO_RATE)
        expect("channels", info.channels, AUDIO_CHANNELS)
    if abs(info.video_duration_s - timeline.duration_s) > MAX_DURATION_ERROR_S:
        problems.append(
            f"video lasts {info.video_duration_s:.3f}s, want {timeline.duration_s:.3f}s"
        )
    if info.av_offset_ms > MAX_AV_OFFSET_MS:
        problems.append(f"audio and video start {info.av_offset_ms:.0f} ms apart")
    return problems


def _check_inputs(timeline: Timeline) -> None:
    """Fail with a message naming the file, before FFmpeg fails with a vaguer one."""
    if not timeline.audio_path.is_file():
        raise RenderError(f"narration audio missing: {timeline.audio_path}")
    for index, slide in enumerate(timeline.slides, start=1):
        path = slide.image_path
        if not path.is_file():
            raise RenderError(f"slide {index} image missing: {path}")
        try:
            with Image.open(path) as image:
                image.verify()
        except (OSError, SyntaxError, UnidentifiedImageError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RenderError(f"slide {index} image unreadable: {path}: {reason}") from None


def _quote(path: Path) -> str:
    """A path as an ffconcat string literal: absolute, single-quoted, quotes escaped."""
    return "'" + str(path.absolute()).replace("'", "'\\''") + "'"
