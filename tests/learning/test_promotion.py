"""Promotion: a decided experiment's winner moves into production (the prompt alias, the
channels' voice) and is recorded; an undecided one is refused. The CLI's status table."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import numpy as np
import pytest

from ytempire import cli
from ytempire.channels import load_channels
from ytempire.learning import prompts
from ytempire.learning.analysis import analyse
from ytempire.learning.experiments import Experiment
from ytempire.learning.promotion import promote
from ytempire.settings import REPO_ROOT, Settings

RNG = np.random.default_rng(5)
CANDIDATE_BETTER = {
    "control": list(RNG.normal(0.70, 0.02, 30)),
    "candidate": list(RNG.normal(0.80, 0.02, 30)),
}


def test_promotion_moves_the_production_alias(mlflow_settings: Settings, tmp_path: Path) -> None:
    name = f"promo-{uuid.uuid4().hex[:8]}"  # the session's registry is shared: a name of its own
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / f"{name}.md").write_text("Write about {topic}.\n")
    prompts.sync(mlflow_settings, only=[name], prompts_dir=folder)  # v1: production, candidate
    (folder / f"{name}.md").write_text("Write vividly about {topic}.\n")
    prompts.sync(mlflow_settings, only=[name], prompts_dir=folder)  # v2: candidate
    assert prompts.load_prompt(name, "production", mlflow_settings).version == 1

    experiment = Experiment(
        name="vivid-prompt",
        factor="script_prompt",
        arms={"control": f"{name}@production", "candidate": f"{name}@candidate"},
    )
    done = promote(experiment, analyse(experiment, CANDIDATE_BETTER), mlflow_settings)

    production = prompts.load_prompt(name, "production", mlflow_settings)
    assert (production.version, production.text) == (2, "Write vividly about {topic}.")
    assert done.moved == f"prompt {name}: production → version 2"
    where = mlflow_settings.workspace / "experiments" / "vivid-prompt.promotion.json"
    recorded = json.loads(where.read_text())
    assert recorded["arm"] == "candidate"
    assert recorded["analysis"]["decision"] == "candidate wins"


def test_a_voice_winner_is_set_on_its_channels(tmp_path: Path) -> None:
    channels = tmp_path / "channels.yaml"
    shutil.copy(REPO_ROOT / "channels.yaml", channels)
    before = {c.name: c.voice for c in load_channels(channels)}
    first = next(iter(before))
    settings = Settings(workspace=tmp_path / "runs", channels_file=channels)
    experiment = Experiment(
        name="energy",
        factor="voice",
        arms={"control": "calm_female", "candidate": "energetic_male"},
        channels=[first],
    )
    done = promote(experiment, analyse(experiment, CANDIDATE_BETTER), settings)
    after = {c.name: c.voice for c in load_channels(channels)}
    assert after[first] == "energetic_male"
    assert {n: v for n, v in after.items() if n != first} == {
        n: v for n, v in before.items() if n != first
    }
    assert channels.read_text().startswith("# Channel profiles")  # comments kept
    assert done.moved == f"voice energetic_male on {first} (channels.yaml)"


def test_an_undecided_experiment_is_not_promoted(tmp_path: Path) -> None:
    experiment = Experiment(
        name="energy", factor="voice", arms={"control": "calm_female", "candidate": "x"}
    )
    undecided = analyse(experiment, {"control": [0.7], "candidate": [0.9]})
    with pytest.raises(ValueError, match=r"^experiment energy: keep running \(.*nothing to"):
        promote(experiment, undecided, Settings(workspace=tmp_path))


def test_status_prints_each_arm_and_the_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("YTEMPIRE_DATABASE_URL", raising=False)
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path))
    assert cli.main(["experiments", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "calm-vs-energetic (metric quality_score)"
    assert lines[1].split() == [
        "arm",
        "n",
        "mean",
        "95%",
        "low",
        "95%",
        "high",
        "P(beats",
        "control)",
        "samples",
        "needed",
    ]
    assert [line.split()[0] for line in lines[2:4]] == ["control", "candidate"]
    assert lines[4].startswith("decision: keep running")
    assert cli.main(["experiments", "status", "nope"]) == 2
    assert cli.main(["experiments", "promote", "calm-vs-energetic"]) == 1
    assert capsys.readouterr().err.count("\n") == 2  # one line each
