"""Suite files load strictly; validation gives one check per expectation and row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ytempire.quality.suites import SUITE_NAMES, SuiteError, load_suite, load_suites, validate
from ytempire.settings import Settings

SUITES_DIR = Settings().quality_suites_dir


def write_suite(path: Path, expectations: list[dict[str, Any]], **extra: Any) -> Path:
    path.write_text(json.dumps({"name": path.stem, "expectations": expectations, **extra}))
    return path


def between(column: str, low: float | None = None, high: float | None = None, **more: Any) -> Any:
    kwargs: dict[str, Any] = {"column": column}
    if low is not None:
        kwargs["min_value"] = low
    if high is not None:
        kwargs["max_value"] = high
    return {
        "type": "expect_column_values_to_be_between",
        "kwargs": kwargs,
        "meta": {"check": column, "recommendation": f"fix {column}"},
        **more,
    }


@pytest.mark.parametrize("name", SUITE_NAMES)
def test_each_shipped_suite_loads_every_expectation_it_lists(name: str) -> None:
    path = SUITES_DIR / f"{name}.json"
    listed = json.loads(path.read_text())["expectations"]
    suite = load_suite(path)
    assert suite.name == name
    assert len(suite.checks) == len(suite.gx_suite.expectations) == len(listed) >= 4
    assert [c.check for c in suite.checks] == [e["meta"]["check"] for e in listed]


def test_the_shipped_suites_carry_the_seeds_thresholds() -> None:
    suites = load_suites(SUITES_DIR)
    kwargs = {name: {c.check: c.kwargs for c in s.checks} for name, s in suites.items()}
    assert kwargs["script"]["engagement"]["min_value"] == 0.75
    assert kwargs["script"]["length_ratio"] == {
        "column_A": "length",
        "column_B": "target_length",
        "min_value": 0.9,
        "max_value": 1.1,
    }
    assert kwargs["voice"]["clarity"]["min_value"] == 0.9
    assert kwargs["voice"]["noise_floor_dbfs"]["max_value"] == -40
    assert kwargs["video"]["av_offset_ms"]["tolerance"] == 50
    assert kwargs["video"]["duration_error_s"]["tolerance"] == 0.1
    assert kwargs["thumbnail"]["text_contrast_ratio"]["min_value"] == 4.5
    assert kwargs["thumbnail"]["text_visibility"]["min_value"] == 0.9
    assert kwargs["thumbnail"]["brand_consistency"]["min_value"] == 0.8
    # Per language where the unit or the formula's scale differs (docs/languages.md).
    listed = {
        (c.check, c.where): c.kwargs for s in suites.values() for c in s.checks if c.condition
    }
    assert listed[("readability", "language != 'ja'")]["min_value"] == 0.6
    assert listed[("readability", "language == 'ja'")]["min_value"] == 0.5
    assert listed[("keyword_density", "spaced == True")]["max_value"] == 0.05
    assert listed[("keyword_density", "spaced == False")]["max_value"] == 0.08
    assert listed[("characters_per_minute", "language == 'ja'")]["max_value"] == 370
    faces = next(c for c in suites["thumbnail"].checks if c.check == "faces")
    assert faces.severity == "info" and not faces.gated
    assert all(c.gated for c in suites["video"].checks)


def one_line_error(path: Path) -> str:
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_bad_json_is_named(tmp_path: Path) -> None:
    path = tmp_path / "voice.json"
    path.write_text('{"name": "voice", "expectations": [')
    assert "not valid JSON" in one_line_error(path)


def test_an_unknown_expectation_type_is_an_error_not_a_silent_drop(tmp_path: Path) -> None:
    unknown = between("x", 1) | {"type": "expect_column_values_to_sparkle"}
    unknown["meta"] = {"check": "sparkle", "recommendation": "sparkle more"}
    path = write_suite(tmp_path / "video.json", [between("fps", 29), unknown])
    message = one_line_error(path)
    assert "lists 2 expectations but 1 loaded" in message
    assert "sparkle (expect_column_values_to_sparkle)" in message


def test_invalid_kwargs_are_an_error(tmp_path: Path) -> None:
    broken = between("fps", 29)
    del broken["kwargs"]["column"]
    path = write_suite(tmp_path / "video.json", [broken])
    message = one_line_error(path)
    assert "not a valid suite" in message and "ExpectColumnValuesToBeBetween" in message
    assert "column" in message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"name": "script"}, '"expectations" must be a non-empty list'),
        ({"name": "script", "expectations": []}, '"expectations" must be a non-empty list'),
        ({"expectations": [between("a", 1)]}, '"name" must be a non-empty string'),
        ([between("a", 1)], "the top level must be an object"),
        (
            {"name": "s", "expectations": [{"type": "expect_column_to_exist", "kwargs": {}}]},
            '"meta" with "check" and "recommendation" is missing',
        ),
        (
            {"name": "s", "expectations": [between("a", 1) | {"meta": {"check": "a"}}]},
            'meta "recommendation" must say what to do',
        ),
        ({"name": "s", "expectations": [between("a", 1), between("a", 2)]}, "listed twice"),
    ],
)
def test_a_file_that_is_not_a_suite_is_named(tmp_path: Path, content: Any, problem: str) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps(content))
    assert problem in one_line_error(path)


def test_missing_and_unreadable_files_and_folders(tmp_path: Path) -> None:
    assert "no such suite file" in one_line_error(tmp_path / "script.json")
    (tmp_path / "voice.json").mkdir()
    assert "cannot be read" in one_line_error(tmp_path / "voice.json")
    with pytest.raises(SuiteError, match=r"quality suites folder .* does not exist"):
        load_suites(tmp_path / "nowhere")
    with pytest.raises(SuiteError, match=r"script\.json: no such suite file"):
        load_suites(tmp_path)


def test_each_row_is_judged_and_missing_values_fail(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "t.json", [between("score", 0.5, 1.0)]))
    frame = pd.DataFrame({"score": [0.7, 0.2, None, 1.0]})
    checks = validate(suite, frame)
    assert [(c.row, c.passed, c.value) for c in checks] == [
        (0, True, 0.7),
        (1, False, 0.2),
        (2, False, None),  # GX skips a missing value; not measured is not passed
        (3, True, 1.0),
    ]
    assert checks[0].expectation == "0.5 ≤ score ≤ 1"


def test_our_pair_expectations_compare_rows(tmp_path: Path) -> None:
    within = {
        "type": "expect_column_pair_values_to_be_within_tolerance",
        "kwargs": {"column_A": "video_s", "column_B": "audio_s", "tolerance": 0.1},
        "meta": {"check": "duration_error_s", "recommendation": "match"},
    }
    ratio = {
        "type": "expect_column_pair_values_ratio_to_be_between",
        "kwargs": {"column_A": "words", "column_B": "target", "min_value": 0.9, "max_value": 1.1},
        "meta": {"check": "length_ratio", "recommendation": "fit"},
    }
    suite = load_suite(write_suite(tmp_path / "t.json", [within, ratio]))
    frame = pd.DataFrame(
        {
            "video_s": [10.0, 10.0, 10.0],
            "audio_s": [10.05, 10.2, 9.95],
            "words": [150, 100, 10],
            "target": [150, 150, 0],
        }
    )
    checks = {(c.check.check, c.row): c for c in validate(suite, frame)}
    assert [checks["duration_error_s", r].passed for r in range(3)] == [True, False, True]
    assert checks["duration_error_s", 1].value == pytest.approx(0.2)
    assert checks["duration_error_s", 0].expectation == "|video_s − audio_s| ≤ 0.1"
    assert [checks["length_ratio", r].passed for r in range(3)] == [True, False, False]
    assert checks["length_ratio", 1].value == pytest.approx(0.6667, abs=1e-4)
    assert checks["length_ratio", 2].value is None  # a zero target has no ratio
    assert checks["length_ratio", 0].expectation == "0.9 ≤ words / target ≤ 1.1"


def test_informational_checks_are_not_gated(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "t.json", [between("faces", 1, severity="info")]))
    [check] = validate(suite, pd.DataFrame({"faces": [0]}))
    assert not check.passed and not check.check.gated


def test_a_suite_that_names_a_column_the_metrics_lack_is_an_error(tmp_path: Path) -> None:
    suite = load_suite(write_suite(tmp_path / "t.json", [between("bitrate", 1)]))
    with pytest.raises(SuiteError, match=r"t\.json: check 'bitrate' .* raised: .*bitrate"):
        validate(suite, pd.DataFrame({"fps": [30.0]}))


def language_is(operator: str, value: Any) -> dict[str, Any]:
    return {
        "type": "comparison",
        "column": {"name": "language"},
        "operator": operator,
        "parameter": value,
    }


def test_a_check_listed_per_language_is_judged_once_per_row_by_its_languages_threshold(
    tmp_path: Path,
) -> None:
    plain = between("readability", 0.6) | {}
    plain["kwargs"] = plain["kwargs"] | {"row_condition": language_is("NOT_IN", ["ja", "zh"])}
    japanese = between("readability", 0.5)
    japanese["kwargs"] = japanese["kwargs"] | {"row_condition": language_is("==", "ja")}
    suite = load_suite(write_suite(tmp_path / "s.json", [plain, japanese]))
    frame = pd.DataFrame(
        {"language": ["en", "ja", "ja", "zh"], "readability": [0.55, 0.55, 0.4, 0.9]}
    )
    checks = validate(suite, frame)
    assert [(c.row, c.passed, c.skipped is None) for c in checks] == [
        (0, False, True),  # English under 0.6
        (1, True, True),  # Japanese over its 0.5
        (2, False, True),
        (3, False, False),  # no listing for Chinese: skipped, not passed
    ]
    assert checks[1].expectation == "readability ≥ 0.5"
    assert checks[3].skipped == (
        "does not apply here: readability is checked where language NOT_IN ['ja', 'zh']"
    )


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        ({}, 'listed twice (list a check again only with a "row_condition" on each'),
        ({"row_condition": "language == 'ja'"}, '"row_condition" must be a GX comparison'),
        ({"row_condition": language_is("~", "ja")}, '"row_condition" must be a GX comparison'),
    ],
)
def test_a_check_listed_twice_needs_a_comparison_on_each_listing(
    tmp_path: Path, second: dict[str, Any], problem: str
) -> None:
    first = between("readability", 0.6)
    first["kwargs"] |= {"row_condition": language_is("!=", "ja")}
    again = between("readability", 0.5)
    again["kwargs"] |= second
    assert problem in one_line_error(write_suite(tmp_path / "s.json", [first, again]))
