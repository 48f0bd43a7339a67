"""The report's output formats, one module each: markdown, HTML, CSV."""

from __future__ import annotations

from pathlib import Path

from ytempire import workspace
from ytempire.analytics.report.formats.as_csv import to_csv
from ytempire.analytics.report.formats.as_html import to_html
from ytempire.analytics.report.formats.as_markdown import to_markdown
from ytempire.analytics.report.model import OptimizationReport

FORMATS = ("md", "html", "csv")


def render(report: OptimizationReport, fmt: str) -> str:
    """The report as text in ``fmt`` (markdown without charts, HTML with, CSV)."""
    if fmt == "md":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    if fmt == "csv":
        return to_csv(report)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def write(report: OptimizationReport, path: Path, fmt: str) -> list[Path]:
    """Write the report to ``path``; markdown gets its charts as PNGs beside it.

    Returns every file written. Each is written to a temporary name and renamed into place.
    """
    written: list[Path] = []
    images: dict[str, str] = {}
    if fmt == "md":
        for chart in report.charts:
            png = path.with_name(f"{path.stem}-{chart.name}.png")
            workspace.write_bytes(png, chart.png)
            images[chart.name] = png.name
            written.append(png)
    text = to_markdown(report, images) if fmt == "md" else render(report, fmt)
    workspace.write_text(path, text)
    return [path, *written]
