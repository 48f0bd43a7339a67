"""Promotion: the winning arm of a decided experiment moved into production, and recorded
(docs/experiments.md, "Promotion").

What production means depends on the factor: for ``script_prompt`` (arm values
``<prompt>@<alias or version>``), the prompt's ``production`` alias moves to the version the
winning arm names; for ``voice``, ``voice:`` of each channel the experiment runs on is set
in the channels file. Other factors have no production setting in the pipeline: refused in
one line.

Only an experiment whose analysis says ``candidate wins`` is promoted. The promotion is
recorded in the workspace, ``experiments/<name>.promotion.json``: the arm, what moved, the
analysis it rested on and when.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from ytempire.channels import load_channels
from ytempire.learning import prompts
from ytempire.learning.analysis import Analysis
from ytempire.learning.experiments import Experiment
from ytempire.models import VoiceProfile
from ytempire.settings import Settings
from ytempire.workspace import write_json, write_text

PRODUCTION = "production"


class Promotion(BaseModel):
    experiment: str
    arm: str
    factor: str
    value: str
    moved: str
    analysis: Analysis
    promoted_at: datetime


def promote(experiment: Experiment, analysis: Analysis, settings: Settings) -> Promotion:
    """Move the winner of ``experiment`` into production and record it; ``ValueError`` in
    one line when there is no winner or nothing to move."""
    if analysis.decision != "candidate wins" or analysis.winner is None:
        raise ValueError(
            f"experiment {experiment.name}: {analysis.decision} ({analysis.reason}): "
            "nothing to promote"
        )
    arm = analysis.winner
    value = experiment.arms[arm]
    if experiment.factor == "script_prompt":
        moved = _move_prompt(value, settings)
    elif experiment.factor == "voice":
        moved = _move_voice(experiment, value, settings.channels_file)
    else:
        raise ValueError(
            f"experiment {experiment.name}: factor {experiment.factor} has no production "
            f"setting to move; set {value!r} by hand"
        )
    done = Promotion(
        experiment=experiment.name,
        arm=arm,
        factor=experiment.factor,
        value=value,
        moved=moved,
        analysis=analysis,
        promoted_at=datetime.now(UTC),
    )
    where = settings.workspace / "experiments" / f"{experiment.name}.promotion.json"
    where.parent.mkdir(parents=True, exist_ok=True)
    write_json(where, done.model_dump(mode="json"))
    return done


def _move_prompt(value: str, settings: Settings) -> str:
    name, _, alias = value.partition("@")
    if not alias:
        raise ValueError(f"script_prompt arm {value!r} must be <prompt>@<alias or version>")
    version = int(alias) if alias.isdigit() else prompts.load_prompt(name, alias, settings).version
    if version is None:
        raise ValueError(f"prompt {name}: recording is off, so there is no registry to promote in")
    prompts.set_alias(name, PRODUCTION, version, settings)
    return f"prompt {name}: {PRODUCTION} → version {version}"


def _move_voice(experiment: Experiment, voice: str, channels_file: Path) -> str:
    """Set ``voice:`` of the experiment's channels in the channels file, line by line so its
    comments and order stay."""
    VoiceProfile(voice)  # a bad arm value is refused before the file is touched
    text = channels_file.read_text(encoding="utf-8")
    names = [c.name for c in load_channels(channels_file) if experiment.runs_on(c.name)]
    for name in names:
        block = re.search(rf"(?m)^{re.escape(name)}:\s*\n((?:[ \t]+.*\n|\s*\n)*)", text)
        if block is None:
            raise ValueError(f"{channels_file}: channel {name} is not a top-level block")
        body = block.group(1)
        if re.search(r"(?m)^[ \t]+voice:", body):
            body = re.sub(r"(?m)^([ \t]+voice:)[^\n#]*", rf"\g<1> {voice}", body, count=1)
        else:
            body = f"  voice: {voice}\n{body}"
        text = text[: block.start(1)] + body + text[block.end(1) :]
    write_text(channels_file, text)
    return f"voice {voice} on {', '.join(names) or 'no channel'} ({channels_file.name})"
