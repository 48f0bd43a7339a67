"""The command line of experiments (docs/experiments.md):

``ytempire experiments status [NAME]`` prints each experiment's table (per arm: n, mean,
95% interval, P(beats control), samples still needed) and its decision; exit 2 for an
unknown name or a bad experiments file. ``ytempire experiments promote NAME`` moves a
winner into production (``ytempire.learning.promotion``); exit 1 with one line when there is
no winner or nothing to move.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ytempire.learning.analysis import Analysis

COMMANDS = ("experiments",)


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``experiments`` to the CLI's subcommands (``commands``)."""
    experiments = commands.add_parser("experiments", help="A/B experiments: status, promote")
    sub = experiments.add_subparsers(
        dest="experiments_command", required=True, parser_class=parser_class
    )
    status = sub.add_parser("status", help="each arm's numbers and the decision")
    status.add_argument("name", nargs="?", default=None, help="one experiment (else all)")
    promote = sub.add_parser("promote", help="move the winner into production")
    promote.add_argument("name", help="the experiment")


def table(analysis: Analysis) -> str:
    """The analysis as aligned text: a header line, a row per arm, the decision."""
    rows = analysis.rows()
    heads = list(rows[0]) if rows else []
    cells = [heads] + [["-" if v is None else str(v) for v in row.values()] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(heads))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    winner = f": {analysis.winner}" if analysis.winner else ""
    return "\n".join(
        [
            f"{analysis.experiment} (metric {analysis.metric})",
            *lines,
            f"decision: {analysis.decision}{winner} ({analysis.reason})",
        ]
    )


def run(args: argparse.Namespace) -> int:
    """Run the parsed ``experiments`` command; the exit status."""
    from sqlalchemy.exc import SQLAlchemyError

    from ytempire.analytics.store import AnalyticsStore
    from ytempire.learning import analysis, experiments, promotion
    from ytempire.redact import line
    from ytempire.settings import Settings

    settings = Settings()
    try:
        declared = experiments.for_settings(settings)
        chosen = [experiments.named(declared, args.name)] if args.name else declared
    except ValueError as exc:
        print(f"ytempire: error: experiments: {exc}", file=sys.stderr)
        return 2
    if not chosen:
        print(f"no experiments in {settings.experiments_file}")
        return 0
    try:
        store = AnalyticsStore(settings.analytics_url)
        results = [(e, analysis.analyse(e, analysis.observations(store, e))) for e in chosen]
    except SQLAlchemyError as exc:
        print(f"ytempire: error: experiments: {line(exc)}", file=sys.stderr)
        return 1
    if args.experiments_command == "status":
        print("\n\n".join(table(result) for _e, result in results))
        return 0
    ((experiment, result),) = results
    try:
        done = promotion.promote(experiment, result, settings)
    except Exception as exc:  # refusals, and MLflow's errors of many kinds: one line each
        print(f"ytempire: error: experiments promote: {line(exc)}", file=sys.stderr)
        return 1
    print(f"{done.experiment}: promoted {done.arm} ({done.value}): {done.moved}")
    return 0
