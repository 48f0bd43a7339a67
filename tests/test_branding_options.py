"""A channel's look (preset, fonts, logo, intro, end screen) from the command line, the
channels file and the ChannelProfile block, checked at the door."""

from __future__ import annotations

from pathlib import Path

import pytest

from blocks.channel import ChannelProfile
from ytempire import cli
from ytempire.channels import ChannelsError, load_channels

GOOD = ["video", "--topic", "How black holes evaporate"]
REPO = Path(__file__).resolve().parents[1]


def test_look_options_reach_the_job(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"png")
    job = cli.parse_job(
        [*GOOD, "--style-preset", "data-story", "--heading-font", "Roboto-Bold",
         "--body-font", "Roboto-Light", "--logo", str(logo), "--logo-opacity", "0.3",
         "--intro", "--end-screen", "12"]
    )  # fmt: skip
    assert (job.style_preset, job.heading_font, job.body_font) == (
        "data-story",
        "Roboto-Bold",
        "Roboto-Light",
    )
    assert (job.logo, job.logo_opacity, job.intro, job.end_screen_s) == (logo, 0.3, True, 12.0)
    plain = cli.parse_job(GOOD)
    assert (plain.style_preset, plain.logo, plain.intro, plain.end_screen_s) == (
        None,
        None,
        False,
        0.0,
    )


@pytest.mark.parametrize(
    ("args", "option", "reason"),
    [
        (["--style-preset", "slow"], "--style-preset", "must be one of calm-explainer"),
        (["--end-screen", "3"], "--end-screen", "5-20 s"),
        (["--end-screen", "21"], "--end-screen", "5-20 s"),
        (["--logo", "/no/such/logo.png"], "--logo", "no such file"),
        (["--logo-opacity", "0"], "--logo-opacity", "above 0 and at most 1"),
        (["--heading-font", ""], "--heading-font", "must not be empty"),
        (["--body-font", "Comic-Sans"], "--body-font", "font 'Comic-Sans' not found in"),
    ],
)
def test_bad_look_options_exit_2_with_one_line(
    args: list[str],
    option: str,
    reason: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    assert cli.main([*GOOD, *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert option in err and reason in err
    assert not (tmp_path / "runs").exists()


def test_the_shipped_channels_each_pick_the_preset_of_their_style() -> None:
    channels = {c.name: c for c in load_channels(REPO / "channels.yaml")}
    presets = {name: c.job("a" * 32, "topic").style_preset for name, c in channels.items()}
    assert presets == {
        "cosmos-explained": "calm-explainer",
        "future-gadgets": "fast-cuts",
        "money-basics": "data-story",
    }
    assert channels["future-gadgets"].job("a" * 32, "t").intro
    assert channels["money-basics"].job("a" * 32, "t").end_screen_s == 10


def test_a_bad_look_in_the_channels_file_names_the_channel_and_field(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("tech:\n  niche: technology\n  end_screen_s: 2\n", encoding="utf-8")
    with pytest.raises(ChannelsError, match=r"channel 'tech': end_screen_s: .*5-20 s"):
        load_channels(path)
    path.write_text("tech:\n  niche: technology\n  style_preset: noisy\n", encoding="utf-8")
    with pytest.raises(ChannelsError, match=r"channel 'tech': style_preset: "):
        load_channels(path)


def test_the_channel_profile_block_carries_the_look() -> None:
    fields = ChannelProfile.model_fields
    for name in ("style_preset", "heading_font", "body_font", "logo", "logo_opacity", "intro",
                 "end_screen_s"):  # fmt: skip
        assert name in fields, name
    profile = ChannelProfile(name="tech", niche="technology", style_preset="fast-cuts", intro=True)
    job = profile.job("b" * 32, "topic")
    assert (job.style_preset, job.intro) == ("fast-cuts", True)
