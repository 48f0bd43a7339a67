"""A channel's marks on its videos: a logo watermark, an intro card and an end screen.

All three are still pictures drawn once with Pillow, so they cost the render what any slide
costs. The watermark is a transparent full-frame PNG laid over every segment but the intro
and the end screen (the renderer crops it to the logo); the intro card (channel name and
logo) covers the first seconds of the narration, at most 3 s; the end screen covers the last
5-20 s and leaves YouTube's end-screen elements room: a subscribe circle and two video
slots (:func:`end_screen_slots`) in which nothing is drawn.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from ytempire.models import Overlay, Segment, Timeline, Transition
from ytempire.visuals.brand import Brand
from ytempire.visuals.slides import background
from ytempire.visuals.text import Layout, draw_set_text, fit_text
from ytempire.workspace import atomic_path

Box = tuple[int, int, int, int]

# The watermark's logo: this tall (of the short side), this far from the corner.
LOGO_HEIGHT = 0.09
LOGO_MARGIN = 0.04
# The intro card never takes more of a short video than this share.
MAX_INTRO_SHARE = 0.25
# What the intro and end screen cut in with.
MARK_TRANSITION = Transition(kind="fade", duration_s=0.5)
# Nothing may be drawn this close (of the short side) around a slot either.
SLOT_CLEARANCE = 0.01


# The end screen's thanks and its label over the next videos, per language (English where
# a language has no entry).
_END_WORDS: dict[str, tuple[str, str]] = {
    "ar": ("شكرًا للمشاهدة", "شاهد التالي"),
    "de": ("Danke fürs Zuschauen", "ALS NÄCHSTES"),
    "en": ("Thanks for watching", "WATCH NEXT"),
    "es": ("Gracias por ver", "MIRA DESPUÉS"),
    "fr": ("Merci d'avoir regardé", "À VOIR ENSUITE"),
    "he": ("תודה על הצפייה", "לצפייה הבאה"),
    "hi": ("देखने के लिए धन्यवाद", "आगे देखें"),
    "it": ("Grazie per la visione", "GUARDA ANCORA"),
    "ja": ("ご視聴ありがとうございました", "次に見る"),
    "ko": ("시청해 주셔서 감사합니다", "다음 영상"),
    "pt": ("Obrigado por assistir", "ASSISTA A SEGUIR"),
    "ru": ("Спасибо за просмотр", "СМОТРИТЕ ДАЛЕЕ"),
    "zh": ("感谢观看", "接下来观看"),
}


def _save(image: Image.Image, destination: Path) -> Path:
    with atomic_path(destination) as tmp:
        image.save(tmp, format="PNG", compress_level=1)
    return destination


def _logo(path: Path, box: tuple[int, int]) -> Image.Image:
    """The logo as RGBA, scaled to fit ``box`` (width, height), aspect kept."""
    with Image.open(path) as image:
        logo = image.convert("RGBA")
    scale = min(box[0] / logo.width, box[1] / logo.height)
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    return logo.resize(size, Image.Resampling.LANCZOS)


def logo_box(size: tuple[int, int]) -> Box:
    """Where the watermark may sit: the top-right corner box (left, top, right, bottom)."""
    width, _ = size
    unit = min(size)
    margin, height = round(unit * LOGO_MARGIN), round(unit * LOGO_HEIGHT)
    return (width - margin - 3 * height, margin, width - margin, margin + height)


def watermark(logo: Path, size: tuple[int, int], destination: Path, opacity: float) -> Path:
    """A transparent ``size`` PNG with ``logo`` in the top-right corner (right-aligned in
    :func:`logo_box`), its own transparency multiplied by ``opacity`` (0..1)."""
    left, top, right, bottom = logo_box(size)
    mark = _logo(logo, (right - left, bottom - top))
    alpha = mark.getchannel("A").point(lambda a: round(a * opacity))
    mark.putalpha(alpha)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.alpha_composite(mark, (right - mark.width, top))
    return _save(image, destination)


def intro_card(
    brand: Brand,
    size: tuple[int, int],
    destination: Path,
    fonts_dir: Path | None = None,
    language: str = "en",
) -> Path:
    """The channel's name (and logo, when it has one) centred on its card background."""
    width, height = size
    unit = min(size)
    image = background(size, brand.palette)
    draw = ImageDraw.Draw(image)
    faces = brand.fonts(fonts_dir, language)
    p = brand.palette
    name = fit_text(
        brand.name or "",
        faces.heading,
        (round(width * 0.8), round(unit * 0.2)),
        max_size=round(unit * 0.1),
        min_size=round(unit * 0.04),
        max_lines=2,
        language=language,
    )
    logo = _logo(brand.logo, (round(width * 0.5), round(unit * 0.3))) if brand.logo else None
    gap = round(unit * 0.05)
    rule_h = max(2, round(unit * 0.012))
    total = (logo.height + gap if logo else 0) + (name.height if name else 0) + gap + rule_h
    y = (height - total) // 2
    if logo:
        image.paste(logo, ((width - logo.width) // 2, y), logo)
        y += logo.height + gap
    if name:
        colour = p.text_on()
        draw_set_text(draw, name, ((width - name.width) // 2, y), colour)
        y += name.height + gap
    rule_w = round(unit * 0.12)
    draw.rectangle(((width - rule_w) // 2, y, (width + rule_w) // 2, y + rule_h - 1), fill=p.accent)
    return _save(image, destination)


def end_screen_slots(size: tuple[int, int]) -> dict[str, Box]:
    """Where YouTube's end-screen elements go: ``subscribe`` (a circle's bounding square)
    and ``video_1``/``video_2`` (16:9 boxes), clear of the burned captions at the bottom
    (the largest preset's two lines take the bottom 250 px at 1080p)."""
    width, height = size
    if width >= height:
        video_w = round(width * 0.32)
        video_h = round(video_w * 9 / 16)
        left = round(width * 0.60)
        top1 = round(height * 0.10)
        top2 = top1 + video_h + round(height * 0.03)
        circle = round(height * 0.30)
        cx, cy = round(width * 0.26), round(height * 0.47)
    else:
        video_w = round(width * 0.64)
        video_h = round(video_w * 9 / 16)
        left = (width - video_w) // 2
        top1 = round(height * 0.42)
        top2 = top1 + video_h + round(height * 0.02)
        circle = round(width * 0.24)
        cx, cy = width // 2, round(height * 0.22)
    return {
        "subscribe": (cx - circle // 2, cy - circle // 2, cx + circle // 2, cy + circle // 2),
        "video_1": (left, top1, left + video_w, top1 + video_h),
        "video_2": (left, top2, left + video_w, top2 + video_h),
    }


def end_screen(
    brand: Brand,
    size: tuple[int, int],
    destination: Path,
    *,
    fonts_dir: Path | None = None,
    message: str = "",
    language: str = "en",
) -> Path:
    """The end screen: the card background, ``message`` (else thanks for watching, in
    ``language``) and the channel's name, labels over the slots and accent corner marks just
    outside them; nothing inside the slots."""
    thanks, watch_next = _END_WORDS.get(Layout.of(language).code, _END_WORDS["en"])
    message = message or thanks
    width, height = size
    unit = min(size)
    image = background(size, brand.palette)
    draw = ImageDraw.Draw(image)
    faces = brand.fonts(fonts_dir, language)
    p = brand.palette
    slots = end_screen_slots(size)
    clear = round(unit * SLOT_CLEARANCE)
    label_h = round(unit * 0.045)
    colour = p.text_on()
    sub = slots["subscribe"]
    video = slots["video_1"]
    landscape = width >= height
    # The message sits above the subscribe circle (16:9) or above everything (9:16).
    text_right = video[0] - round(unit * 0.06) if landscape else width - round(unit * 0.075)
    text_left = round(unit * 0.075)
    head = fit_text(
        message,
        faces.heading,
        (text_right - text_left, round(unit * 0.16)),
        max_size=round(unit * 0.075),
        min_size=round(unit * 0.035),
        max_lines=2,
        language=language,
    )
    top_limit = sub[1] - clear - round(unit * 0.03)
    if head:
        draw_set_text(
            draw, head, (text_left, max(round(unit * 0.06), top_limit - head.height)), colour
        )
    name = fit_text(
        brand.name.upper() or "SUBSCRIBE",
        faces.body,
        (max(1, (sub[2] - sub[0]) + round(unit * 0.3)), label_h),
        max_size=round(unit * 0.035),
        min_size=round(unit * 0.02),
        max_lines=1,
        language=language,
    )
    if name:
        cx = (sub[0] + sub[2]) // 2
        draw_set_text(
            draw,
            name,
            (cx - name.width // 2, sub[3] + clear + round(unit * 0.02)),
            p.text_on(muted=True),
        )
    watch = fit_text(
        watch_next,
        faces.heading,
        (video[2] - video[0], label_h),
        max_size=round(unit * 0.032),
        min_size=round(unit * 0.02),
        max_lines=1,
        language=language,
    )
    if watch and video[1] - clear - watch.height - round(unit * 0.015) > 0:
        draw_set_text(
            draw, watch, (video[0], video[1] - clear - watch.height - round(unit * 0.015)), colour
        )
    tick, line = round(unit * 0.03), max(2, round(unit * 0.005))
    for box in (slots["video_1"], slots["video_2"]):
        _corners(draw, box, clear, tick, line, p.accent)
    draw.ellipse(
        (
            sub[0] - clear - line,
            sub[1] - clear - line,
            sub[2] + clear + line,
            sub[3] + clear + line,
        ),
        outline=p.accent,
        width=line,
    )
    return _save(image, destination)


def _corners(
    draw: ImageDraw.ImageDraw,
    box: Box,
    clear: int,
    tick: int,
    line: int,
    colour: tuple[int, int, int],
) -> None:
    """Accent corner marks just outside ``box``: they frame the slot without entering it."""
    left, top, right, bottom = (
        box[0] - clear - line,
        box[1] - clear - line,
        box[2] + clear + line,
        box[3] + clear + line,
    )
    for x, y, dx, dy in (
        (left, top, 1, 1),
        (right, top, -1, 1),
        (left, bottom, 1, -1),
        (right, bottom, -1, -1),
    ):
        x0 = x if dx > 0 else x - tick
        y0 = y if dy > 0 else y - line
        draw.rectangle((x0, y0, x0 + tick, y0 + line - 1), fill=colour)
        x1 = x if dx > 0 else x - line
        y1 = y if dy > 0 else y - tick
        draw.rectangle((x1, y1, x1 + line - 1, y1 + tick), fill=colour)


def place(
    timeline: Timeline,
    *,
    intro: Path | None = None,
    intro_s: float = 0.0,
    end: Path | None = None,
    end_s: float = 0.0,
    watermark: Path | None = None,
) -> Timeline:
    """``timeline`` with the intro card over its first ``intro_s`` seconds, the end screen
    over its last ``end_s`` and the ``watermark`` over every other segment.

    The narration is not moved: the intro and end screen replace what was on screen then
    (the segment cut by the intro starts after it; segments that would start under the end
    screen are dropped). The intro takes at most a quarter of the video; an end screen that
    would leave less than its own length before it is left out, with a note in ``notes``.
    """
    notes: list[str] = []
    duration = timeline.duration_s
    segments = list(timeline.shown())
    end_at = duration
    if end is not None and end_s > 0:
        if duration - end_s < end_s:
            notes.append(
                f"end screen left out: the video ({duration:.1f}s) is too short for "
                f"{end_s:g}s of it"
            )
        else:
            end_at = duration - end_s
    intro_at = min(intro_s, duration * MAX_INTRO_SHARE) if intro is not None else 0.0
    kept: list[Segment] = []
    for index, segment in enumerate(segments):
        following = segments[index + 1].start if index + 1 < len(segments) else duration
        if segment.start >= end_at or following <= intro_at:
            continue
        if segment.start < intro_at:
            shift = intro_at - segment.start
            update: dict[str, object] = {"start": intro_at, "transition": MARK_TRANSITION}
            if segment.kind == "clip":
                update["clip_start_s"] = segment.clip_start_s + shift
            segment = segment.model_copy(update=update)
        if segment.end > end_at:
            segment = segment.model_copy(update={"end": end_at})
        kept.append(segment)
    if watermark is not None:
        for index, segment in enumerate(kept):
            following = kept[index + 1].start if index + 1 < len(kept) else end_at
            # A second beyond each side covers the transitions, where this segment's
            # pictures are blended with its neighbours'.
            mark = Overlay(
                kind="logo",
                image_path=watermark,
                start=max(0.0, segment.start - 1.0),
                end=min(duration, following + 1.0),
            )
            kept[index] = segment.model_copy(update={"overlays": [*segment.overlays, mark]})
    if intro_at > 0 and intro is not None:
        kept.insert(0, Segment(kind="still", path=intro, start=0.0, end=intro_at, label="intro"))
    if end_at < duration and end is not None:
        kept.append(
            Segment(
                kind="still",
                path=end,
                start=end_at,
                end=duration,
                label="end_screen",
                transition=MARK_TRANSITION,
            )
        )
    return timeline.model_copy(update={"segments": kept, "notes": [*timeline.notes, *notes]})


def add(
    timeline: Timeline,
    brand: Brand,
    folder: Path,
    *,
    intro_s: float = 0.0,
    end_s: float = 0.0,
    fonts_dir: Path | None = None,
    language: str = "en",
) -> Timeline:
    """``timeline`` with the brand's marks, drawn into ``folder`` for ``language``: the
    watermark when the brand has a logo, an intro card when ``intro_s`` > 0, an end screen
    when ``end_s`` > 0. Unchanged when it asks for none."""
    size = (timeline.width, timeline.height)
    mark = (
        watermark(brand.logo, size, folder / "watermark.png", brand.logo_opacity)
        if brand.logo
        else None
    )
    intro = (
        intro_card(brand, size, folder / "intro.png", fonts_dir, language) if intro_s > 0 else None
    )
    end = (
        end_screen(brand, size, folder / "end_screen.png", fonts_dir=fonts_dir, language=language)
        if end_s
        else None
    )
    if mark is None and intro is None and end is None:
        return timeline
    return place(timeline, intro=intro, intro_s=intro_s, end=end, end_s=end_s, watermark=mark)
