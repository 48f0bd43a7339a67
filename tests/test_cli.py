"""Bad input on the command line: exit 2, one line naming the option, nothing created."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ytempire import cli
from ytempire.models import VideoJob

GOOD = ["video", "--topic", "How black holes evaporate"]


@pytest.mark.parametrize(
    ("args", "option", "reason"),
    [
        (["video", "--topic", ""], "--topic", "must not be empty"),
        (["video", "--topic", "   "], "--topic", "must not be empty"),
        (["video", "--topic", "x" * 301], "--topic", "at most 300 characters"),
        (["video", "--topic", "bell\x07ring"], "--topic", "control characters"),
        (["video"], "--topic", "required"),
        ([*GOOD, "--minutes", "0"], "--minutes", "between 1 and 60"),
        ([*GOOD, "--minutes", "61"], "--minutes", "between 1 and 60"),
        ([*GOOD, "--minutes", "ten"], "--minutes", "must be a number"),
        ([*GOOD, "--voice", "robot"], "--voice", "must be one of"),
        ([*GOOD, "--content-type", "poetry"], "--content-type", "must be one of"),
        ([*GOOD, "--channel", "My Channel!"], "--channel", "plain slug"),
        ([*GOOD, "--channel", "../etc"], "--channel", "plain slug"),
        ([*GOOD, "--aspect", "4:3"], "--aspect", "must be one of"),
        ([*GOOD, "--frobnicate"], "--frobnicate", "unrecognized"),
        ([*GOOD, "--tone", ""], "--tone", "must not be empty"),
        ([*GOOD, "--audience", "a" * 201], "--audience", "at most 200 characters"),
        ([*GOOD, "--brand-colour", "blue"], "--brand-colour", "#rrggbb"),
        ([*GOOD, *["--brand-colour", "#000000"] * 6], "--brand-colour", "at most 5 items"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str],
    option: str,
    reason: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert option in err and reason in err
    assert not (tmp_path / "runs").exists()


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("ytempire")
    done = subprocess.run(
        [str(exe), "video", "--topic", " ", "--minutes", "5"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "ytempire: error: argument --topic: must not be empty\n"
    assert not (tmp_path / "runs").exists()


def test_good_arguments_make_the_job() -> None:
    job = cli.parse_job(
        [
            *GOOD,
            "--minutes",
            "2.5",
            "--voice",
            "calm_female",
            "--aspect",
            "9:16",
            "--channel",
            "space-facts",
        ]
    )
    assert (job.minutes, job.voice.value, job.aspect.size, job.channel) == (
        2.5,
        "calm_female",
        (1080, 1920),
        "space-facts",
    )


def test_profile_options_reach_the_job() -> None:
    job = cli.parse_job(
        [
            *GOOD,
            "--style",
            "bold captions",
            "--tone",
            "upbeat",
            "--audience",
            "teenagers",
            "--brand-colour",
            "#111111",
            "--brand-colour",
            "#00E5FF",
        ]
    )
    assert (job.style, job.tone, job.audience) == ("bold captions", "upbeat", "teenagers")
    assert job.brand_colours == ("#111111", "#00E5FF")
    assert cli.parse_job(GOOD).brand_colours == VideoJob().brand_colours
