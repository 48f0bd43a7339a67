"""Channel profiles from YAML: the sample loads, bad input is one line naming file, channel
and field, with the same words VideoJob validation uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ytempire.channels import Channel, ChannelsError, choose, field_error, load_channels
from ytempire.models import VideoJob
from ytempire.settings import Settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "channels.yaml"
    path.write_text(text)
    return path


def test_the_sample_file_is_the_default_and_holds_faceless_channels_in_different_niches() -> None:
    path = Settings().channels_file
    assert path.name == "channels.yaml" and path.is_file()
    channels = load_channels(path)
    assert 2 <= len(channels) <= 3
    assert len({c.niche for c in channels}) == len(channels)
    assert all(c.brand_colours and c.videos_per_day >= 1 for c in channels)


def test_a_profile_makes_the_job_of_its_videos(tmp_path: Path) -> None:
    (channel,) = load_channels(
        write(tmp_path, "tides:\n  niche: oceans\n  voice: calm_female\n  minutes: 2\n")
    )
    job = channel.job("b" * 32, "Why tides turn")
    assert (job.channel, job.niche, job.voice.value, job.minutes) == (
        "tides",
        "oceans",
        "calm_female",
        2,
    )


@pytest.mark.parametrize("field", ["voice", "content_type"])
def test_an_unknown_value_is_named_with_videojobs_own_words(tmp_path: Path, field: str) -> None:
    path = write(tmp_path, f"tides:\n  niche: oceans\n  {field}: robot\n")
    with pytest.raises(ChannelsError) as raised:
        load_channels(path)
    with pytest.raises(ValidationError) as job_error:
        VideoJob.model_validate({field: "robot"})
    assert str(raised.value) == f"{path}: channel 'tides': {field_error(job_error.value)}"
    assert "\n" not in str(raised.value)


def test_a_bad_colour_names_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, 'tides:\n  niche: oceans\n  brand_colours: ["#123456", "blue"]\n')
    with pytest.raises(ChannelsError, match=r"channel 'tides': brand_colours\.1: "):
        load_channels(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a mapping of channel name to profile"),
        ("- a\n- b\n", "expected a mapping of channel name to profile"),
        ("tides: 3\n", "channel 'tides': expected a mapping of fields"),
        ("Tides:\n  niche: oceans\n", "channel 'Tides': name: String should match pattern"),
        ("tides:\n  videos_per_day: 1\n", "channel 'tides': niche: Field required"),
        ("tides:\n  niche: [oceans\n", "cannot be read"),
    ],
)
def test_bad_files_are_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ChannelsError) as raised:
        load_channels(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_missing_file_says_which_setting_points_at_it(tmp_path: Path) -> None:
    with pytest.raises(ChannelsError, match=r"no channels file .*YTEMPIRE_CHANNELS_FILE"):
        load_channels(tmp_path / "none.yaml")


def test_choose_keeps_order_and_names_the_unknown() -> None:
    a, b = Channel(name="a", niche="x"), Channel(name="b", niche="y")
    assert choose([a, b], None, "f") == [a, b]
    assert choose([a, b], ["b", "a", "b"], "f") == [b, a]
    with pytest.raises(ChannelsError, match="f: no channel 'c'; known: a, b"):
        choose([a, b], ["c"], "f")


def test_a_channel_in_two_languages_makes_linked_jobs_published_where_it_says(
    tmp_path: Path,
) -> None:
    tides, mareas = load_channels(
        write(
            tmp_path,
            "tides:\n  niche: oceans\n  languages: [es-mx, ja]\n  accent: es-MX\n"
            "  language_channels: {ja: mareas}\n"
            "  speakers: {Ana: calm_female, Leo: energetic_male}\n"
            "mareas:\n  niche: oceans\n  youtube_channel_id: UC0123456789abcdefghijkl\n"
            "  privacy: unlisted\n",
        )
    )
    first, japanese = tides.jobs("b" * 32, "Why tides turn", {c.name: c for c in (tides, mareas)})
    assert (first.video_id, first.language, first.accent, first.channel) == (
        "b" * 32,
        "es-MX",
        "es-MX",
        "tides",
    )
    assert first.speakers == (("Ana", "calm_female"), ("Leo", "energetic_male"))
    assert (japanese.language, japanese.accent, japanese.translation_of) == ("ja", None, "b" * 32)
    assert (japanese.channel, japanese.youtube_channel_id, japanese.privacy) == (
        "mareas",
        "UC0123456789abcdefghijkl",
        "unlisted",
    )
    assert dict(first.translations) == {"ja": japanese.video_id}
    assert dict(japanese.translations) == {"es-MX": first.video_id}
    # The same slot asks for the same ids again: a re-run resumes them.
    assert [j.video_id for j in tides.jobs("b" * 32, "Why tides turn", {})] == [
        first.video_id,
        japanese.video_id,
    ]


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("language: klingon", "language: Value error, language 'klingon' is not a language tag"),
        ("language: xx", "language 'xx' is not one ytempire knows"),
        ("language: es\n  accent: en-GB", "accent 'en-GB' is not an accent of 'es'"),
        ("languages: [es]\n  language_channels: {ja: other}", "names ja, not in languages"),
        ("region: mexico", "region: String should match pattern"),
    ],
)
def test_bad_languages_are_one_line(tmp_path: Path, profile: str, message: str) -> None:
    with pytest.raises(ChannelsError) as raised:
        load_channels(write(tmp_path, f"tides:\n  niche: oceans\n  {profile}\n"))
    assert message in str(raised.value) and "\n" not in str(raised.value)
