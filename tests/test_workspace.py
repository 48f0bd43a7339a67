from __future__ import annotations

import os
from pathlib import Path

import pytest

from ytempire.workspace import VideoFolder, WorkspaceError, atomic_path, write_json, write_text


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = write_text(tmp_path / "a" / "note.txt", "first")
    write_text(target, "second")
    assert target.read_text() == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["note.txt"]
    assert target.stat().st_mode & 0o044 == 0o044 & ~os.umask(os.umask(0))


def test_failed_write_leaves_neither_file_nor_temp(tmp_path: Path) -> None:
    target = tmp_path / "video.mp4"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        assert tmp.suffix == ".mp4"
        tmp.write_bytes(b"half a video")
        raise RuntimeError("encoder crashed")
    assert list(tmp_path.iterdir()) == []


def test_write_json_of_a_dict(tmp_path: Path) -> None:
    path = write_json(tmp_path / "m.json", {"a": 1})
    assert path.read_text() == '{\n  "a": 1\n}\n'


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_root_is_a_workspace_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(WorkspaceError, match="cannot create video folder"):
            VideoFolder(tmp_path / "runs", "a" * 32).create()
    finally:
        tmp_path.chmod(0o700)


def test_root_that_is_a_file_is_a_workspace_error(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(WorkspaceError, match="cannot create video folder"):
        VideoFolder(tmp_path / "runs", "a" * 32).create()
