"""The report as one self-contained HTML page."""

from __future__ import annotations

import html

from ytempire.analytics.report.model import OptimizationReport, Table


def to_html(report: OptimizationReport) -> str:
    """One self-contained HTML page (charts embedded, no outside styles or scripts)."""
    e = html.escape

    def table(t: Table) -> str:
        if not t.rows:
            return f"<p><b>{e(t.title)}</b>: no data in this window.</p>"
        head = "".join(f"<th>{e(name)}</th>" for name, _ in t.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in t.cells()
        )
        return f"<h3>{e(t.title)}</h3><table><tr>{head}</tr>{body}</table>"

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Optimization report</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:72em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:.2em .5em;font-size:.9em}"
        "th{background:#f4f4f4}.high{color:#b00}</style></head><body>",
        "<h1>Optimization report</h1>",
        f"<p>{e(report.window_line)}</p><h2>Summary</h2><table>",
        *(
            f"<tr><th>{e(k)}</th><td>{e('' if v is None else str(v))}</td></tr>"
            for k, v in report.summary.items()
        ),
        "</table><h2>Alerts</h2>",
    ]
    if report.alerts:
        parts.append(
            "<table><tr><th>rule</th><th>subject</th><th>severity</th><th>value</th>"
            "<th>threshold</th><th>message</th></tr>"
        )
        parts += [
            f"<tr class='{e(a.severity)}'><td>{e(a.rule)}</td><td>{e(a.subject)}</td>"
            f"<td>{e(a.severity)}</td><td>{a.value:g}</td><td>{a.threshold:g}</td>"
            f"<td>{e(a.message)}</td></tr>"
            for a in report.alerts
        ]
        parts.append("</table>")
    else:
        parts.append("<p>No alert fired in this window.</p>")
    for section in report.sections:
        parts.append(f"<h2>{e(section.title)}</h2><ul>")
        parts += [f"<li>{e(f)}</li>" for f in section.findings] or ["<li>Nothing to report.</li>"]
        parts.append("</ul>")
        parts += [table(t) for t in section.tables]
        parts += [
            f"<figure><img alt='{e(c.title)}' src='{c.data_uri}'>"
            f"<figcaption>{e(c.title)}</figcaption></figure>"
            for c in section.charts
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
