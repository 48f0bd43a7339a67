"""The report as markdown: charts linked, embedded as data URIs, or left out."""

from __future__ import annotations

from ytempire.analytics.report.model import OptimizationReport, Section, Table


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> list[str]:
    if not table.rows:
        return [f"**{table.title}**: no data in this window.", ""]
    return [
        f"**{table.title}**",
        "",
        "| " + " | ".join(name for name, _ in table.columns) + " |",
        "|" + "---|" * len(table.columns),
        *("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.cells()),
        "",
    ]


def to_markdown(report: OptimizationReport, images: dict[str, str] | str | None = None) -> str:
    """Markdown; ``images`` maps chart names to links, ``"embed"`` inlines them as data URIs,
    ``None`` leaves them out."""
    lines = ["# Optimization report", "", report.window_line, "", "## Summary", ""]
    lines += ["| figure | value |", "|---|---:|"]
    lines += [f"| {k} | {'' if v is None else v} |" for k, v in report.summary.items()]
    lines += ["", "## Alerts", ""]
    if report.alerts:
        lines += ["| rule | subject | severity | value | threshold | message |"]
        lines += ["|---|---|---|---:|---:|---|"]
        lines += [
            f"| {a.rule} | {_md_cell(a.subject)} | {a.severity} | {a.value:g} | "
            f"{a.threshold:g} | {_md_cell(a.message)} |"
            for a in report.alerts
        ]
    else:
        lines.append("No alert fired in this window.")
    lines.append("")
    for section in report.sections:
        lines += section_markdown(section, images)
    return "\n".join(lines).rstrip() + "\n"


def section_markdown(section: Section, images: dict[str, str] | str | None = None) -> list[str]:
    """One section's lines (its own artifact, or a part of the report)."""
    lines = [f"## {section.title}", ""]
    lines += [f"- {finding}" for finding in section.findings] or ["- Nothing to report."]
    lines.append("")
    for table in section.tables:
        lines += _md_table(table)
    for chart in section.charts:
        if images == "embed":
            lines += [f"![{chart.title}]({chart.data_uri})", ""]
        elif isinstance(images, dict) and chart.name in images:
            lines += [f"![{chart.title}]({images[chart.name]})", ""]
    return lines
