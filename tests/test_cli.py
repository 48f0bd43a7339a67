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
        ([*GOOD, "--language", "klingon"], "--language", "not a language tag"),
        ([*GOOD, "--language", "xx"], "--language", "not one ytempire knows"),
        ([*GOOD, "--languages", "es,zz"], "--languages", "'zz' is not one ytempire knows"),
        ([*GOOD, "--languages", ","], "--languages", "must list languages"),
        ([*GOOD, "--language", "es", "--languages", "ja"], "--languages", "not allowed with"),
        ([*GOOD, "--language", "es", "--accent", "en-GB"], "--accent", "not an accent of"),
        ([*GOOD, "--speakers", "Ana=robot,Leo=calm_female"], "--speakers", "NAME=VOICE"),
        ([*GOOD, "--speakers", "Ana=calm_female"], "--speakers", "two different speakers"),
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


def test_a_channel_of_the_channels_file_fills_the_options_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "future-gadgets:\n"
        "  niche: technology\n"
        "  voice: energetic_male\n"
        "  minutes: 3\n"
        "  aspect: '9:16'\n"
        "  brand_colours: ['#111111', '#00E5FF']\n"
        "  youtube_channel_id: UC0123456789abcdefghijkl\n"
        "  publish_template_scripts: true\n"
    )
    monkeypatch.setenv("YTEMPIRE_CHANNELS_FILE", str(channels))
    job = cli.parse_job([*GOOD, "--channel", "future-gadgets", "--minutes", "2"])
    # Its identity and gate come with it; an option given on the command line wins.
    assert (job.channel, job.niche, job.voice.value, job.aspect.value) == (
        "future-gadgets",
        "technology",
        "energetic_male",
        "9:16",
    )
    assert (job.youtube_channel_id, job.publish_template_scripts) == (
        "UC0123456789abcdefghijkl",
        True,
    )
    assert job.brand_colours == ("#111111", "#00E5FF") and job.minutes == 2
    # A channel the file does not list keeps the house defaults, as before.
    other = cli.parse_job([*GOOD, "--channel", "space-facts"])
    assert (other.voice.value, other.minutes, other.youtube_channel_id) == (
        "professional_male",
        1.0,
        None,
    )


def test_an_unreadable_channels_file_is_one_line_for_a_named_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text("future-gadgets:\n  voice: robot\n")
    monkeypatch.setenv("YTEMPIRE_CHANNELS_FILE", str(channels))
    assert cli.main([*GOOD, "--channel", "future-gadgets"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--channel" in err[0] and "future-gadgets" in err[0], err


def test_language_accent_and_speakers_reach_the_job() -> None:
    job = cli.parse_job(
        [
            *GOOD,
            "--language",
            "pt_br",
            "--accent",
            "pt-BR",
            "--speakers",
            "Ana=professional_female, Leo=energetic_male",
        ]
    )
    assert (job.language, job.accent) == ("pt-BR", "pt-BR")
    assert job.speakers == (("Ana", "professional_female"), ("Leo", "energetic_male"))
    assert cli.parse_job(GOOD).language == "en"


def test_languages_make_one_linked_job_each_the_first_from_the_topic() -> None:
    jobs = cli.jobs_from_args(cli.build_parser().parse_args([*GOOD, "--languages", "es,ja,es"]))
    assert [j.language for j in jobs] == ["es", "ja"]
    assert jobs[0].translation_of is None and jobs[1].translation_of == jobs[0].video_id
    assert dict(jobs[0].translations) == {"ja": jobs[1].video_id}


def test_the_channels_language_and_the_default_language_setting_fill_a_job_left_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text("mareas:\n  niche: oceans\n  language: es-MX\n  accent: es-MX\n")
    monkeypatch.setenv("YTEMPIRE_CHANNELS_FILE", str(channels))
    job = cli.parse_job([*GOOD, "--channel", "mareas"])
    assert (job.language, job.accent) == ("es-MX", "es-MX")
    # Another language on the command line: the channel's Mexican accent does not apply.
    assert cli.parse_job([*GOOD, "--channel", "mareas", "--language", "ja"]).accent is None
    monkeypatch.setenv("YTEMPIRE_YOUTUBE_DEFAULT_LANGUAGE", "fr")
    assert cli.parse_job(GOOD).language == "fr"
