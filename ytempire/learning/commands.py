"""The command line of the MLflow record and the prompt registry (docs/mlflow.md):

``ytempire mlflow flush [--video ID]`` records the workspace's pending records (exit 1 while
any stays pending); ``ytempire prompts sync [--production]`` registers changed prompt files
as new versions; ``ytempire prompts alias NAME ALIAS VERSION`` points an alias at a version.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

COMMANDS = ("mlflow", "prompts")


def add_commands(
    commands: Any,
    parser_class: type[argparse.ArgumentParser],
    video_id: Callable[[str], str],
) -> None:
    """Add ``mlflow`` and ``prompts`` to the CLI's subcommands (``commands``); ``video_id``
    is the CLI's type for a video id argument."""
    mlflow = commands.add_parser("mlflow", help="the MLflow record of every video")
    mlflow_commands = mlflow.add_subparsers(
        dest="mlflow_command", required=True, parser_class=parser_class
    )
    flush = mlflow_commands.add_parser("flush", help="record the videos still pending")
    flush.add_argument("--video", type=video_id, default=None, help="only this video")

    prompts = commands.add_parser("prompts", help="the prompt registry")
    prompt_commands = prompts.add_subparsers(
        dest="prompts_command", required=True, parser_class=parser_class
    )
    sync = prompt_commands.add_parser("sync", help="register changed prompt files")
    sync.add_argument(
        "--production", action="store_true", help="point production at them too (else candidate)"
    )
    alias = prompt_commands.add_parser("alias", help="point an alias at a version")
    alias.add_argument("name", help="the prompt's name (its file name without .md)")
    alias.add_argument("alias", choices=["production", "candidate"])
    alias.add_argument("version", type=_version)


def run(args: argparse.Namespace) -> int:
    """Run the parsed ``mlflow`` or ``prompts`` command; the exit status."""
    from ytempire.learning import prompts, record
    from ytempire.redact import line
    from ytempire.settings import Settings

    settings = Settings()
    if args.command == "mlflow":
        outcomes = record.flush(settings, only=args.video)
        for o in outcomes:
            print(
                f"{o.video_id}: recorded as run {o.recorded.run_id}"
                if o.recorded
                else f"{o.video_id}: still pending: {o.error}"
            )
        if not outcomes:
            print(f"nothing pending in {settings.workspace}")
        return 1 if any(o.error for o in outcomes) else 0
    try:
        if args.prompts_command == "alias":
            prompts.set_alias(args.name, args.alias, args.version, settings)
            print(f"{args.name}@{args.alias} → version {args.version}")
            return 0
        for s in prompts.sync(settings, production=args.production):
            moved = f" ({', '.join(s.aliases)})" if s.aliases else ""
            print(f"{s.name} v{s.version} {'registered' if s.registered else 'unchanged'}{moved}")
    except Exception as exc:  # MLflow's errors are many kinds: say which, in one line
        print(f"ytempire: error: prompts: {line(exc)}", file=sys.stderr)
        return 1
    return 0


def _version(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a version number (1, 2, …), got {value!r}")
    return int(value)
