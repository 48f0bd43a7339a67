"""Burned-in captions: the narration as an ASS script that libass draws, and the SRT reader.

With word timings, captions go word by word: a few words a line (the channel's caption
style: :data:`CAPTION_STYLES`), each word turning to the highlight colour as it is spoken
(ASS karaoke ``\\k`` tags; libass switches a word's colour at its start). Without them,
the sentence-level SRT cues are drawn. Either way captions sit inside the safe area of the
frame (:func:`safe_margins`): clear of YouTube's progress bar and controls in 16:9, and of
the Shorts player's caption, title and buttons in 9:16.

The style is a setting written like FFmpeg's ``force_style`` (``Fontsize=48,MarginV=70``),
laid over :data:`DEFAULT_STYLE` and scaled from a 1080-pixel short side to the real frame,
so 16:9 and 9:16 get the same type size. Cue times are given per frame, at the middle of
the frame before the one a cue starts on, so libass's millisecond rounding can never move a
cue by a frame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ytempire.models import TimedText
from ytempire.voice.subtitles import SENTENCE_ENDS, display_width

# Roboto Medium, white on a translucent box, bottom centre: readable on any slide or footage.
DEFAULT_STYLE: dict[str, str] = {
    "Fontname": "Roboto Medium",
    "Fontsize": "46",
    "PrimaryColour": "&H00FFFFFF",
    "SecondaryColour": "&H00FFFFFF",
    "OutlineColour": "&H80000000",
    "BackColour": "&H80000000",
    "Bold": "0",
    "Italic": "0",
    "Underline": "0",
    "StrikeOut": "0",
    "ScaleX": "100",
    "ScaleY": "100",
    "Spacing": "0",
    "Angle": "0",
    "BorderStyle": "3",
    "Outline": "8",
    "Shadow": "0",
    "Alignment": "2",
    "MarginL": "120",
    "MarginR": "120",
    "MarginV": "64",
    "Encoding": "1",
}
_SCALED = ("Fontsize", "Outline", "Shadow", "MarginL", "MarginR", "MarginV", "Spacing")
_STYLE_FIELDS = list(DEFAULT_STYLE)


def safe_margins(size: tuple[int, int]) -> tuple[int, int, int]:
    """(left, right, bottom) pixels captions keep clear of in a frame of ``size``.

    16:9 (wider than tall): 3% at the sides, 12% at the bottom, above the progress bar and
    the player's controls. 9:16: 6% left, 16% right (the Shorts like, comment and share
    buttons), 26% at the bottom (the channel name, title and the progress line). Overlays
    keep to the same area (:mod:`ytempire.visuals.overlays`).
    """
    width, height = size
    if width >= height:
        return round(0.03 * width), round(0.03 * width), round(0.12 * height)
    return round(0.06 * width), round(0.16 * width), round(0.26 * height)


def style_fields(style: str, size: tuple[int, int]) -> dict[str, str]:
    """The ASS style for a frame of ``size``: defaults, ``style``'s overrides, scaled, and
    the margins at least :func:`safe_margins`.

    Raises ValueError for an override that is not ``Key=Value`` or names no style field.
    """
    fields = dict(DEFAULT_STYLE)
    by_lower = {name.lower(): name for name in _STYLE_FIELDS}
    for item in filter(None, (part.strip() for part in style.split(","))):
        key, sep, value = item.partition("=")
        name = by_lower.get(key.strip().lower())
        if not sep or name is None:
            raise ValueError(f"subtitle style item {item!r} is not Key=Value with an ASS field")
        fields[name] = value.strip()
    scale = min(size) / 1080
    for name in _SCALED:
        fields[name] = f"{float(fields[name]) * scale:.2f}".rstrip("0").rstrip(".")
    for name, least in zip(("MarginL", "MarginR", "MarginV"), safe_margins(size), strict=True):
        fields[name] = str(max(least, math.ceil(float(fields[name]))))
    return fields


def ass_time(seconds: float) -> str:
    """H:MM:SS.cc, rounded down to the centisecond."""
    cs = max(0, math.floor(seconds * 100 + 1e-6))
    h, rest = divmod(cs, 360_000)
    m, rest = divmod(rest, 6000)
    s, cs = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def frame_time(frame: int, fps: float) -> float:
    """A time that libass places on ``frame``, not the frame before: its first half."""
    return max(0.0, (frame - 0.5) / fps)


def ass_text(text: str) -> str:
    """Cue text made literal for ASS: line breaks as ``\\N``, no override blocks."""
    lines = [line.strip() for line in text.replace("\\", "/").splitlines() if line.strip()]
    return r"\N".join(lines).replace("{", "(").replace("}", ")")


def ass_script(
    events: Iterable[tuple[float, float, str]], size: tuple[int, int], style: str = ""
) -> str:
    """An ASS script showing each (start_s, end_s, text) event in the given style; each
    text is ASS already (:func:`ass_text`, :func:`karaoke_text`)."""
    width, height = size
    fields = style_fields(style, size)
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, " + ", ".join(_STYLE_FIELDS),
        "Style: Default," + ",".join(fields[name] for name in _STYLE_FIELDS),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    for start, end, text in events:
        lines.append(f"Dialogue: 0,{ass_time(start)},{ass_time(end)},Default,,0,0,0,,{text}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CaptionStyle:
    """How a channel's word-by-word captions look (see the module)."""

    name: str
    description: str
    fields: str  # ASS style fields over DEFAULT_STYLE: face, size, colours, box or outline
    words_per_line: int
    max_chars: int  # a 16:9 line holds at most this many characters (its words allowing)
    upper: bool = False


# ASS colours are &HAABBGGRR: PrimaryColour is a spoken word's (the highlight),
# SecondaryColour a word still to come.
CAPTION_STYLES: dict[str, CaptionStyle] = {
    c.name: c
    for c in (
        CaptionStyle(
            name="clean",
            description="Six words a line in white on a translucent box, each word turning "
            "soft yellow as it is spoken.",
            fields="PrimaryColour=&H0060E6FF,SecondaryColour=&H00FFFFFF",
            words_per_line=6,
            max_chars=36,
        ),
        CaptionStyle(
            name="bold-pop",
            description="Three big bold upper-case words a line, white with a thick black "
            "outline, the spoken ones in yellow.",
            fields="Fontsize=68,Bold=1,BorderStyle=1,Outline=5,Shadow=2,"
            "PrimaryColour=&H0000D7FF,SecondaryColour=&H00FFFFFF,OutlineColour=&H00000000",
            words_per_line=3,
            max_chars=20,
            upper=True,
        ),
        CaptionStyle(
            name="karaoke",
            description="Five words a line on a dark box, sung in cyan as a karaoke line "
            "fills from left to right.",
            fields="Fontsize=52,Outline=10,PrimaryColour=&H00FFE100,SecondaryColour=&H00FFFFFF",
            words_per_line=5,
            max_chars=30,
        ),
    )
}
CAPTION_STYLE_NAMES = tuple(CAPTION_STYLES)
DEFAULT_CAPTION_STYLE = "clean"
# A line ends after a word that ends a sentence, and before a pause this long.
_LINE_BREAK_PAUSE_S = 0.5
# After its last word a line stays up this long, unless the next line comes sooner.
_LINE_HOLD_S = 0.6


# A 9:16 frame's safe width is half a 16:9 one's at the same type size (the short side).
_PORTRAIT_CHARS = 0.75


def caption_lines(
    words: Sequence[TimedText], style: CaptionStyle, size: tuple[int, int], spaced: bool = True
) -> list[tuple[float, float, list[tuple[float, str]], str | None]]:
    """The caption lines of timed ``words``: (start_s, end_s, [(word start_s, word), ...],
    speaker), the speaker being the words' in a dialogue (None otherwise).

    A line takes at most ``style.words_per_line`` words and ``style.max_chars`` columns of
    display width (a wide character, as in Japanese and Chinese, takes two; three quarters of
    that in a portrait frame of ``size``; a longer single word stands alone), so it is one
    line inside the safe area. Words are joined by spaces, or without when the language is
    not ``spaced`` (each timed "word" of Japanese is a phrase). A line never runs past a
    sentence's end, a block's end, a change of speaker or a pause; it starts with its first
    word and stays until the next line starts or ``_LINE_HOLD_S`` after its last word,
    whichever is first. Lines never overlap.
    """
    max_chars = style.max_chars if size[0] >= size[1] else round(style.max_chars * _PORTRAIT_CHARS)
    joiner = " " if spaced else ""
    groups: list[list[TimedText]] = []
    for word in sorted(words, key=lambda w: w.start):
        line = groups[-1] if groups else None
        if (
            line is None
            or len(line) >= style.words_per_line
            or display_width(joiner.join(w.text for w in [*line, word])) > max_chars
            or line[-1].block != word.block
            or line[-1].speaker != word.speaker
            or line[-1].text.endswith(SENTENCE_ENDS)
            or word.start - line[-1].end >= _LINE_BREAK_PAUSE_S
        ):
            groups.append([word])
        else:
            line.append(word)
    lines = []
    for i, line in enumerate(groups):
        end = line[-1].end + _LINE_HOLD_S
        if i + 1 < len(groups):
            end = min(end, groups[i + 1][0].start)
        text = [(w.start, w.text.upper() if style.upper else w.text) for w in line]
        lines.append((line[0].start, max(end, line[-1].end), text, line[0].speaker))
    return lines


# A dialogue's second speaker is drawn in light blue (the first keeps the style's colours):
# ASS colours are &HAABBGGRR; this overrides the primary colour (a spoken karaoke word, or
# a plain cue's text).
SPEAKER_COLOURS = ("", r"{\1c&H00FFC864&}")


def speaker_colour(voice: int) -> str:
    """The ASS override that colours a line of the dialogue's ``voice``-th speaker."""
    return SPEAKER_COLOURS[voice % len(SPEAKER_COLOURS)]


def karaoke_text(
    words: Sequence[tuple[float, str]], start: float, end: float, spaced: bool = True
) -> str:
    """ASS text of a line shown from ``start`` to ``end`` (seconds) whose ``words`` start at
    the given times: each word after a ``\\k`` tag lasting until the next word starts
    (centiseconds), so libass turns it to the highlight colour as it starts. A word that
    started before ``start`` is highlighted from the first picture. Words are separated by a
    space unless the language is not ``spaced``."""
    times = [min(max(t, start), end) for t, _ in words]
    cs = [round(t * 100) for t in [*times, end]]
    lead = cs[0] - round(start * 100)
    parts = [f"{{\\k{lead}}}"] if lead > 0 else []
    for i, (_, word) in enumerate(words):
        space = " " if spaced and i + 1 < len(words) else ""
        parts.append(f"{{\\k{cs[i + 1] - cs[i]}}}{ass_text(word)}{space}")
    return "".join(parts)


_SRT_TIME = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{1,3})")


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """(start_s, end_s, text) of each cue of an SRT file, in file order."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        left, _, right = lines[timing].partition("-->")
        a, b = _SRT_TIME.search(left), _SRT_TIME.search(right)
        if not a or not b:
            continue
        body = "\n".join(lines[timing + 1 :]).strip()
        if body:
            cues.append((_seconds(a), _seconds(b), body))
    return cues


def _seconds(match: re.Match[str]) -> float:
    h, m, s, ms = match.groups()
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000
