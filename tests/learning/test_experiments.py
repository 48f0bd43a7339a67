"""Experiments: the shipped example file, deterministic arms, the arm applied and recorded."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import pytest

from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import experiments
from ytempire.models import VideoJob, VoiceProfile
from ytempire.settings import REPO_ROOT, Settings

EXAMPLE = REPO_ROOT / "experiments.yaml"


def demo_jobs(count: int, seed: int = 14) -> list[VideoJob]:
    """``count`` demo-sized jobs with ids from a seeded generator (the same every run)."""
    rng = random.Random(seed)
    return [VideoJob(video_id=f"{rng.getrandbits(128):032x}", minutes=0.1) for _ in range(count)]


def test_the_example_file_loads_as_written() -> None:
    (found,) = experiments.load(EXAMPLE)
    assert found.name == "calm-vs-energetic"
    assert found.factor == "voice"
    assert found.arms == {"control": "calm_female", "candidate": "energetic_male"}
    assert found.share("candidate") == 0.5
    assert found.metric == "quality_score"
    assert Settings().experiments_file == EXAMPLE


def test_a_video_keeps_its_arm_across_runs() -> None:
    (found,) = experiments.load(EXAMPLE)
    job = VideoJob()
    first = experiments.assign([found], job)
    again = experiments.assign(experiments.load(EXAMPLE), VideoJob(video_id=job.video_id))
    assert first == again
    assert first[0].arm in found.arms


def test_twenty_demo_jobs_split_near_half() -> None:
    (found,) = experiments.load(EXAMPLE)
    arms = [found.assign(job.video_id) for job in demo_jobs(20)]
    assert 7 <= arms.count("candidate") <= 13, arms
    # and over many videos the shares follow the weights
    many = [found.assign(uuid.UUID(int=i).hex) for i in range(4000)]
    assert abs(many.count("candidate") / 4000 - 0.5) < 0.03


def test_weights_are_honoured() -> None:
    (found,) = experiments.parse(
        "experiments:\n- name: lean\n  factor: voice\n"
        "  arms: {control: calm_female, candidate: energetic_male}\n"
        "  weights: {control: 0.9, candidate: 0.1}\n",
        "inline",
    )
    many = [found.assign(uuid.UUID(int=i).hex) for i in range(4000)]
    assert abs(many.count("candidate") / 4000 - 0.1) < 0.02


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("experiments: 3", "inline: expected a list under 'experiments'"),
        (
            "experiments:\n- name: x\n  factor: voice\n  arms: {a: b, c: d}",
            "inline: experiment x: arms: Value error, no 'control' arm",
        ),
        (
            "experiments:\n- name: x\n  factor: colour\n  arms: {control: b, c: d}",
            "inline: experiment x: factor:",
        ),
        (
            "experiments:\n- name: x\n  factor: voice\n  arms: {control: b, c: d}\n"
            "  weights: {control: 1}",
            "inline: experiment x: experiment: Value error, weights must name exactly the arms",
        ),
    ],
)
def test_bad_files_say_what_is_wrong_in_one_line(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        experiments.parse(text, "inline")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_channels_limit_where_it_runs() -> None:
    (found,) = experiments.parse(
        "experiments:\n- name: x\n  factor: voice\n  arms: {control: calm_female, b: calm_female}"
        "\n  channels: [cooking]\n",
        "inline",
    )
    assert experiments.assign([found], VideoJob(channel="travel")) == []
    assert len(experiments.assign([found], VideoJob(channel="cooking"))) == 1


def test_the_arm_is_applied_to_the_job_and_recorded(tmp_path: Path) -> None:
    found = experiments.load(EXAMPLE)
    job = VideoJob()
    (assignment,) = experiments.assign(found, job)
    applied = experiments.apply(job, [assignment])
    assert applied.job.voice == VoiceProfile(found[0].arms[assignment.arm])
    assert dict(applied.job.experiments) == {"calm-vs-energetic": assignment.arm}
    assert applied.not_applied == []

    store = AnalyticsStore(f"sqlite:///{tmp_path / 'a.db'}")
    assert experiments.record(store, applied.job, [assignment]) == 1
    assert experiments.record(store, applied.job, [assignment]) == 0  # a re-run: same row
    (row,) = experiments.recorded(store, "calm-vs-energetic")
    assert (row.video_id.hex, row.arm, row.value) == (
        job.video_id,
        assignment.arm,
        assignment.value,
    )


def test_each_factor_changes_what_it_names_and_one_it_cannot_is_said_in_one_line(
    tmp_path: Path,
) -> None:
    settings = Settings(workspace=tmp_path, music_dir=tmp_path / "tracks")

    def arm(experiment: str, factor: str, value: str) -> experiments.Assignment:
        return experiments.Assignment(experiment=experiment, arm="candidate", factor=factor,
                                      value=value)  # fmt: skip

    arms = [
        arm("s", "script_model", "x"),
        arm("p", "script_prompt", "script-role@candidate"),
        arm("t", "thumbnail_template", "style_3"),
        arm("m", "music", "off"),
        arm("h", "title_style", "question"),
    ]
    applied = experiments.apply(VideoJob(), arms)
    made = applied.settings(settings)
    assert made.script_primary_model == "x" and made.script_prompt_alias == "candidate"
    assert made.thumbnail_template == "style_3" and made.music_dir is None
    (line,) = applied.not_applied
    assert line.startswith("experiment h: title_style arm candidate (question) recorded, not")
    assert json.dumps(dict(applied.job.experiments)) == (
        '{"s": "candidate", "p": "candidate", "t": "candidate", "m": "candidate", "h": "candidate"}'
    )
    lofi = experiments.apply(VideoJob(), [arm("m", "music", str(tmp_path / "lofi"))])
    assert lofi.settings(settings).music_dir == tmp_path / "lofi"
    with pytest.raises(ValueError, match="thumbnail template 'style_9' is not one of style_1"):
        experiments.apply(VideoJob(), [arm("t", "thumbnail_template", "style_9")])


def test_an_unknown_voice_is_refused_in_one_line() -> None:
    arm = experiments.Assignment(experiment="v", arm="candidate", factor="voice", value="robot")
    with pytest.raises(ValueError, match=r"^experiment v: arm candidate: voice 'robot' is not"):
        experiments.apply(VideoJob(), [arm])
