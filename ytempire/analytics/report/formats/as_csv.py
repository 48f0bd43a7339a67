"""The report as long-format CSV: section, table, key, metric, value."""

from __future__ import annotations

import csv
import io

from ytempire.analytics.report.model import OptimizationReport


def to_csv(report: OptimizationReport) -> str:
    """Long-format CSV: section, table, key (the row's first cell), metric, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "table", "key", "metric", "value"])
    for name, value in report.summary.items():
        writer.writerow(["summary", "summary", "", name, "" if value is None else value])
    for a in report.alerts:
        key = f"{a.rule}:{a.subject}"
        writer.writerow(["alerts", "alerts", key, "value", a.value])
        writer.writerow(["alerts", "alerts", key, "threshold", a.threshold])
        writer.writerow(["alerts", "alerts", key, "severity", a.severity])
    for section in report.sections:
        for t in section.tables:
            for row in t.rows:
                key = "/".join(str(v) for v in row[:2] if v is not None)
                for (column, _), value in zip(t.columns[2:], row[2:], strict=True):
                    writer.writerow(
                        [section.key, t.title, key, column, "" if value is None else value]
                    )
    return out.getvalue()
