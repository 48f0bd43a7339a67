"""Burned-in subtitles: the narration's cues as an ASS script that libass draws.

The style is a setting written like FFmpeg's ``force_style`` (``Fontsize=48,MarginV=70``),
laid over :data:`DEFAULT_STYLE` and scaled from a 1080-pixel short side to the real frame,
so 16:9 and 9:16 get the same type size. Cue times are given per frame, at the middle of
the frame before the one a cue starts on, so libass's millisecond rounding can never move a
cue by a frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

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


def style_fields(style: str, size: tuple[int, int]) -> dict[str, str]:
    """The ASS style for a frame of ``size``: defaults, ``style``'s overrides, scaled.

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
    """An ASS script showing each (start_s, end_s, text) event in the given style."""
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
        lines.append(
            f"Dialogue: 0,{ass_time(start)},{ass_time(end)},Default,,0,0,0,,{ass_text(text)}"
        )
    return "\n".join(lines) + "\n"
