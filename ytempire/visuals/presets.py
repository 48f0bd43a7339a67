"""Style presets: how a channel's videos move, as data the timeline and captions follow.

A preset sets how long a visual holds (a section's card before its shots, and each shot),
the transitions between blocks, from a card into its shots and between shots (kind and
length), how much the photos move (the pan's zoom: the margin the window travels), and the
shape of the burned captions (ASS fields; the colours come from the brand). A channel picks
one by name (``style_preset``); its free-text ``style`` still goes to the script prompt.

Each preset is priced for the render: a transition or a pan step is a picture the encoder
codes, a still held is almost free (docs/render.md), so every preset renders faster than
the house look (``benchmarks/render.py --preset NAME``; figures in docs/render.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ytempire.models import TRANSITION_KINDS


@dataclass(frozen=True)
class StylePreset:
    """Pacing and caption shape of a channel's videos (see the module)."""

    name: str
    description: str
    card_s: float  # a section's card holds this long before its shots (or a third of it)
    shot_s: float  # each shot (clip, photo, chart) holds at least this long
    transition: str  # between script blocks
    transition_s: float
    into_shots: str  # from a section's card into its first shot
    between_shots: str
    shot_transition_s: float
    pan_zoom: float | None  # photos scaled this much and panned across the margin; None: still
    caption: str = ""  # ASS style fields (Key=Value,...), before the brand's colours

    def __post_init__(self) -> None:
        for kind in (self.transition, self.into_shots, self.between_shots):
            if kind not in TRANSITION_KINDS:
                raise ValueError(f"preset {self.name!r}: unknown transition {kind!r}")
        if self.pan_zoom is not None and not 1.0 < self.pan_zoom <= 1.5:
            raise ValueError(f"preset {self.name!r}: pan zoom {self.pan_zoom} is not 1-1.5")


# What videos looked like before presets, and still do without one: the transition settings
# (YTEMPIRE_TRANSITION, YTEMPIRE_TRANSITION_S, YTEMPIRE_PAN_PICTURES) apply to it only.
STANDARD = StylePreset(
    name="standard",
    description="The house look without a preset: 4 s cards, shots of at least 2 s, 0.5 s "
    "fades between blocks, a slide into shots and dissolves between them, photos panned "
    "over 8% of the frame; white captions on a translucent black box.",
    card_s=4.0,
    shot_s=2.0,
    transition="fade",
    transition_s=0.5,
    into_shots="slideleft",
    between_shots="dissolve",
    shot_transition_s=0.5,
    pan_zoom=1.08,
)

PRESETS: dict[str, StylePreset] = {
    p.name: p
    for p in (
        StylePreset(
            name="calm-explainer",
            description="Long holds and soft, slow changes for one idea at a time: cards hold "
            "8 s before their shots, each shot at least 8 s; 0.6 s fades between blocks, "
            "into shots and between them; photos drift slowly (zoom 1.04: about 10 px/s over "
            "a shot); captions in a box, regular weight.",
            card_s=8.0,
            shot_s=8.0,
            transition="fade",
            transition_s=0.6,
            # Not "dissolve": its per-pixel noise costs the encoder 5x the bits of a fade.
            into_shots="fade",
            between_shots="fade",
            shot_transition_s=0.6,
            pan_zoom=1.04,
            caption="Fontsize=46,BorderStyle=3,Outline=8,MarginV=64",
        ),
        StylePreset(
            name="fast-cuts",
            description="Quick, punchy pacing: cards hold 2 s, shots at least 2.5 s; 0.3 s "
            "slides between blocks, hard cuts into and between shots; no pan (the cuts are "
            "the motion, and a still costs the encoder nothing); big bold captions with a "
            "thick outline instead of a box.",
            card_s=2.0,
            shot_s=2.5,
            transition="slideleft",
            transition_s=0.3,
            into_shots="cut",
            between_shots="cut",
            shot_transition_s=0.0,
            pan_zoom=None,
            caption="Fontsize=60,Bold=1,BorderStyle=1,Outline=5,Shadow=0,MarginV=90",
        ),
        StylePreset(
            name="data-story",
            description="Time to read the numbers: cards hold 4 s, each shot (a chart above "
            "all) at least 6 s; 0.5 s wipes between blocks, a slide up into shots and fades "
            "between them; nothing pans, so charts stay still; smaller captions set low, "
            "clear of chart labels.",
            card_s=4.0,
            shot_s=6.0,
            transition="wipeleft",
            transition_s=0.5,
            into_shots="slideup",
            between_shots="fade",
            shot_transition_s=0.5,
            pan_zoom=None,
            caption="Fontsize=40,BorderStyle=3,Outline=6,MarginV=36",
        ),
    )
}

PRESET_NAMES = tuple(PRESETS)


def preset_named(name: str) -> StylePreset:
    """The preset called ``name``, or ValueError (one line) naming the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(
            f"unknown style preset {name!r}; expected one of {', '.join(PRESET_NAMES)}"
        ) from None


def standard(
    transition: str = STANDARD.transition,
    transition_s: float = STANDARD.transition_s,
    pan_pictures: bool = True,
) -> StylePreset:
    """The look without a preset, with the transition settings applied."""
    return replace(
        STANDARD,
        transition=transition,
        transition_s=transition_s,
        shot_transition_s=transition_s,
        pan_zoom=STANDARD.pan_zoom if pan_pictures else None,
    )
