"""The optimization report on the fixed fixture: findings, tables, charts, formats, command."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from tests.analytics import fixture
from tests.analytics.fixture import V2, WINDOW
from ytempire import cli
from ytempire.analytics import report
from ytempire.analytics.store import AnalyticsStore

CHARTS = ["cost_per_video", "api_spend_by_day", "quality_trend", "stage_time", "model_latency_p95"]


@pytest.fixture
def built(loaded: AnalyticsStore) -> report.OptimizationReport:
    return report.build_report(loaded, WINDOW)


def _section(built: report.OptimizationReport, key: str) -> report.Section:
    return next(s for s in built.sections if s.key == key)


def test_summary_and_alerts(built: report.OptimizationReport) -> None:
    assert built.summary == {
        "videos": 2,
        "video cost (USD)": 0.71,
        "mean cost per video (USD)": 0.355,
        "pipeline runs": 4,
        "failed runs": 2,
        "run failure rate": 0.5,
        "model calls": 25,
        "API spend (USD)": 0.93,
        "alerts": 7,
    }
    assert len(built.alerts) == 7


def test_cost_savings_opportunities(built: report.OptimizationReport) -> None:
    assert _section(built, "cost").findings == [
        "1 of 2 videos cost more than $0.45; voice is the largest part of their cost "
        "($0.3000 of $0.5400).",
        # 20 calls × ($0.03 − $0.01), and gpt-3.5-turbo's mean quality 0.80 ≥ 0.75.
        "script_generation: 20 calls to gpt-4-turbo at $0.0300 each; gpt-3.5-turbo costs "
        "$0.0100 with mean quality 0.80 (≥ 0.75): about $0.40 saved over this window.",
        "gpt-4-turbo script_generation: 0% of 20 paid calls hit a cache; repeated prompts "
        "could be served from it.",
        "openai is 68% of API spend ($0.6300 of $0.9300).",
    ]


def test_quality_improvement_areas(built: report.OptimizationReport) -> None:
    quality = _section(built, "quality")
    assert quality.findings == [
        "script by template: mean 0.70 over 1 outputs (lowest 0.70), under 0.75."
    ]
    assert ["voice", "piper:en_US-joe-medium", "3", "0.90", "0.85"] in quality.tables[0].cells()


def test_performance_bottlenecks(built: report.OptimizationReport) -> None:
    assert _section(built, "bottlenecks").findings == [
        # render: 22 000 of 39 750 ms of completed stage time.
        "render takes 55% of stage time (mean 11.0 s, p95 12.0 s).",
        "gpt-3.5-turbo script_generation: p95 latency 8000 ms over 3 calls, over 5000 ms.",
        "render: 1 of 3 attempts failed (33.3%), mostly other.",
        "voice: 2 of 5 attempts failed (40.0%), mostly api_error.",
    ]


def test_model_usage_patterns(built: report.OptimizationReport) -> None:
    usage = _section(built, "usage")
    assert usage.findings == [
        "script_generation: 23 calls, 87% to gpt-4-turbo.",
        "voice_synthesis: 2 calls, 100% to eleven_multilingual_v2.",
        "script: gpt-4-turbo fell back in 2 of 4 runs (50%), over 20%.",
    ]
    calls = usage.tables[0].cells()
    assert calls[0] == [
        "gpt-4-turbo",
        "script_generation",
        "20",
        "87.0%",
        "20000",
        "0.6000",
        "0.0300",
        "1050",
        "1900",
        "0.0%",
        "0.90",
    ]


def test_charts_are_real_pngs(built: report.OptimizationReport) -> None:
    assert [c.name for c in built.charts] == CHARTS
    for chart in built.charts:
        image = Image.open(io.BytesIO(chart.png))
        assert image.format == "PNG" and image.width > 300 and image.height > 100


def test_markdown_html_and_csv(built: report.OptimizationReport) -> None:
    md = report.to_markdown(built)
    assert md.startswith("# Optimization report\n")
    assert "## Cost savings opportunities" in md and "![" not in md
    assert f"| cost_per_video | {V2} | high | 0.54 | 0.45 |" in md
    embedded = report.to_markdown(built, images="embed")
    assert embedded.count("](data:image/png;base64,") == len(CHARTS)

    page = report.to_html(built)
    assert page.count("src='data:image/png;base64,") == len(CHARTS)
    assert not re.search(r"(src|href)=['\"]https?:", page)  # self-contained, offline
    assert "<h2>Performance bottlenecks</h2>" in page

    rows = list(csv.reader(io.StringIO(report.to_csv(built))))
    assert rows[0] == ["section", "table", "key", "metric", "value"]
    assert ["summary", "summary", "", "videos", "2"] in rows
    assert ["alerts", "alerts", f"cost_per_video:{V2}", "value", "0.54"] in rows
    assert [
        "cost",
        "Cost per video (most expensive first)",
        f"{V2}/money",
        "total $",
        "0.54",
    ] in rows


def test_an_empty_window_still_makes_a_report(store: AnalyticsStore) -> None:
    empty = report.build_report(store, WINDOW)
    assert empty.alerts == [] and empty.charts == []
    md = report.to_markdown(empty)
    assert "No alert fired in this window." in md and "no data in this window" in md


@pytest.mark.parametrize(
    ("text", "since"),
    [
        ("7d", datetime(2026, 11, 16, 12, tzinfo=UTC)),
        ("24h", datetime(2026, 11, 22, 12, tzinfo=UTC)),
        ("90m", datetime(2026, 11, 23, 10, 30, tzinfo=UTC)),
        ("2w", datetime(2026, 11, 9, 12, tzinfo=UTC)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
    ],
)
def test_since(text: str, since: datetime) -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert report.since_window(text, now) == report.views.Window(since, now)


@pytest.mark.parametrize("text", ["7x", "0d", "", "2030-01-01", "yesterday"])
def test_bad_since(text: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        report.since_window(text, datetime(2026, 11, 23, tzinfo=UTC))


@pytest.fixture
def fixture_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "analytics.db"
    fixture.load(AnalyticsStore(f"sqlite:///{db}"))
    monkeypatch.setenv("YTEMPIRE_DATABASE_URL", f"sqlite:///{db}")
    return db


UNTIL = ["--until", "2026-11-23T00:00:00+00:00"]


def test_report_command_prints_csv(fixture_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--since", "5d", *UNTIL, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert ["summary", "summary", "", "alerts", "7"] in rows


def test_report_command_writes_markdown_with_charts(
    fixture_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports" / "week.md"
    assert cli.main(["report", "--since", "5d", *UNTIL, "--output", str(out)]) == 0
    written = capsys.readouterr().out.split()
    assert written == [str(out), *(str(out.with_name(f"week-{c}.png")) for c in CHARTS)]
    text = out.read_text()
    for name in CHARTS:
        assert f"(week-{name}.png)" in text
        assert Image.open(out.with_name(f"week-{name}.png")).format == "PNG"


def test_report_command_writes_html(
    fixture_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "week.html"
    assert (
        cli.main(["report", "--since", "5d", *UNTIL, "--format", "html", "--output", str(out)]) == 0
    )
    assert out.read_text().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "7x"], "ytempire: error: argument --since: must be a span like 7d"),
        (["--format", "pdf"], "ytempire: error: argument --format: must be one of md, html, csv"),
        (["--until", "soon"], "ytempire: error: argument --until: must be an ISO date or time"),
    ],
)
def test_report_command_bad_input_exits_2(
    args: list[str], message: str, fixture_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_report_command_without_a_database_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("YTEMPIRE_DATABASE_URL", raising=False)
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    assert cli.main(["report"]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("ytempire: error: report: no analytics database at ")
        and err.count("\n") == 1
    )
    assert not (tmp_path / "runs").exists()


def test_report_command_with_an_unreachable_database_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("YTEMPIRE_DATABASE_URL", "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/x")
    assert cli.main(["report"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ytempire: error: report: ") and err.count("\n") == 1
    assert "s3cret" not in err
