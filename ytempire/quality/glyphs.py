"""Missing glyphs: characters drawn on screen that no shipped font covers.

Every piece of text the video shows is set in a face chosen to cover it
(``ytempire.fonts.covering``): the channel's, else its script's, else any shipped face that
has the characters. What none has would be a box on screen, so the stages that draw record
it (``Timeline.missing_glyphs``: cards, overlays, charts, the end screen and the captions;
``ThumbnailSet.missing_glyphs``: the thumbnails' texts), and the critical check
``missing_glyphs`` of the video suite (and of the thumbnail suite, for each variant) fails
the video naming each character.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def describe(chars: str) -> str:
    """Each character with its code point and Unicode name: ``ழ (U+0BB4 TAMIL LETTER LLLA)``."""
    return ", ".join(f"{ch} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})" for ch in chars)


def glyph_row(missing: str) -> dict[str, Any]:
    """A suite row's columns for the ``missing`` characters that a stage drew without a
    covering font: how many, and each named (None when there are none)."""
    chars = "".join(dict.fromkeys(missing))
    return {"missing_glyphs": len(chars), "missing_glyph_chars": describe(chars) or None}
