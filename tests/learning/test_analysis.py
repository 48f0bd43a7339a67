"""Experiment analysis: the table per arm and the decision rule."""

from __future__ import annotations

import numpy as np

from ytempire.learning.analysis import MIN_SAMPLES, Rate, analyse
from ytempire.learning.experiments import Experiment


def experiment(metric: str = "quality_score") -> Experiment:
    return Experiment(
        name="calm-vs-energetic",
        factor="voice",
        arms={"control": "calm_female", "candidate": "energetic_male"},
        metric=metric,  # type: ignore[arg-type]
    )


def test_a_clearly_better_candidate_wins() -> None:
    rng = np.random.default_rng(1)
    samples = {
        "control": list(rng.normal(0.70, 0.03, 40)),
        "candidate": list(rng.normal(0.80, 0.03, 40)),
    }
    result = analyse(experiment(), samples)
    assert result.decision == "candidate wins"
    assert result.winner == "candidate"
    control, candidate = result.arms
    assert (control.n, candidate.n) == (40, 40)
    assert candidate.p_beats_control is not None and candidate.p_beats_control > 0.99
    assert candidate.low is not None and candidate.high is not None
    assert candidate.low < candidate.mean < candidate.high  # type: ignore[operator]
    assert candidate.samples_needed == 0
    assert analyse(experiment(), samples) == result  # seeded: the same table twice


def test_equal_arms_make_no_difference_and_few_keep_running() -> None:
    rng = np.random.default_rng(2)
    same = {
        "control": list(rng.normal(0.7, 0.01, 60)),
        "candidate": list(rng.normal(0.7, 0.01, 60)),
    }
    assert analyse(experiment(), same).decision == "no difference"
    few = {"control": [0.7, 0.8], "candidate": [0.9]}
    result = analyse(experiment(), few)
    assert result.decision == "keep running"
    assert result.arms[1].samples_needed is not None
    assert result.arms[1].samples_needed >= MIN_SAMPLES - 1


def test_lower_cost_is_better() -> None:
    rng = np.random.default_rng(3)
    samples = {
        "control": list(rng.normal(0.3, 0.02, 30)),
        "candidate": list(rng.normal(0.2, 0.02, 30)),
    }
    result = analyse(experiment("cost_usd"), samples)
    assert result.decision == "candidate wins"


def test_ctr_is_beta_binomial_on_clicks_and_impressions() -> None:
    samples = {
        "control": [Rate(clicks=40, impressions=1000)] * 5,
        "candidate": [Rate(clicks=60, impressions=1000)] * 5,
    }
    result = analyse(experiment("ctr"), samples)
    control, candidate = result.arms
    assert control.mean == 0.04 and candidate.mean == 0.06
    assert candidate.p_beats_control is not None and candidate.p_beats_control > 0.99
    assert result.decision == "candidate wins"
    unseen = analyse(experiment("ctr"), {"control": [Rate(clicks=4, impressions=100)]})
    assert unseen.decision == "keep running"
    assert unseen.arms[1].n == 0
