"""Render a timeline and its narration into the finished MP4, at a cost that follows what
changes on screen rather than how long the video is.

1. :mod:`ytempire.media.plan` finds the pictures that differ: a still costs one picture per
   subtitle change or pan step, a transition or a clip one per frame.
2. The pieces are split into parts of about equal work; each part is one FFmpeg process
   whose filtergraph decodes each picture once, converts its pixel format before anything
   is duplicated, and hands the encoder only those pictures (parts run in parallel, and the
   narration is encoded to AAC beside them).
   Each picture that starts a shot is a key frame (IDR), and one picture at least every
   ``KEY_INTERVAL_S`` of a long shot, so a reader can seek to any shot.
3. :func:`ytempire.media.h264.splice` joins the parts' streams and holds each picture on
   screen with skip frames, then one FFmpeg pass copies video and audio into the MP4.
4. :func:`verify` checks the file with PyAV; a failure fails the render.

Encoders whose streams cannot carry skip frames (NVENC) get every frame instead, and the
parts are joined as they are.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ytempire.fonts import caption_fonts
from ytempire.language import language
from ytempire.media import encoder as encoders
from ytempire.media import h264
from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.graph import Graph, Stream
from ytempire.media.plan import (
    Cue,
    Piece,
    RenderPlan,
    any_of,
    cue_frames,
    holds,
    key_pictures,
    plan,
    word_cue_frames,
)
from ytempire.media.plan import (
    cost as plan_cost,
)
from ytempire.media.probe import ProbeError, probe
from ytempire.media.subtitles import (
    CAPTION_STYLES,
    ass_script,
    ass_text,
    caption_lines,
    karaoke_text,
    parse_srt,
    speaker_colour,
    style_fields,
)
from ytempire.models import MediaInfo, RenderedVideo, Segment, Stage, Timeline
from ytempire.progress import Steps
from ytempire.workspace import atomic_path, write_text

VIDEO_CODEC = "h264"
VIDEO_PROFILE = "High"
PIXEL_FORMAT = "yuv420p"
# What transitions are drawn in (xfade takes 4:4:4 only).
BLEND_FORMAT = "yuv444p"
# Matrix, primaries and transfer of every picture: HD's, which YouTube assumes for 1080p.
COLOUR_STANDARD = "bt709"
BT709_CODES = (1, 1, 1)  # how probe reports it: H.273 matrix, primaries, transfer
AUDIO_CODEC = "aac"
AUDIO_PROFILE = "LC"
AUDIO_RATE = 48_000
AUDIO_CHANNELS = 2
AUDIO_BITRATE = "192k"
MAX_DURATION_ERROR_S = 0.1
MAX_AV_OFFSET_MS = 50.0
FPS_TOLERANCE = 0.01
# Far above what a CRF render of 1080p carries; a file past it was encoded wrongly.
MAX_BITRATE_BPS = 50_000_000
# A clip whose packets stop this much before its stated length is truncated.
CLIP_TRUNCATION_S = 0.5
# Longest stretch without a key frame where the picture changes (the key-frame picker
# trusts key frames at most 15 s apart).
KEY_INTERVAL_S = 10.0


class RenderError(RuntimeError):
    """The timeline cannot be rendered, or the rendered file is not what was asked for."""


@dataclass(frozen=True)
class RenderOptions:
    """How to render; every field comes from a setting."""

    encoder: str = encoders.AUTO
    workers: int = 2
    crf: int = 20
    preset: str = "ultrafast"
    burn_subtitles: bool = True
    subtitle_style: str = ""
    fonts_dir: Path | None = None


def slide_schedule(timeline: Timeline) -> list[tuple[Path, int]]:
    """Each shown segment's file and how many frames it is on screen (cuts only), covering
    the timeline exactly; a segment shorter than one frame is dropped."""
    laid = plan(timeline, collapse=False)
    ends = [*(p.first for p in laid.pieces[1:]), laid.total_frames]
    return [
        (laid.segments[p.segment].path, end - p.first)
        for p, end in zip(laid.pieces, ends, strict=True)
    ]


# --- the filtergraph of one part ----------------------------------------------------------


@dataclass
class _Sources:
    """What a part's FFmpeg reads: file names in its working folder, clip inputs."""

    names: dict[int, str]  # segment index -> file name in the work folder
    overlays: dict[tuple[int, int], tuple[str, int, int]]  # (segment, overlay) -> name, x, y
    inputs: list[list[str]]  # "-ss", "-t", "-i" arguments of each clip input


def part_graph(
    laid: RenderPlan,
    pieces: tuple[Piece, ...],
    sources: _Sources,
    subtitles: str | None,
) -> tuple[str, str]:
    """The filtergraph that makes the pictures of ``pieces`` in order. Pure apart from
    registering clip inputs in ``sources.inputs``. Returns (graph text, output label)."""
    g = Graph()
    width, height, fps = laid.width, laid.height, laid.fps
    prepared: dict[tuple[int, str], Stream] = {}

    def scale(s: Stream, w: int, h: int, fit: str) -> Stream:
        # RGB to BT.709 limited range, and the frames say so: untagged, FFmpeg marks them
        # with the source's RGB matrix, which 4:2:0 cannot carry and the encoder writes out.
        return g.filter(
            s, "scale", w=w, h=h, force_original_aspect_ratio=fit,
            out_range="tv", out_color_matrix=COLOUR_STANDARD,
        )  # fmt: skip

    def still(index: int, fmt: str) -> Stream:
        """The still decoded, fitted and converted once, before the loop that repeats it (so
        each repeated picture is only a reference, or a crop for a pan): to 4:4:4 for the
        transitions, and from that to ``fmt``."""
        if (index, BLEND_FORMAT) not in prepared:
            segment, pan = laid.segments[index], laid.pans[index]
            s = g.source("movie", filename=sources.names[index])
            if pan:
                w, h = pan.scaled
                s = g.filter(scale(s, w, h, "increase"), "crop", w=w, h=h)
            elif segment.fit == "cover":
                s = g.filter(scale(s, width, height, "increase"), "crop", w=width, h=height)
            else:
                s = g.filter(
                    scale(s, width, height, "decrease"), "pad",
                    w=width, h=height, x="(ow-iw)/2", y="(oh-ih)/2",
                )  # fmt: skip
            s = g.chain(s, ("format", {"pix_fmts": BLEND_FORMAT}), ("setsar", {"r": 1}))
            prepared[(index, BLEND_FORMAT)] = s
        if (index, fmt) not in prepared:
            prepared[(index, fmt)] = g.filter(
                prepared[(index, BLEND_FORMAT)], "format", pix_fmts=fmt
            )
        return prepared[(index, fmt)]

    def clip(index: int, first: int, frames: int, fmt: str) -> Stream:
        segment = laid.segments[index]
        start = segment.clip_start_s + (first - laid.visible[index][0]) / fps
        sources.inputs.append(
            # -reinit_filter 0: a clip whose frame properties change mid-stream (after a
            # seek, a new colour range) is rescaled by the graph instead of failing it.
            [
                "-reinit_filter",
                "0",
                "-ss",
                f"{start:.6f}",
                "-t",
                f"{frames / fps + 1:.6f}",
                "-i",
                sources.names[index],
            ]
        )
        s = g.filter(g.input(len(sources.inputs) - 1), "fps", fps=fps)
        return g.chain(
            scale(s, width, height, "increase"),
            ("crop", {"w": width, "h": height}),
            ("setsar", {"r": 1}),
            ("format", {"pix_fmts": fmt}),
            ("tpad", {"stop_mode": "clone", "stop": frames}),
            ("trim", {"end_frame": frames}),
        )

    def visual(
        index: int, first: int, end: int, states: tuple[int, ...], fmt: str = PIXEL_FORMAT
    ) -> Stream:
        segment, pan = laid.segments[index], laid.pans[index]
        frames = end - first
        if segment.kind == "clip":
            s = clip(index, first, frames, fmt)
            shown = list(range(first, end))
        elif pan:
            s = g.filter(still(index, fmt), "loop", loop=frames - 1, size=1, start=0)
            offset = first - pan.first
            # An odd window offset moves 4:2:0 chroma by half its sample: no eye sees it.
            s = g.filter(
                s, "crop", w=width, h=height,
                x=pan.expression("x", offset), y=pan.expression("y", offset), exact=1,
            )  # fmt: skip
            if len(states) < frames:
                # The window's steps are found by the same arithmetic as in the plan; the
                # other pictures (subtitle and overlay changes) are listed.
                moved = {f for f in range(first + 1, end) if pan.position(f) != pan.position(f - 1)}
                listed = [f"eq(n,{f - first})" for f in states if f != first and f not in moved]
                picks = any_of(["eq(n,0)", f"gt(n,0)*({pan.moved(offset)})", *listed])
                s = g.filter(s, "select", expr=picks)
            shown = list(states)
        else:
            s = still(index, fmt)
            if len(states) > 1:
                s = g.filter(s, "loop", loop=len(states) - 1, size=1, start=0)
            shown = list(states)
        for k, overlay in enumerate(segment.overlays):
            a, b = round(overlay.start * fps), round(overlay.end * fps)
            on = [j for j, frame in enumerate(shown) if a <= frame < b]
            if not on:
                continue
            name, x, y = sources.overlays[(index, k)]
            image = g.source("movie", filename=name)
            s = g.join(
                [s, image], "overlay", x=x, y=y, format=fmt.removesuffix("p"),
                enable=f"between(n,{on[0]},{on[-1]})",
            )  # fmt: skip
        # The link's frame rate too, not only its timestamps: xfade refuses inputs whose
        # rates differ, and a picture decoded by ``movie`` reports 25 fps while a clip,
        # after its ``fps`` filter, reports 30 (FFmpeg: "Error reinitializing filters").
        return g.chain(
            s, ("settb", {"expr": f"1/{fps}"}), ("setpts", {"expr": "N"}), ("fps", {"fps": fps})
        )

    chains: list[Stream] = []
    for piece in pieces:
        if piece.kind == "blend":
            # xfade works on 4:4:4 only: its inputs are drawn in 4:4:4 from the start and
            # its output goes back to 4:2:0 here, so that FFmpeg does not convert every
            # picture of the part to 4:4:4 (concat needs one format) and back.
            both = [
                visual(k, piece.first, piece.end, piece.states, BLEND_FORMAT)
                for k in (piece.previous, piece.segment)
            ]
            s = g.join(
                both, "xfade", transition=piece.transition, duration=piece.frames / fps, offset=0
            )
            s = g.chain(
                s,
                ("trim", {"end_frame": piece.frames}),
                ("setpts", {"expr": "N"}),
                ("format", {"pix_fmts": PIXEL_FORMAT}),
            )
            chains.append(s)
        else:
            chains.append(visual(piece.segment, piece.first, piece.end, piece.states))
    out = chains[0] if len(chains) == 1 else g.join(chains, "concat", n=len(chains), v=1, a=0)
    if subtitles:
        # One second per picture while libass draws, so cue times are whole seconds.
        out = g.chain(
            out,
            ("settb", {"expr": "1"}),
            ("setpts", {"expr": "N"}),
            ("subtitles", {"filename": subtitles, "fontsdir": "fonts"}),
        )
    out = g.chain(
        out,
        ("settb", {"expr": f"1/{fps}"}),
        ("setpts", {"expr": "N"}),
        # Pictures are already one per tick: this only tells the encoder the frame rate.
        ("fps", {"fps": fps}),
        # What the encoder writes in the stream's colour description (VUI).
        (
            "setparams",
            {
                "range": "tv",
                "colorspace": COLOUR_STANDARD,
                "color_primaries": COLOUR_STANDARD,
                "color_trc": COLOUR_STANDARD,
            },
        ),
    )
    text, labels = g.compile([out])
    return text, labels[0]


def burned_cues(timeline: Timeline, options: RenderOptions) -> tuple[Cue, ...]:
    """The captions to burn: word by word in the timeline's caption style where it has word
    timings, else its SRT's cues; none when burning is off."""
    if not options.burn_subtitles:
        return ()
    total = max(1, round(timeline.duration_s * timeline.fps))
    if timeline.words_path is not None:
        style = CAPTION_STYLES[timeline.caption_style]
        words = timeline.word_timings()
        spaced = language(timeline.language).spaced
        lines = caption_lines(words, style, (timeline.width, timeline.height), spaced)
        return word_cue_frames(lines, timeline.fps, total)
    if timeline.subtitles_path is None:
        return ()
    text = timeline.subtitles_path.read_text(encoding="utf-8", errors="replace")
    return cue_frames(parse_srt(text), timeline.fps, total)


def caption_script(
    laid: RenderPlan, pieces: tuple[Piece, ...], timeline: Timeline, options: RenderOptions
) -> str:
    """The ASS script libass draws over ``pieces``: the caption style's fields, then the
    channel's (the timeline's), then the operator's overrides."""
    style = ",".join(
        filter(
            None,
            (
                CAPTION_STYLES[timeline.caption_style].fields if timeline.words_path else "",
                timeline.subtitle_style,
                options.subtitle_style,
            ),
        )
    )
    size = (laid.width, laid.height)
    box = style_fields(style, size)
    if timeline.words_path and box["BorderStyle"] == "3":
        # Libass boxes each karaoke word on its own in style 3 (the box in OutlineColour),
        # and the translucent boxes overlap in dark seams; style 4 draws one box per line,
        # in BackColour: the same box, without the seams.
        style += f",BorderStyle=4,BackColour={box['OutlineColour']},OutlineColour=&HFF000000"
    spoken = language(timeline.language)
    if spoken.rtl:
        # Libass orders a right-to-left line's words (across the karaoke tags) only when the
        # base direction comes from the text: Encoding -1.
        style += ",Encoding=-1"
    return ass_script(part_subtitles(laid, pieces, spoken.spaced), size, style)


def part_subtitles(
    laid: RenderPlan, pieces: tuple[Piece, ...], spaced: bool = True
) -> list[tuple[float, float, str]]:
    """The cues over ``pieces`` as ASS text, timed in pictures (picture k at second k) for
    libass; a word-by-word cue's karaoke tags too (its words joined by spaces, unless the
    language is not ``spaced``)."""
    starts = [s for p in pieces for s in p.states]
    first, end = pieces[0].first, pieces[-1].end
    events = []

    def index(frame: int) -> int:
        # The first picture at or after ``frame`` (cue edges are always picture starts).
        lo, hi = 0, len(starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if starts[mid] < frame:
                lo = mid + 1
            else:
                hi = mid
        return lo

    for cue in laid.cues:
        a, b = max(cue.first, first), min(cue.end, end)
        if b <= a:
            continue
        start, stop = float(index(a)), float(index(b))
        colour = speaker_colour(cue.voice)
        if cue.words:
            timed = [(float(index(max(f, a))), w) for f, w in cue.words]
            events.append((start, stop, colour + karaoke_text(timed, start, stop, spaced)))
        else:
            events.append((start, stop, colour + ass_text(cue.text)))
    return events


# --- running it -------------------------------------------------------------------------


def render_timeline(
    timeline: Timeline,
    output: Path,
    *,
    work_dir: Path,
    encoder: str = encoders.AUTO,
    options: RenderOptions | None = None,
) -> RenderedVideo:
    """Render ``timeline`` to ``output`` and return what was verifiably written.

    Intermediate files go into ``work_dir``; FFmpeg writes a temporary file beside
    ``output`` that is renamed into place only after :func:`probe` and :func:`verify` accept
    it. A clip that cannot be read is left out (its time goes to the segment before) and
    named in ``notes``. Raises RenderError (one line) for missing or unreadable stills or
    narration, or a file that fails verification; FFmpegError if FFmpeg itself fails. In
    every case no output file is left.
    """
    options = options or RenderOptions()
    if encoder != encoders.AUTO:
        options = RenderOptions(**{**options.__dict__, "encoder": encoder})
    started = time.perf_counter()
    timeline, notes = _usable(timeline)
    spec = encoders.pick(options.encoder)
    folder = work_dir / f"{output.stem}.render"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        sources = _link_sources(timeline, folder, options.fonts_dir)
        cues = burned_cues(timeline, options)
        laid = plan(timeline, cues, collapse=spec.spliceable)
        parts = laid.chunks(max(1, options.workers))
        duration = laid.total_frames / laid.fps
        threads = 1 if len(parts) > 1 else 0

        def encode_part(k: int) -> Path:
            part_sources = _Sources(sources.names, sources.overlays, [])
            ass = None
            if cues:
                script = caption_script(laid, parts[k], timeline, options)
                ass = write_text(folder / f"part{k}.ass", script).name
            text, label = part_graph(laid, parts[k], part_sources, ass)
            write_text(folder / f"part{k}.graph", text + "\n")
            target = folder / f"part{k}.h264"
            # -xerror: without it a picture that fails to decode is skipped and FFmpeg exits 0.
            command = [ffmpeg_exe(), "-xerror"]
            for args in part_sources.inputs:
                command += args
            command += ["-/filter_complex", f"part{k}.graph", "-map", f"[{label}]"]
            command += ["-fps_mode", "passthrough", "-an"]
            # A key frame at every new shot and at least every KEY_INTERVAL_S where the
            # picture changes (an intra picture where it changes anyway costs little):
            # readers such as the key-frame picker seek instead of decoding the part.
            every = round(KEY_INTERVAL_S * laid.fps)
            keys = [f"eq(n,{i})" for i in key_pictures(parts[k], every)]
            command += ["-force_key_frames", f"expr:{any_of(keys)}"]
            command += spec.args(crf=options.crf, preset=options.preset, threads=threads)
            command += ["-f", "h264", "-y", target.name]
            pictures = sum(len(p.states) for p in parts[k])
            run(command, timeout=120 + 2 * pictures, cwd=folder)
            return target

        def encode_audio() -> Path:
            target = folder / "audio.m4a"
            run(
                [
                    ffmpeg_exe(), "-i", str(timeline.audio_path.absolute()), "-vn",
                    "-af", f"aresample={AUDIO_RATE},apad",
                    # Mono -> stereo at -3 dB per side keeps the measured loudness (BS.1770).
                    "-ac", str(AUDIO_CHANNELS), "-c:a", "aac", "-profile:a", "aac_low",
                    "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE), "-t", f"{duration:.6f}",
                    "-y", target.name,
                ],
                timeout=120 + duration,
                cwd=folder,
            )  # fmt: skip
            return target

        # The narration's AAC encode runs beside the parts rather than taking a worker's
        # turn (it would hold one worker while the other starts the long parts); the parts
        # start longest first, so the workers run out of work together.
        order = sorted(range(len(parts)), key=lambda k: -sum(map(plan_cost, parts[k])))
        with (
            ThreadPoolExecutor(max_workers=1) as beside,
            ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool,
        ):
            audio_job = beside.submit(encode_audio)
            part_jobs = {k: pool.submit(encode_part, k) for k in order}
            steps = Steps(Stage.render, len(parts), "parts")
            for job in as_completed(part_jobs.values()):
                if job.exception() is None:
                    steps.advance()
            part_files = [part_jobs[k].result() for k in range(len(parts))]
            audio = audio_job.result()
        stream = folder / "video.h264"
        streams = [p.read_bytes() for p in part_files]
        with stream.open("wb") as out:
            if spec.spliceable:
                try:
                    for chunk in h264.splice(streams, [holds(p) for p in parts]):
                        out.write(chunk)
                except h264.H264Error as exc:
                    raise RenderError(f"encoded parts do not match the plan: {exc}") from None
            else:
                for data in streams:
                    out.write(data)
        with atomic_path(output) as tmp:
            run(
                [
                    ffmpeg_exe(), "-framerate", str(laid.fps), "-i", stream.name,
                    "-i", audio.name, "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
                    "-video_track_timescale", str(laid.fps * 512),
                    "-movflags", "+faststart", "-y", str(tmp.absolute()),
                ],
                timeout=120 + duration,
                cwd=folder,
            )  # fmt: skip
            info = probe(tmp)
            problems = verify(info, timeline)
            if problems:
                raise RenderError(f"render of {output} failed verification: {'; '.join(problems)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - started
    return RenderedVideo(
        engine=f"ffmpeg-{spec.name}",
        cost_usd=0.0,
        path=output,
        encoder=spec.name,
        seconds_to_render=seconds,
        info=info.model_copy(update={"path": output}),
        encoded_frames=laid.pictures,
        notes=notes,
        fallbacks=list(notes),
    )


def verify(info: MediaInfo, timeline: Timeline) -> list[str]:
    """What is wrong with a rendered file for this timeline, as short phrases; [] if nothing.

    Checks H.264 High yuv420p tagged BT.709 at the timeline's size and fps, AAC-LC 48 kHz
    stereo, video length within 0.1 s of ``timeline.duration_s``, audio/video starting
    within 50 ms, and a bitrate above zero and at most 50 Mb/s.
    """
    problems: list[str] = []

    def expect(name: str, got: object, want: object) -> None:
        if got != want:
            problems.append(f"{name} {got}, want {want}")

    expect("video codec", info.video_codec, VIDEO_CODEC)
    expect("profile", info.video_profile, VIDEO_PROFILE)
    expect("pixel format", info.pixel_format, PIXEL_FORMAT)
    expect("colour (matrix, primaries, transfer)", info.colour, BT709_CODES)
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
    if not 0 < info.bitrate_bps <= MAX_BITRATE_BPS:
        problems.append(
            f"bitrate {info.bitrate_bps / 1e6:.1f} Mb/s, want 0-{MAX_BITRATE_BPS / 1e6:g}"
        )
    return problems


def _usable(timeline: Timeline) -> tuple[Timeline, list[str]]:
    """``timeline`` with unreadable clips left out (and why), after checking that the frame
    size is even and that the narration and every still exist and decode: those fail the
    render, naming the file."""
    if timeline.width % 2 or timeline.height % 2:
        raise RenderError(
            f"frame size {timeline.width}x{timeline.height} has an odd side: "
            "4:2:0 video needs an even width and height"
        )
    if not timeline.audio_path.is_file():
        raise RenderError(f"narration audio missing: {timeline.audio_path}")
    notes: list[str] = []
    kept: list[Segment] = []
    for index, segment in enumerate(timeline.shown(), start=1):
        path = segment.path
        what = f"segment {index} ({segment.kind})" if timeline.segments else f"slide {index}"
        if segment.kind == "clip":
            reason = clip_problem(path)
            if reason:
                notes.append(f"clip {path.name} skipped: {reason}")
                continue
            length = probe(path).video_duration_s
            if segment.clip_start_s >= length:
                # Seeking past the end would give no frame at all to hold: play its end.
                start = max(0.0, length - segment.duration)
                segment = segment.model_copy(update={"clip_start_s": start})
        else:
            if not path.is_file():
                raise RenderError(f"{what} image missing: {path}")
            try:
                with Image.open(path) as image:
                    image.verify()
            except (OSError, SyntaxError, UnidentifiedImageError, ValueError) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise RenderError(f"{what} image unreadable: {path}: {reason}") from None
        for overlay in segment.overlays:
            if not overlay.image_path.is_file():
                raise RenderError(f"overlay image missing: {overlay.image_path}")
        kept.append(segment)
    if not kept:
        raise RenderError("nothing to show: every segment was left out")
    if kept[0].start > 0:
        kept[0] = kept[0].model_copy(update={"start": 0.0})
    if notes or timeline.segments:
        timeline = timeline.model_copy(update={"segments": kept})
    return timeline, notes


def clip_problem(path: Path) -> str | None:
    """Why a clip cannot be shown (missing, not media, no video, corrupt or truncated data,
    no decodable frame); None if it can."""
    if not path.is_file():
        return "file missing"
    try:
        info = probe(path)
    except ProbeError as exc:
        return str(exc).split(": ", 1)[-1]
    if info.width <= 0 or info.height <= 0:
        return "no picture size"
    import av

    try:
        with av.open(str(path)) as container:
            # Every packet is read but none decoded (cheap): what a part's FFmpeg, run with
            # -xerror, would stop on is found here, where the clip can still be left out.
            end = 0.0
            for packet in container.demux(container.streams.video[0]):
                stamp = packet.pts if packet.pts is not None else packet.dts
                if stamp is None or packet.time_base is None:
                    continue
                at = float(stamp * packet.time_base)
                if packet.is_corrupt:
                    return f"corrupt data at {at:.2f}s"
                end = max(end, at + float((packet.duration or 0) * packet.time_base))
            if end < info.video_duration_s - CLIP_TRUNCATION_S:
                return f"truncated: data ends at {end:.2f}s of {info.video_duration_s:.2f}s"
        with av.open(str(path)) as container:
            for _ in container.decode(video=0):
                return None
    except (av.FFmpegError, OSError) as exc:
        return f"cannot decode: {type(exc).__name__}"
    return "no decodable frame"


def _link_sources(timeline: Timeline, folder: Path, fonts_dir: Path | None) -> _Sources:
    """Put every input in ``folder`` under a plain name (a link, else a copy), so the
    filtergraph needs no escaping; overlays are cropped to what they cover."""
    names: dict[int, str] = {}
    overlays: dict[tuple[int, int], tuple[str, int, int]] = {}
    for index, segment in enumerate(timeline.shown()):
        suffix = "".join(ch for ch in segment.path.suffix.lower() if ch.isalnum() or ch == ".")
        name = f"src{index:04d}{suffix or '.bin'}"
        _link(segment.path, folder / name)
        names[index] = name
        for k, overlay in enumerate(segment.overlays):
            with Image.open(overlay.image_path) as image:
                rgba = image.convert("RGBA")
            box = rgba.getchannel("A").getbbox() or (0, 0, 2, 2)
            # Even offsets and sizes keep the 4:2:0 blend aligned with the chroma grid.
            left, top = box[0] - box[0] % 2, box[1] - box[1] % 2
            right = min(rgba.width, box[2] + box[2] % 2)
            bottom = min(rgba.height, box[3] + box[3] % 2)
            name = f"ovl{index:04d}_{k}.png"
            rgba.crop((left, top, right, bottom)).save(folder / name, compress_level=1)
            overlays[(index, k)] = (name, left, top)
    # The faces libass may name: the fonts folder's, Roboto's and the captions' script's.
    script = language(timeline.language).script
    caption_fonts(folder / "fonts", fonts_dir if fonts_dir and fonts_dir.is_dir() else None, script)
    return _Sources(names, overlays, [])


def _link(source: Path, link: Path) -> None:
    try:
        os.symlink(source.absolute(), link)
    except OSError:
        if source.is_dir():
            shutil.copytree(source, link)
        else:
            shutil.copyfile(source, link)
