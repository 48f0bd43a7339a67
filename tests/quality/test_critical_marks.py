"""Critical checks: the suites' ``"critical": true`` marks, read strictly and carried into
the report, where the gate before publishing finds them (ytempire.publish.gate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.quality.test_suites import SUITES_DIR, between, write_suite
from ytempire.quality.report import run_suite
from ytempire.quality.suites import SuiteError, load_suite, load_suites


def test_the_shipped_suites_mark_what_makes_a_video_unpublishable() -> None:
    critical = {
        (name, c.check)
        for name, suite in load_suites(SUITES_DIR).items()
        for c in suite.checks
        if c.critical
    }
    assert critical == {
        ("video", "resolution"),
        ("video", "fps"),
        ("video", "codec"),
        ("video", "pixel_format"),
        ("video", "duration_error_s"),
        ("video", "av_offset_ms"),
        ("video", "missing_glyphs"),
        ("voice", "clipping_ratio"),
        ("thumbnail", "resolution"),
        ("thumbnail", "size_mb"),
        ("thumbnail", "missing_glyphs"),
    }


def test_a_critical_mark_reaches_each_row_s_check(tmp_path: Path) -> None:
    marked = between("fps", 29)
    marked["meta"]["critical"] = True
    suite = load_suite(write_suite(tmp_path / "video.json", [marked, between("bitrate", 1)]))
    checks = run_suite(suite, ["a", "b"], [{"fps": 30, "bitrate": 0}, {"fps": 20, "bitrate": 2}])
    assert [(c.item, c.name, c.passed, c.critical) for c in checks] == [
        ("a", "fps", True, True),
        ("a", "bitrate", False, False),
        ("b", "fps", False, True),
        ("b", "bitrate", True, False),
    ]


def test_a_critical_mark_that_is_not_true_or_false_is_named(tmp_path: Path) -> None:
    marked = between("fps", 29)
    marked["meta"]["critical"] = "yes"
    with pytest.raises(SuiteError, match='fps\\): meta "critical" must be true or false'):
        load_suite(write_suite(tmp_path / "video.json", [marked]))
