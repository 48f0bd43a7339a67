"""Quality in the script's language: readability by the language's formula, pace and
keyword density in its units, and checks that do not apply skipped with the reason."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.quality.outputs import mastered_wav, narration_for
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import QualityCheck, Script, Section
from ytempire.quality import readability, report
from ytempire.quality.script_metrics import keyword_density
from ytempire.quality.suites import Suite, load_suites
from ytempire.script.languages import target_length
from ytempire.settings import Settings

SPANISH = (
    "Los agujeros negros no son eternos. Según Stephen Hawking, emiten una radiación muy "
    "débil y pierden masa poco a poco. Al final, se evaporan por completo. ¿Cuánto tardan? "
    "Muchísimo más que la edad del universo."
)
# Plain Japanese in です/ます style: short sentences, mostly kana.
JAPANESE = (
    "ブラックホールは永遠ではありません。ホーキング博士によると、ブラックホールはとても"
    "弱い光を出して、少しずつ軽くなっていきます。最後には、すっかり蒸発してしまいます。"
)
# The same facts as a chain of kanji compounds: what Tateisi's formula marks as hard.
DENSE_JAPANESE = "黒洞蒸発現象理論的予測量子効果起因熱放射。事象地平面近傍粒子対生成過程質量減少。"


@pytest.fixture(scope="module")
def suites() -> dict[str, Suite]:
    return load_suites(Settings().quality_suites_dir)


def script_in(tag: str, text: str, tmp_path: Path, keywords: list[str]) -> Script:
    return Script(
        engine="test",
        title=text[:20],
        hook=text,
        sections=[Section(heading="1", narration=text)],
        summary=text,
        cta=text,
        keywords=keywords,
        markdown_path=tmp_path / "script.md",
        language=tag,
    )


def by_name(checks: list[QualityCheck]) -> dict[str, QualityCheck]:
    return {c.name: c for c in checks}


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("agujeros", 4), ("radiación", 3), ("país", 2), ("leer", 2), ("hoy", 1), ("y", 1)],
)
def test_spanish_syllables_are_vowel_nuclei(word: str, syllables: int) -> None:
    assert readability.spanish_syllables(word) == syllables


def test_spanish_text_is_read_by_fernandez_huerta_not_flesch() -> None:
    spanish, english = readability.measure(SPANISH, "es"), readability.measure(SPANISH, "en")
    assert spanish.formula == "Fernández Huerta readability"
    assert english.formula == "Flesch reading ease"
    # 35 words in 5 sentences, 69 syllables by vowel nuclei (a-gu-je-ros, ra-dia-ción).
    assert spanish.score is not None and english.score is not None
    assert spanish.score == pytest.approx(206.84 - 60 * 69 / 35 - 1.02 * 35 / 5, abs=0.01)
    assert spanish.score != english.score and spanish.readability == round(spanish.score / 100, 4)


def test_japanese_readability_is_tateisis_formula_on_runs_of_characters() -> None:
    features = readability.tateisi_features("ブラックホールは、光を出す。")
    # Runs: ブラックホール (katakana 7), は (hiragana 1), 光 (kanji 1), を (1), 出 (1), す (1).
    assert features == {"ls": 12.0, "la": 0.0, "lh": 1.0, "lc": 1.0, "lk": 7.0, "cp": 1.0}
    plain, dense = readability.measure(JAPANESE, "ja"), readability.measure(DENSE_JAPANESE, "ja")
    assert plain.formula == "Tateisi readability (RS')"
    assert plain.score is not None and dense.score is not None
    assert plain.score >= 50 > dense.score  # the suite's Japanese threshold, 0.5 of 100


def test_a_language_without_a_formula_is_not_measured_and_says_why() -> None:
    korean = readability.measure("블랙홀은 영원하지 않습니다.", "ko")
    assert korean.score is None and korean.readability is None
    assert korean.skipped is not None and "no readability formula for Korean" in korean.skipped


def test_keyword_density_counts_the_languages_units() -> None:
    # Words: "black holes" is 2 of the 8 words.
    assert keyword_density("Black holes are not forever, black holes fade.", "black holes") == (
        pytest.approx(4 / 8)
    )
    # Characters, punctuation left out: 2 × 7 of the 29 letters, full-width folded.
    text = "ブラックホールは永遠ではありません。ブラックホールは蒸発する。"
    assert keyword_density(text, "ブラックホール", "ja") == pytest.approx(14 / 29)
    assert keyword_density("ＡＩは、ＡＩです。", "AI", "ja") == pytest.approx(4 / 7)
    # Spaces split no Japanese words: a word count would find one "word" and no keyword.
    assert keyword_density(text, "ブラックホール") == 0.0


def test_a_japanese_script_is_measured_in_characters_against_its_threshold(
    suites: dict[str, Suite], tmp_path: Path
) -> None:
    script = script_in("ja", JAPANESE, tmp_path, ["ブラックホール", "蒸発"])
    target = target_length(0.5, "ja")
    row = report.script_row(script, target)
    assert row["length_unit"] == "characters" and row["target_length"] == 165
    assert row["length"] == 4 * sum(ch.isalnum() for ch in JAPANESE)
    assert row["keyword"] == "ブラックホール"
    checks = by_name(report.run_suite(suites["script"], ["script"], [row]))
    assert checks["readability"].passed and checks["readability"].expectation == (
        "readability ≥ 0.5"
    )
    assert checks["length_ratio"].value == pytest.approx(row["length"] / 165, abs=1e-4)
    assert "characters" in (checks["length_ratio"].recommendation or "")
    # Engagement reads Japanese cues (script.scoring): this one asks no question.
    assert not checks["engagement"].passed and not checks["engagement"].skipped


def test_a_spanish_script_fails_readability_by_its_own_formula(
    suites: dict[str, Suite], tmp_path: Path
) -> None:
    hard = (
        "La radiación térmica hipotéticamente emitida por agujeros negros macroscópicos "
        "constituye, según consideraciones cuánticas extraordinariamente complejas, una "
        "consecuencia inevitable de fluctuaciones electromagnéticas."
    )
    checks = by_name(
        report.run_suite(
            suites["script"],
            ["script"],
            [report.script_row(script_in("es", hard, tmp_path, []), 60)],
        )
    )
    assert not checks["readability"].passed and checks["readability"].gated
    assert "Fernández Huerta readability" in (checks["readability"].recommendation or "")


def test_a_language_without_a_formula_skips_readability_not_passes(
    suites: dict[str, Suite], tmp_path: Path
) -> None:
    script = script_in("ko", "블랙홀은 영원하지 않습니다.", tmp_path, [])
    checks = report.run_suite(suites["script"], ["script"], [report.script_row(script, 10)])
    skipped = by_name(checks)["readability"]
    assert skipped.skipped and "Korean" in skipped.skipped and not skipped.passed
    assert skipped not in report.failures(checks)
    assert skipped.line().startswith("script readability skipped: no readability formula")
    engagement = by_name(checks)["engagement"]
    assert engagement.skipped and "knows no Korean cues" in engagement.skipped
    assert not engagement.gated
    # Without keywords there is no density to judge.
    assert by_name(checks)["keyword_density"].skipped == "the script has no keywords to count"
    # The analytics store keeps the reason with the row.
    store, video_id = AnalyticsStore(f"sqlite:///{tmp_path / 'analytics.db'}"), uuid.uuid4().hex
    store.record_quality(video_id, uuid.uuid4(), checks)
    [stored] = [r for r in store.quality_results(video_id) if r.check == "readability"]
    assert not stored.passed and not stored.gated
    assert stored.recommendation == f"skipped: {skipped.skipped}"


def test_japanese_pace_is_characters_per_minute(suites: dict[str, Suite], tmp_path: Path) -> None:
    wav = mastered_wav(tmp_path / "ja.wav", 6.0)
    narration = narration_for(wav, tmp_path / "ja.srt")
    # 33 characters in 6 s: 330 a minute, inside the Japanese band.
    row = report.voice_row(narration, 33, "ja")
    assert row["characters_per_minute"] == pytest.approx(330) and row["words_per_minute"] is None
    checks = by_name(report.run_suite(suites["voice"], ["voice"], [row]))
    assert checks["characters_per_minute"].passed
    words = checks["words_per_minute"]
    assert not words.passed and not words.gated
    assert words.skipped == (
        "Japanese is written with no spaces between words: its pace is characters_per_minute"
    )
    # Racing: 60 characters in 6 s.
    fast = by_name(
        report.run_suite(suites["voice"], ["voice"], [report.voice_row(narration, 60, "ja")])
    )["characters_per_minute"]
    assert not fast.passed and "600 characters per minute" in (fast.recommendation or "")
    # Chinese has no pace band here: neither pace is checked, and both say why.
    chinese = by_name(
        report.run_suite(suites["voice"], ["voice"], [report.voice_row(narration, 25, "zh")])
    )
    assert chinese["characters_per_minute"].skipped == (
        "does not apply here: characters_per_minute is checked where language == 'ja'"
    )
    assert chinese["words_per_minute"].skipped and not chinese["words_per_minute"].gated
