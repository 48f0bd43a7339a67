"""Drift: each monitored metric's recent window against its baseline (PSI, KS;
ytempire.learning.drift), the drifting ones as findings."""

from __future__ import annotations

from collections.abc import Sequence

from ytempire.analytics.report.model import Section, Table
from ytempire.learning.drift import DriftResult


def section(results: Sequence[DriftResult]) -> Section:
    found = Section("drift", "Drift")
    found.findings += [f"{r.metric} drifted: {r.shift}." for r in results if r.drifted]
    if results and not found.findings:
        found.findings.append(f"No drift in {len(results)} monitored metrics.")
    found.tables.append(
        Table(
            "Recent window against baseline",
            [
                ("metric", "{}"),
                ("verdict", "{}"),
                ("baseline n", "{}"),
                ("recent n", "{}"),
                ("baseline mean", "{:.4g}"),
                ("recent mean", "{:.4g}"),
                ("PSI", "{:.3f}"),
                ("KS", "{:.3f}"),
                ("KS p", "{:.2g}"),
            ],
            [
                [
                    r.metric,
                    r.note,
                    r.baseline_n,
                    r.recent_n,
                    r.baseline_mean,
                    r.recent_mean,
                    r.psi,
                    r.ks_statistic,
                    r.ks_p_value,
                ]
                for r in results
            ],
        )
    )
    return found
