from __future__ import annotations

import os
from pathlib import Path

import pytest

from ytempire.media.ffmpeg import FFmpegError, ffmpeg_exe, last_error_line, run


def test_ffmpeg_exe_is_an_executable_file() -> None:
    exe = Path(ffmpeg_exe())
    assert exe.is_file()
    assert os.access(exe, os.X_OK)


def test_run_writes_the_output(tmp_path: Path) -> None:
    out = tmp_path / "tone.wav"
    run([ffmpeg_exe(), "-f", "lavfi", "-i", "sine=duration=0.2", str(out)])
    assert out.stat().st_size > 1000


def test_failure_is_one_line_naming_output_and_cause(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with pytest.raises(FFmpegError) as caught:
        run([ffmpeg_exe(), "-i", str(tmp_path / "missing.wav"), str(out)])
    message = str(caught.value)
    assert "\n" not in message
    assert f"writing {out}" in message
    assert "No such file or directory" in message
    assert not out.exists()


def test_timeout_kills_ffmpeg_and_says_so(tmp_path: Path) -> None:
    endless = [ffmpeg_exe(), "-re", "-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"]
    with pytest.raises(FFmpegError, match=r"timed out after 0\.5s"):
        run(endless, timeout=0.5)


def test_last_error_line_skips_boilerplate_and_log_prefixes() -> None:
    stderr = (
        "[in#0/concat @ 0x55e786476dc0] Impossible to open '/w/slide-2.png'\n"
        "[in#0/concat @ 0x55e786477800] Error during demuxing: No such file or directory\n"
        "[in#0/concat @ 0x559ae836f640] Task finished with error code: -2 (No such file)\n"
        "[in#0/concat @ 0x559ae836f640] Terminating thread with return code -2 (No such file)\n"
        "Conversion failed!\n\n"
    )
    assert last_error_line(stderr) == "Error during demuxing: No such file or directory"


def test_last_error_line_falls_back_to_boilerplate_and_truncates() -> None:
    assert last_error_line("") == ""
    assert last_error_line("Conversion failed!\n") == "Conversion failed!"
    assert len(last_error_line("x" * 1000)) == 300
