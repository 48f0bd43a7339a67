"""The one filtergraph builder: graphs compile to the FFmpeg arguments they promise, for
video and for the audio graphs of mastering and the loudness meter."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytempire.media.graph import Graph, Output
from ytempire.quality.audio import discard, loudness_meter
from ytempire.voice.master import (
    bed_graph,
    limit_graph,
    metered_command,
    mix_graph,
    resample_graph,
)


def _graph(args: list[str]) -> list[str]:
    """The filter chains of a command's ``-filter_complex``."""
    return args[args.index("-filter_complex") + 1].split(";")


def test_a_stream_used_twice_is_split_by_its_kind() -> None:
    g = Graph()
    video = g.filter(g.file("in.mp4"), "scale", w=64, h=36)
    audio = g.file("in.wav", "a")
    g.join([g.filter(audio, "volume", 2), audio], "amix", inputs=2)
    tone = g.source("anullsrc", r=48000)
    text, _ = g.compile([video, video, tone, tone])
    assert "[n0p0]split=2[n0p0s0][n0p0s1]" in text
    assert "[1:a]asplit=2[i1as0][i1as1]" in text
    assert "[n3p0]asplit=2[n3p0s0][n3p0s1]" in text


def test_command_lists_inputs_with_their_options_then_each_output() -> None:
    g = Graph()
    loop = g.file(Path("bed.wav"), "a", stream_loop=-1, t="2.5")
    quiet = g.filter(loop, "volume", "-3dB")
    args = g.command(Output(quiet, "out.f32", {"f": "f32le"}), Output(quiet, "-", {"f": "null"}))
    assert args == [
        "-stream_loop", "-1", "-t", "2.5", "-i", "bed.wav",
        "-filter_complex",
        "[0:a]volume=-3dB[n0p0];[n0p0]asplit=2[n0p0s0][n0p0s1]",
        "-map", "[n0p0s0]", "-f", "f32le", "out.f32",
        "-map", "[n0p0s1]", "-f", "null", "-",
        "-y",
    ]  # fmt: skip
    assert g.command(Output(quiet, "x.wav"), overwrite=False)[-1] == "x.wav"


def test_loudness_meter_logs_ebur128_readings() -> None:
    g = Graph()
    metered = loudness_meter(g, g.file("v.wav", "a"), Path("/tmp/m/x.log"), dual_mono=True)
    assert g.command(discard(metered), overwrite=False) == [
        "-i", "v.wav", "-filter_complex",
        "[0:a]ebur128=metadata=1:peak=true:dualmono=true[n0p0];"
        "[n0p0]ametadata=mode=print:file=/tmp/m/x.log[n1p0]",
        "-map", "[n1p0]", "-f", "null", "-",
    ]  # fmt: skip


def test_mastering_voice_graph_trims_pads_resamples_and_meters_as_dual_mono() -> None:
    g, stream = resample_graph(Path("raw.wav"), 10, 1000, 24000)
    args = metered_command(g, stream, Path("voice.f32"), Path("/tmp/m/v.log"), channels=1)
    assert args[:2] == ["-i", "raw.wav"]
    assert _graph(args) == [
        "[0:a]atrim=start_sample=10:end_sample=1000[n0p0]",
        "[n0p0]asetpts=expr=N/SR/TB[n1p0]",
        "[n1p0]apad=pad_len=24000[n2p0]",
        "[n2p0]aresample=osr=48000:resampler=soxr[n3p0]",
        "[n3p0]aformat=sample_fmts=flt:channel_layouts=mono[n4p0]",
        "[n4p0]asplit=2[n4p0s0][n4p0s1]",
        "[n4p0s0]ebur128=metadata=1:peak=true:dualmono=true[n5p0]",
        "[n5p0]ametadata=mode=print:file=/tmp/m/v.log[n6p0]",
    ]
    assert args[-11:] == [
        "-map", "[n4p0s1]", "-f", "f32le", "voice.f32",
        "-map", "[n6p0]", "-f", "null", "-", "-y",
    ]  # fmt: skip


def test_mastering_limiter_graph_gains_then_limits_without_delay() -> None:
    g, stream = limit_graph(Path("v.f32"), 2, 3.2)
    args = metered_command(g, stream, Path("lim.f32"), Path("/tmp/m/l.log"))
    assert args[:7] == ["-f", "f32le", "-ar", "48000", "-ac", "2", "-i"]
    assert _graph(args)[:3] == [
        "[0:a]volume=3.2000dB:precision=float[n0p0]",
        "[n0p0]alimiter=limit=0.794328:attack=5:release=50:level=false:latency=true[n1p0]",
        "[n1p0]aformat=sample_fmts=flt:channel_layouts=stereo[n2p0]",
    ]


def test_music_graphs_loop_fade_and_duck_the_bed_under_the_voice() -> None:
    g, stream = bed_graph(Path("track.mp3"), 12.5)
    args = metered_command(g, stream, Path("bed.f32"), Path("/tmp/m/b.log"))
    assert args[:6] == ["-stream_loop", "-1", "-t", "12.500000", "-i", "track.mp3"]
    assert _graph(args)[2:4] == [
        "[n1p0]afade=t=in:d=1[n2p0]",
        "[n2p0]afade=t=out:st=10.500000:d=2[n3p0]",
    ]
    g, stream = mix_graph(Path("voice.wav"), Path("bed.f32"), -6.0, 0.6688)
    args = metered_command(g, stream, Path("mix.f32"), Path("/tmp/m/x.log"))
    assert args[:2] == ["-i", "voice.wav"]
    assert _graph(args)[:5] == [
        "[1:a]volume=-6.0000dB:precision=float[n0p0]",
        "[0:a]asplit=2[i0as0][i0as1]",
        "[n0p0][i0as0]sidechaincompress=threshold=0.01:ratio=20:attack=20:release=500"
        ":mix=0.6688[n1p0]",
        "[i0as1][n1p0]amix=inputs=2:duration=first:normalize=0[n2p0]",
        "[n2p0]alimiter=limit=0.794328:attack=5:release=50:level=false:latency=true[n3p0]",
    ]


def test_a_log_path_that_would_need_escaping_is_refused() -> None:
    with pytest.raises(ValueError, match="escaped"):
        loudness_meter(Graph(), Graph.input(0, "a"), Path("/tmp/it's.log"))
