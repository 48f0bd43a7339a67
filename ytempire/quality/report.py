"""The quality stage's core: measure every output, validate it against its suite, report.

Each output type has a Great Expectations suite in ``quality_suites/`` (seed §4.1's
QUALITY_THRESHOLDS; docs/quality.md lists every threshold and why it departs from the seed
where it does). The measurements of an output become a one-row-per-item DataFrame (one row
for the script, the voice and the video; one per thumbnail variant), validated by
``quality.suites``. The report is compact: ``passed`` when every gated check passed,
``quality_score`` the share of gated checks that passed, one line per failure with what to
do about it, and every check with its observed value for whoever wants the detail.
Informational checks (GX severity ``info``, e.g. faces on a faceless channel) are listed
but neither fail the report nor count in the score. So are skipped ones: a check that does
not apply to the output's language (readability where the language has no formula, pace in
words for Japanese) is listed with the reason, never counted as passed.

Measurements are in the script language's units (docs/languages.md, "Quality in other
languages"): a row says what could not be measured, and why, under ``SKIPPED``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ytempire.language import language
from ytempire.models import (
    MediaInfo,
    Narration,
    QualityCheck,
    QualityReport,
    RenderedVideo,
    Script,
    ThumbnailSet,
    Timeline,
)
from ytempire.quality.audio import measure_speech
from ytempire.quality.brand import brand_consistency
from ytempire.quality.clarity import speech_clarity
from ytempire.quality.glyphs import glyph_row
from ytempire.quality.images import measure_thumbnail
from ytempire.quality.script_metrics import measure_script
from ytempire.quality.suites import (
    Check,
    RowCheck,
    Suite,
    SuiteError,
    load_suite,
    load_suites,
    suite_path,
    validate,
)
from ytempire.script.languages import spoken_length
from ytempire.script.scoring import CUES, LENGTH_TOLERANCE, engagement, reads
from ytempire.script.template_writer import ENGINE as TEMPLATE_ENGINE
from ytempire.visuals.palette import DEFAULT_PALETTE, Palette
from ytempire.workspace import write_json

ENGINE = "great-expectations"
# The most engagement a template-written script scores: under the suite's 0.75.
TEMPLATE_ENGAGEMENT = 0.5

Row = Mapping[str, Any]
# A row's measurements that were not taken: {column: why}. Its checks are skipped.
SKIPPED = "skipped"
_FIELD = re.compile(r"\{(\w+)(?::[^{}]*)?\}")


def script_row(script: Script, target: int) -> dict[str, Any]:
    """What the script suite checks: readability, engagement, length, keyword density, in
    the script language's units (``target``: the length asked, in that unit).

    A template-written script is scored for what it is, in any language: its question hook
    and call to action are a fixed outline's, so its engagement is capped below any passing
    score. Engagement reads the cues of the languages ``script.scoring`` knows; a model's
    script in another language is skipped."""
    metrics = measure_script(script, target)
    row: dict[str, Any] = {
        **metrics.model_dump(exclude={"skipped"}),
        "min_length": round(metrics.target_length * (1 - LENGTH_TOLERANCE)),
        "max_length": round(metrics.target_length * (1 + LENGTH_TOLERANCE)),
        "engagement": None,
        "engagement_missing": None,
        SKIPPED: dict(metrics.skipped),
    }
    tag, template = script.language, script.engine == TEMPLATE_ENGINE
    known = reads(tag)
    if not known and not template:
        row[SKIPPED]["engagement"] = (
            f"the engagement heuristic knows no {language(tag).name} cues "
            f"(reads: {', '.join(sorted(CUES))}; script/scoring.py)"
        )
        return row
    score, missing = TEMPLATE_ENGAGEMENT, []
    if known:
        engaged = engagement(
            script.hook,
            [*(s.narration for s in script.sections), script.summary, script.cta],
            script.cta,
            tag,
        )
        score, missing = engaged.score, list(engaged.missing)
    if template:
        score = min(score, TEMPLATE_ENGAGEMENT)
        missing.insert(0, "words of its own (the template writer's outline engages no one)")
    return row | {"engagement": score, "engagement_missing": "; ".join(missing) or None}


def voice_row(narration: Narration, length: int, tag: str) -> dict[str, Any]:
    """What the voice suite checks, for narration that speaks ``length`` units of ``tag``'s
    language (``script.languages.spoken_length``). Pace is words per minute where the
    language separates words by spaces, else characters per minute; the other is skipped.
    Pace, silence, noise and clarity are the voice's own (music under it would hide them);
    loudness and peaks are the delivered mix's."""
    voice = narration.voice_path or narration.audio_path
    speech = measure_speech(voice, length, delivered_path=narration.audio_path)
    spoken = language(tag)
    pace, other = (
        ("words_per_minute", "characters_per_minute")
        if spoken.spaced
        else ("characters_per_minute", "words_per_minute")
    )
    unit = "spaced words" if spoken.spaced else "no spaces between words"
    return {
        "language": spoken.code,
        **speech.model_dump(exclude={"words_per_minute"}),
        pace: speech.words_per_minute,
        other: None,
        "clarity": speech_clarity(voice),
        SKIPPED: {other: f"{spoken.name} is written with {unit}: its pace is {pace}"},
    }


def video_row(info: MediaInfo, narration: Narration, timeline: Timeline) -> dict[str, Any]:
    """What the video suite checks; the expected frame is the timeline's (16:9 or 9:16)."""
    return {
        "resolution": f"{info.width}x{info.height}",
        "expected_resolution": f"{timeline.width}x{timeline.height}",
        "fps": info.fps,
        "codec": info.video_codec,
        "pixel_format": info.pixel_format,
        "bitrate_mbps": round(info.bitrate_bps / 1e6, 3),
        "video_duration_s": info.video_duration_s,
        "narration_duration_s": narration.duration_s,
        "video_start_ms": info.video_start_s * 1000,
        "audio_start_ms": None if info.audio_start_s is None else info.audio_start_s * 1000,
        **glyph_row(timeline.missing_glyphs),
    }


def thumbnail_rows(
    thumbnails: ThumbnailSet, palette: Palette
) -> tuple[list[str], list[dict[str, Any]], dict[str, dict[str, float | int | str | None]]]:
    """(item names, rows for the thumbnail suite, what is recorded besides) per variant."""
    items: list[str] = []
    rows: list[dict[str, Any]] = []
    recorded: dict[str, dict[str, float | int | str | None]] = {}
    for thumb in thumbnails.variants:
        m = measure_thumbnail(thumb.path, thumb.text_box)
        item = f"thumbnail:{thumb.variant}"
        items.append(item)
        rows.append(
            {
                "resolution": f"{m.width}x{m.height}",
                "size_mb": m.size_bytes / 1e6,
                "text_contrast_ratio": m.text_contrast_ratio,
                "text_visibility": m.text_visibility,
                "brand_consistency": brand_consistency(thumb.path, palette),
                "faces": m.faces,
                **glyph_row(thumbnails.missing_glyphs),
            }
        )
        recorded[item] = {
            "faces": m.faces,
            "face_share": m.face_share,
            "text_area_share": m.text_area_share,
            "predicted_ctr": thumb.predicted_ctr,
        }
    return items, rows, recorded


def run_suite(suite: Suite, items: Sequence[str], rows: Sequence[Row]) -> list[QualityCheck]:
    """Validate ``rows`` (one per item, named by ``items``) against ``suite``: one check
    per expectation and item, each failed one with its recommendation filled in."""
    checks = []
    frame = pd.DataFrame([{k: v for k, v in row.items() if k != SKIPPED} for row in rows])
    # Item by item, each item's checks in suite order.
    results = sorted(validate(suite, frame), key=lambda r: r.row or 0)
    for result in results:
        row = rows[result.row] if result.row is not None else {}
        skipped = _not_measured(result, row) or result.skipped
        checks.append(
            QualityCheck(
                item=items[result.row] if result.row is not None else suite.name,
                name=result.check.check,
                value=result.value,
                passed=result.passed and not skipped,
                expectation=result.expectation,
                gated=result.check.gated and not skipped,
                critical=result.check.critical,
                recommendation=(
                    None if result.passed or skipped else _recommend(suite, result.check, row)
                ),
                skipped=skipped,
            )
        )
    return checks


def _not_measured(result: RowCheck, row: Row) -> str | None:
    """Why the row's measurement that ``result`` checks was not taken, if it was not."""
    kwargs = result.check.kwargs
    column = kwargs.get("column") or kwargs.get("column_A")
    return (row.get(SKIPPED) or {}).get(column)


def summarize(
    checks: list[QualityCheck],
    destination: Path,
    recorded: dict[str, dict[str, float | int | str | None]] | None = None,
) -> QualityReport:
    """The report on ``checks``: passed, score and failures over the gated ones."""
    return QualityReport(
        engine=ENGINE,
        quality_score=score(checks),
        path=destination,
        passed=not failures(checks),
        checks=checks,
        failures=[c.line() for c in failures(checks)],
        recorded=recorded or {},
    )


def failures(checks: Sequence[QualityCheck]) -> list[QualityCheck]:
    """The gated checks that failed: what fails a report."""
    return [c for c in checks if c.gated and not c.passed]


def score(checks: Sequence[QualityCheck]) -> float:
    """The share of gated checks that passed (1.0 with none)."""
    gated = [c for c in checks if c.gated]
    return round(sum(c.passed for c in gated) / len(gated), 4) if gated else 1.0


def assess(
    script: Script,
    target: int,
    narration: Narration,
    timeline: Timeline,
    video: RenderedVideo,
    thumbnails: ThumbnailSet,
    destination: Path,
    suites_dir: Path,
    palette: Palette = DEFAULT_PALETTE,
    substance: Row | None = None,
) -> QualityReport:
    """Measure the outputs, validate them against the suites in ``suites_dir``, and write
    the report to ``destination`` (atomically). ``target`` is the script's length as asked,
    in its language's unit (``script.languages.target_length``). ``palette`` is the brand
    the thumbnails were drawn in. ``substance``: the judge's row
    (``quality.judge.substance_row``), checked against the substance suite as item
    ``script``; None: not judged. A suite that does not load raises ``SuiteError`` before
    anything is measured."""
    suites = load_suites(suites_dir)
    judged: list[QualityCheck] = []
    if substance is not None:
        judged = run_suite(load_suite(suite_path(suites_dir, "substance")), ["script"], [substance])
    thumb_items, thumb_rows, recorded = thumbnail_rows(thumbnails, palette)
    spoken = spoken_length(script.spoken_text(), script.language)
    checks = [
        *run_suite(suites["script"], ["script"], [script_row(script, target)]),
        *run_suite(suites["voice"], ["voice"], [voice_row(narration, spoken, script.language)]),
        *run_suite(suites["video"], ["video"], [video_row(video.info, narration, timeline)]),
        *run_suite(suites["thumbnail"], thumb_items, thumb_rows),
        *judged,
    ]
    report = summarize(checks, destination, recorded)
    write_json(destination, report)
    return report


def table_rows(report: QualityReport) -> list[dict[str, Any]]:
    """The report's checks as table rows (for the run's artifact), failures first."""

    def rank(check: QualityCheck) -> int:
        return 3 if check.passed else 2 if check.skipped else (0 if check.gated else 1)

    def result(check: QualityCheck) -> str:
        if check.passed:
            return "passed"
        if check.skipped:
            return "skipped"
        return "failed" if check.gated else "noted"

    return [
        {
            "item": c.item,
            "check": c.name,
            "value": "" if c.value is None else c.value,
            "expectation": c.expectation,
            "result": result(c),
            "recommendation": c.recommendation or c.skipped or "",
        }
        for c in sorted(report.checks, key=rank)
    ]


def _recommend(suite: Suite, check: Check, row: Row) -> str:
    """The check's recommendation with ``{column}`` / ``{column:spec}`` filled from ``row``;
    a value that is missing or does not fit its spec is written plainly (``n/a`` for None).
    A column the row does not have is the suite's mistake: ``SuiteError``."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if row and name not in row:
            raise SuiteError(
                f"{suite.path}: the recommendation of {check.check!r} names {{{name}}}, "
                f"which the {suite.name} measurements do not have"
            )
        value = row.get(name)
        if value is None:
            return "n/a"
        try:
            return match.group(0).format_map({name: value})
        except (ValueError, TypeError):
            return str(value)

    return _FIELD.sub(fill, check.recommendation)
