"""The optimization report (seed, "Next Steps for Analytics Engineer", item 5).

``build_report(store, window, limits)`` reads the views over the window and says, with
tables and PNG charts (matplotlib, Agg, no display needed):

- **cost savings opportunities**: videos over the cost alert, where their money went, what a
  cheaper model of acceptable quality would have saved, provider spend per day;
- **quality improvement areas**: stage × model means under the quality threshold, daily trend;
- **performance bottlenecks**: each stage's share of pipeline time and p95 against the seed's
  thresholds, slow models, failure hot spots;
- **model usage patterns**: calls, tokens, cost, latency, cache hits and fallback rates per
  model.

It renders as markdown (``to_markdown``; charts linked or embedded), self-contained HTML
(``to_html``) or long-format CSV (``to_csv``: section, table, key, metric, value).

One module per part: ``window`` (the span), ``model`` (sections, tables, charts),
``build`` (the report), ``sections/`` (one per section, its charts beside it; the experiment
and drift sections too), ``formats/`` (one per output format).
"""

from ytempire.analytics import views
from ytempire.analytics.report.build import build_report
from ytempire.analytics.report.formats import FORMATS, render, write
from ytempire.analytics.report.formats.as_csv import to_csv
from ytempire.analytics.report.formats.as_html import to_html
from ytempire.analytics.report.formats.as_markdown import to_markdown
from ytempire.analytics.report.model import Chart, OptimizationReport, Section, Table
from ytempire.analytics.report.sections.bottlenecks import STAGE_TIME_LIMITS_S
from ytempire.analytics.report.window import since_window

__all__ = [
    "FORMATS",
    "STAGE_TIME_LIMITS_S",
    "Chart",
    "OptimizationReport",
    "Section",
    "Table",
    "build_report",
    "render",
    "since_window",
    "to_csv",
    "to_html",
    "to_markdown",
    "views",
    "write",
]
