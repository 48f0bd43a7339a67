"""Experiments: each experiment's arms (n, mean, 95% interval, P(beats control), samples
still needed) and its decision (ytempire.learning.analysis)."""

from __future__ import annotations

from collections.abc import Sequence

from ytempire.analytics.report.model import Section, Table
from ytempire.learning.analysis import Analysis

COLUMNS = [
    ("arm", "{}"),
    ("n", "{}"),
    ("mean", "{:.4g}"),
    ("95% low", "{:.4g}"),
    ("95% high", "{:.4g}"),
    ("P(beats control)", "{:.3f}"),
    ("samples needed", "{}"),
]


def section(analyses: Sequence[Analysis], title: str = "Experiments") -> Section:
    """A finding per experiment (its decision) and a table of its arms."""
    found = Section("experiments", title)
    for a in analyses:
        winner = f": {a.winner}" if a.winner else ""
        found.findings.append(f"{a.experiment} ({a.metric}): {a.decision}{winner}; {a.reason}.")
        found.tables.append(
            Table(
                f"{a.experiment} by {a.metric}",
                COLUMNS,
                [
                    [r.arm, r.n, r.mean, r.low, r.high, r.p_beats_control, r.samples_needed]
                    for r in a.arms
                ],
            )
        )
    return found
