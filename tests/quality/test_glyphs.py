"""The missing_glyphs check: text in Japanese, Spanish and Arabic set in the shipped faces
passes; a character no shipped face has fails the video and the thumbnails, named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.quality.test_suites import write_suite
from ytempire import fonts
from ytempire.fonts import default_faces
from ytempire.quality.glyphs import glyph_row
from ytempire.quality.report import run_suite
from ytempire.quality.suites import load_suite
from ytempire.settings import Settings
from ytempire.visuals.text import fit_paragraphs

TEXTS = {
    "ja": ["ブラックホールはどのように蒸発するのか？", "「ホーキング放射」と呼ばれる現象です。"],
    "es": ["¿Cómo se evaporan los agujeros negros?", "Año 1974: ¡la radiación de Hawking!"],
    "ar": ["كيف تتبخر الثقوب السوداء؟", "يُسمّى هذا التوهج إشعاع هوكينغ."],
}


def _missing(texts: list[str], language: str) -> str:
    """What setting ``texts`` in ``language``'s faces (as cards and thumbnails do) records."""
    with fonts.recording_missing() as missing:
        for face in default_faces(None, language):
            fit_paragraphs(texts, face, (900, 400), max_size=60, min_size=20, max_lines=3,
                           language=language)  # fmt: skip
    return "".join(sorted(missing))


@pytest.mark.parametrize("suite", ["video", "thumbnail"])
def test_missing_glyphs_passes_with_the_shipped_faces_and_fails_naming_the_rest(
    suite: str, tmp_path: Path
) -> None:
    shipped = json.loads((Settings().quality_suites_dir / f"{suite}.json").read_text())
    [check] = [e for e in shipped["expectations"] if e["meta"]["check"] == "missing_glyphs"]
    assert check["meta"]["critical"] is True
    only = load_suite(write_suite(tmp_path / f"{suite}.json", [check]))
    for language, texts in TEXTS.items():
        [result] = run_suite(only, [language], [glyph_row(_missing(texts, language))])
        assert result.passed, (language, result.line())
    uncovered = _missing(["Tamil: தமிழ்", "Linear B: \U00010000"], "en")
    [result] = run_suite(only, ["video"], [glyph_row(uncovered)])
    assert not result.passed and result.gated and result.critical
    assert result.value == 6
    assert "த (U+0BA4 TAMIL LETTER TA)" in (result.recommendation or "")
    assert "U+10000 LINEAR B SYLLABLE B008 A" in (result.recommendation or "")
